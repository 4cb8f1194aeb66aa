-- The durable delivery log (our own tables; Storage:Provider=postgres).
--
-- One row per delivery: one event, rendered by one webhook, for one endpoint. The endpoint grain numbers its
-- deliveries (sequence, FIFO order); (endpoint_id, event_id, webhook_id) is unique, so a stream message that is
-- delivered again can never create a second delivery. Pending rows are the endpoint's durable queue: a grain
-- that activates reads them back in sequence order, a bounded window at a time. Attempts are their own rows.
-- status: 1 pending, 2 succeeded, 3 failed (Webhooks.Deliveries.DeliveryStatus).

CREATE TABLE IF NOT EXISTS webhooks_deliveries
(
    endpoint_id     text        COLLATE "C" NOT NULL,
    sequence        bigint      NOT NULL,
    webhook_id      text        NOT NULL,
    event_id        text        NOT NULL,
    object_type     text        NOT NULL,
    event           text        NOT NULL,
    status          smallint    NOT NULL,
    http_method     text        NOT NULL,
    url             text        NOT NULL,
    content_type    text        NOT NULL,
    headers         jsonb       NOT NULL, -- [{"name": ..., "value": ...}]
    body            text        NOT NULL,
    created_at      timestamptz NOT NULL,
    next_attempt_at timestamptz,
    finished_at     timestamptz,
    attempt_count   integer     NOT NULL DEFAULT 0,
    CONSTRAINT pk_webhooks_deliveries PRIMARY KEY (endpoint_id, sequence),
    CONSTRAINT uq_webhooks_deliveries_key UNIQUE (endpoint_id, event_id, webhook_id)
);

ALTER TABLE webhooks_deliveries SET (fillfactor = 80);

-- An endpoint's queue: its pending deliveries in order.
CREATE INDEX IF NOT EXISTS ix_webhooks_deliveries_pending
    ON webhooks_deliveries (endpoint_id, sequence) WHERE status = 1;

-- The log, newest first (ListDeliveries), for one endpoint and across endpoints.
CREATE INDEX IF NOT EXISTS ix_webhooks_deliveries_endpoint_created
    ON webhooks_deliveries (endpoint_id, created_at DESC, sequence DESC);
CREATE INDEX IF NOT EXISTS ix_webhooks_deliveries_created
    ON webhooks_deliveries (created_at DESC, endpoint_id DESC, sequence DESC);
CREATE INDEX IF NOT EXISTS ix_webhooks_deliveries_event
    ON webhooks_deliveries (event_id);

-- Retention: finished deliveries by age.
CREATE INDEX IF NOT EXISTS ix_webhooks_deliveries_finished
    ON webhooks_deliveries (finished_at) WHERE status <> 1;

CREATE TABLE IF NOT EXISTS webhooks_delivery_attempts
(
    endpoint_id text        COLLATE "C" NOT NULL,
    sequence    bigint      NOT NULL,
    attempt     integer     NOT NULL,
    started_at  timestamptz NOT NULL,
    duration_us bigint      NOT NULL,
    status_code integer     NOT NULL,
    error       text        NOT NULL,
    CONSTRAINT pk_webhooks_delivery_attempts PRIMARY KEY (endpoint_id, sequence, attempt),
    CONSTRAINT fk_webhooks_delivery_attempts_delivery FOREIGN KEY (endpoint_id, sequence)
        REFERENCES webhooks_deliveries (endpoint_id, sequence) ON DELETE CASCADE
);
