-- Delivering the outbox (issue 14, point 2; crate `outbox`), as user-action does (its migration 2026-12-07-000002): one row per
-- event per destination, in which the dispatcher keeps each delivery's
-- state, its lease and its last attempt; the operator reads it as the
-- delivery log. `outbox.delivered_at` now says the event was fanned out:
-- its deliveries are here (it stays NULL until then).
CREATE TABLE outbox_deliveries (
    event_seq       BIGINT NOT NULL REFERENCES outbox (seq),
    event_id        TEXT NOT NULL,    -- outbox.id, the id receivers apply once
    destination     TEXT NOT NULL,    -- the destination's configured name
    aggregate_id    TEXT NOT NULL,    -- order holds per (destination, aggregate)
    kind            TEXT NOT NULL,
    status          TEXT NOT NULL,    -- pending | delivered | failed
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,    -- not before (backoff)
    retry_from      TEXT NOT NULL,    -- where the retry window of a destination that gives up starts
    lease_owner     TEXT,             -- the dispatcher delivering it now
    lease_until     TEXT,             -- after which another may take it over
    last_attempt_at TEXT,
    last_status     INTEGER,          -- the HTTP status of the last attempt, if any
    last_error      TEXT,             -- a short class, never a body or personal data
    delivered_at    TEXT,
    created_at      TEXT NOT NULL,
    PRIMARY KEY (event_seq, destination),
    UNIQUE (event_id, destination)
);
-- The dispatcher's questions: what is due, and is an earlier one of the
-- same aggregate still pending.
CREATE INDEX outbox_deliveries_due ON outbox_deliveries (status, next_attempt_at);
CREATE INDEX outbox_deliveries_order ON outbox_deliveries (status, destination, aggregate_id, event_seq);
-- The log's filters.
CREATE INDEX outbox_deliveries_by_aggregate ON outbox_deliveries (aggregate_id, event_seq);

-- Wakes the dispatchers (LISTEN outbox) when an event is written: NOTIFY
-- is delivered at commit, and not at all on a rollback.
CREATE FUNCTION outbox_notify() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('outbox', '');
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER outbox_notify AFTER INSERT ON outbox
    FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();
