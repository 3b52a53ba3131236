DROP INDEX outbox_deliveries_ready;
CREATE INDEX outbox_deliveries_due ON outbox_deliveries (status, next_attempt_at);
