-- Leaner delivery indexes, measured in the postgres benchmark (docs/performance.md).
--
-- A delivery's row is written twice: inserted pending, then updated with its outcome. With no index on the
-- columns the update changes (status, next_attempt_at, finished_at, attempt_count) and room left on the page
-- (fillfactor 80), PostgreSQL makes that update in place (HOT) without touching any index. So:
-- - an endpoint's pending deliveries are found through the primary key (endpoint_id, sequence) from a sequence
--   below which the endpoint knows everything is finished (EndpointState.SettledBelow), not a partial index on
--   status;
-- - retention walks ix_webhooks_deliveries_created (finished and created long enough ago), not an index on
--   finished_at;
-- - one endpoint's log, newest first, walks the primary key backwards (sequence order is creation order).

DROP INDEX IF EXISTS ix_webhooks_deliveries_pending;
DROP INDEX IF EXISTS ix_webhooks_deliveries_finished;
DROP INDEX IF EXISTS ix_webhooks_deliveries_endpoint_created;
