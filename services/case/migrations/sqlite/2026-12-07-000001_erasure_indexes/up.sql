-- Erasure (issue 17, "Retention and erasure") finds what names a customer
-- in the events by its id: the entities naming it and the entities sent
-- about it. Without these, each erased customer read both tables whole.
CREATE INDEX event_entities_by_customer ON event_entities (cust_id);
CREATE INDEX event_customers_by_customer ON event_customers (customer_id);
