-- webhooks: the outbox fan-out cursor, per-subscription start position and failure tracking,
-- and an index for the delivery log.
--
-- Deliveries are made from consent_events, whose `seq` order is commit order (see
-- src/consents/consent-events.service.ts). One cursor row remembers the last seq turned into
-- webhook_deliveries rows; the worker advances it in the same transaction that inserts them, so
-- a crash at any point neither loses nor duplicates an event.
CREATE TABLE "webhook_cursor" (
    "id" TEXT NOT NULL,
    "last_seq" BIGINT NOT NULL DEFAULT 0,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "webhook_cursor_pkey" PRIMARY KEY ("id")
);
-- Start after the events that already exist: no subscription could have wanted them.
INSERT INTO "webhook_cursor" ("id", "last_seq")
SELECT 'consent-events', COALESCE(MAX("seq"), 0) FROM "consent_events";

ALTER TABLE "webhook_subscriptions" ADD COLUMN "after_seq" BIGINT NOT NULL DEFAULT 0;
ALTER TABLE "webhook_subscriptions" ADD COLUMN "failing_since" TIMESTAMPTZ(3);
ALTER TABLE "webhook_subscriptions" ADD COLUMN "disabled_reason" TEXT;

CREATE INDEX "webhook_deliveries_subscription_id_id_idx" ON "webhook_deliveries"("subscription_id", "id");
