DROP TABLE outbox_deliveries;
