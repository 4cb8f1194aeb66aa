-- Durable event stream queues (our own tables; Storage:Provider=postgres).
--
-- One row per stream batch (the events of one publish call for one stream). A queue is a partition that one
-- silo's pulling agent reads at a time. Reading bumps dequeue_count and hides the row until visible_on; the
-- reader keeps pushing visible_on ahead while it still holds the row, and deletes it (the acknowledgement) only
-- while dequeue_count still matches what it read, so a stale reader can never delete a row that someone else
-- has read again since. A row read max-attempts times without being acknowledged moves to
-- webhooks_event_dead_letters, from where operators can requeue it (webhooks_requeue_dead_letters).
--
-- message_id comes from one sequence, so within a queue it follows enqueue order; publishers of one stream
-- (one object-type grain) wait for each commit, so a stream's batches are in publish order.

CREATE TABLE IF NOT EXISTS webhooks_event_queue
(
    service_id    text        NOT NULL,
    provider      text        NOT NULL,
    queue_id      integer     NOT NULL,
    message_id    bigint      GENERATED ALWAYS AS IDENTITY,
    dequeue_count integer     NOT NULL DEFAULT 0,
    visible_on    timestamptz NOT NULL DEFAULT now(),
    created_on    timestamptz NOT NULL DEFAULT now(),
    event_count   integer     NOT NULL,
    payload       bytea       NOT NULL,
    CONSTRAINT pk_webhooks_event_queue PRIMARY KEY (service_id, provider, queue_id, message_id)
);

-- Rows are short-lived and updated twice each: leave room on the page for HOT updates.
ALTER TABLE webhooks_event_queue SET (fillfactor = 70);

CREATE TABLE IF NOT EXISTS webhooks_event_dead_letters
(
    service_id    text        NOT NULL,
    provider      text        NOT NULL,
    queue_id      integer     NOT NULL,
    message_id    bigint      NOT NULL,
    dequeue_count integer     NOT NULL,
    created_on    timestamptz NOT NULL,
    dead_on       timestamptz NOT NULL DEFAULT now(),
    reason        text        NOT NULL,
    event_count   integer     NOT NULL,
    payload       bytea       NOT NULL,
    CONSTRAINT pk_webhooks_event_dead_letters PRIMARY KEY (service_id, provider, queue_id, message_id)
);

-- Puts dead letters back at the end of their queues with a fresh attempt count; NULL requeues all of them.
-- Returns how many were requeued. Example: SELECT webhooks_requeue_dead_letters(ARRAY[42, 43]);
CREATE OR REPLACE FUNCTION webhooks_requeue_dead_letters(message_ids bigint[] DEFAULT NULL)
    RETURNS integer
    LANGUAGE sql
AS $fn$
    WITH moved AS (
        DELETE FROM webhooks_event_dead_letters
        WHERE message_ids IS NULL OR message_id = ANY (message_ids)
        RETURNING service_id, provider, queue_id, event_count, payload, message_id
    ), requeued AS (
        INSERT INTO webhooks_event_queue (service_id, provider, queue_id, event_count, payload)
        SELECT service_id, provider, queue_id, event_count, payload FROM moved ORDER BY message_id
        RETURNING 1
    )
    SELECT count(*)::integer FROM requeued
$fn$;
