-- One index fewer on every delivery insert. The dedupe key (endpoint_id, event_id, webhook_id) and the log's
-- index on event_id were two indexes that each took every new delivery at a random place (event ids are random).
-- The same key led by event_id serves both: the insert's ON CONFLICT (endpoint_id, event_id, webhook_id) infers
-- a unique index from its set of columns whatever their order, and ListDeliveries filtered by event finds the
-- event's deliveries through its leading column.
CREATE UNIQUE INDEX IF NOT EXISTS uq_webhooks_deliveries_event_key
    ON webhooks_deliveries (event_id, webhook_id, endpoint_id);
ALTER TABLE webhooks_deliveries DROP CONSTRAINT IF EXISTS uq_webhooks_deliveries_key;
DROP INDEX IF EXISTS ix_webhooks_deliveries_event;
