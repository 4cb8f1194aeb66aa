-- What metrics and traces need from a delivery that outlives its silo: when its event was accepted (the delivery
-- latency runs from there to success) and the trace context its attempts continue. Both may be absent: rows
-- written before, test events, tracing switched off.
ALTER TABLE webhooks_deliveries ADD COLUMN IF NOT EXISTS event_accepted_at timestamptz;
ALTER TABLE webhooks_deliveries ADD COLUMN IF NOT EXISTS trace_parent text;

-- Each attempt's request headers as sent (the endpoint's own values masked), shown beside its response.
ALTER TABLE webhooks_delivery_attempts ADD COLUMN IF NOT EXISTS request_headers jsonb NOT NULL DEFAULT '[]';
