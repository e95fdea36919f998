-- gateway: per-minute usage counters (written in batches off the request path) and the
-- in-flight claims that make a one-time consent usable by exactly one call across replicas.
CREATE TABLE "gateway_usage" (
    "api_name" TEXT NOT NULL,
    "bucket" TIMESTAMPTZ(3) NOT NULL,
    "consumer_org" TEXT NOT NULL,
    "consent_id" TEXT NOT NULL,
    "outcome" TEXT NOT NULL,
    "count" BIGINT NOT NULL DEFAULT 0,
    CONSTRAINT "gateway_usage_pkey" PRIMARY KEY ("api_name","bucket","consumer_org","consent_id","outcome")
);
CREATE INDEX "gateway_usage_bucket_idx" ON "gateway_usage"("bucket");

CREATE TABLE "gateway_one_time_claims" (
    "consent_id" TEXT NOT NULL,
    "claim_token" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "gateway_one_time_claims_pkey" PRIMARY KEY ("consent_id")
);
CREATE INDEX "gateway_one_time_claims_expires_at_idx" ON "gateway_one_time_claims"("expires_at");
