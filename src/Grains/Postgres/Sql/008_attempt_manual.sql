-- Attempts an operator asked for (RedeliverDelivery, ReplayDeliveries, SendTestEvent) rather than the retry schedule.

ALTER TABLE webhooks_delivery_attempts ADD COLUMN IF NOT EXISTS manual boolean NOT NULL DEFAULT false;
