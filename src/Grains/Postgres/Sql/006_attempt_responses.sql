-- What each attempt got back: the response headers and the start of the body (Delivery:MaxResponseBodyBytes),
-- and whether it timed out.

ALTER TABLE webhooks_delivery_attempts ADD COLUMN IF NOT EXISTS response_headers jsonb NOT NULL DEFAULT '[]';
ALTER TABLE webhooks_delivery_attempts ADD COLUMN IF NOT EXISTS response_body text NOT NULL DEFAULT '';
ALTER TABLE webhooks_delivery_attempts ADD COLUMN IF NOT EXISTS timed_out boolean NOT NULL DEFAULT false;
