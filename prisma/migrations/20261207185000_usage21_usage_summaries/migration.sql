-- Daily usage summaries (issue 21, beyond Altinn):
--  * consent_usage_summaries: one row per consent and UTC day, written with its `usage_summary`
--    event; the primary key makes it once per consent and day, also with several replicas.
--  * usage_summary_days: days whose summaries are all written, so a day's usage is read once.
CREATE TABLE "consent_usage_summaries" (
    "consent_request_id" UUID NOT NULL,
    "day" DATE NOT NULL,
    "event_id" UUID NOT NULL,
    "calls" JSONB NOT NULL,
    "last_used_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "consent_usage_summaries_pkey" PRIMARY KEY ("consent_request_id","day")
);
CREATE UNIQUE INDEX "consent_usage_summaries_event_id_key" ON "consent_usage_summaries"("event_id");
ALTER TABLE "consent_usage_summaries" ADD CONSTRAINT "consent_usage_summaries_consent_request_id_fkey"
    FOREIGN KEY ("consent_request_id") REFERENCES "consent_requests"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "usage_summary_days" (
    "day" DATE NOT NULL,
    "completed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "usage_summary_days_pkey" PRIMARY KEY ("day")
);
