-- gateway: calls per consent per UTC day across replicas (resource policy `callsPerDay`, issue 23).
-- Each replica adds its counts in batches (INSERT … ON CONFLICT DO UPDATE); only today's row is read.
CREATE TABLE "gateway_daily_calls" (
    "consent_id" TEXT NOT NULL,
    "day" DATE NOT NULL,
    "calls" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "gateway_daily_calls_pkey" PRIMARY KEY ("consent_id","day")
);

CREATE INDEX "gateway_daily_calls_day_idx" ON "gateway_daily_calls"("day");
