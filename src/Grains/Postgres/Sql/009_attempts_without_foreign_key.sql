-- The attempts' foreign key made every attempt insert look up its delivery's row and share-lock it, in the same
-- transaction that updates that row. Attempts are only written for a delivery whose row has committed (an endpoint
-- persists a delivery before sending it), and retention deletes a delivery's attempts in the statement that deletes
-- the delivery (DeliveryRetention), so the key guarded nothing the code does not.
ALTER TABLE webhooks_delivery_attempts DROP CONSTRAINT IF EXISTS fk_webhooks_delivery_attempts_delivery;
