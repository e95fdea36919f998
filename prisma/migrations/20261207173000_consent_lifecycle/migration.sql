-- Consent lifecycle beyond Altinn (issue 23), all opt-in:
--  * resource_policies: the owner's rules for one consent resource (maximum validity, redirect
--    rules, calls per day, allowed metadata values). No row = no rules = Altinn's behaviour.
--  * consent_events.reason: why a consent was revoked by its data owner or the platform operator.
--  * consent_reminders: which consents got their `expiring` reminder (the primary key makes it
--    once per consent, also with several replicas sweeping at once).
CREATE TABLE "resource_policies" (
    "resource_identifier" TEXT NOT NULL,
    "policy" JSONB NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_by" TEXT,
    CONSTRAINT "resource_policies_pkey" PRIMARY KEY ("resource_identifier")
);
ALTER TABLE "resource_policies" ADD CONSTRAINT "resource_policies_resource_identifier_fkey"
    FOREIGN KEY ("resource_identifier") REFERENCES "resources"("identifier") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "consent_events" ADD COLUMN "reason" TEXT;

CREATE TABLE "consent_reminders" (
    "consent_request_id" UUID NOT NULL,
    "reminded_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "consent_reminders_pkey" PRIMARY KEY ("consent_request_id")
);
ALTER TABLE "consent_reminders" ADD CONSTRAINT "consent_reminders_consent_request_id_fkey"
    FOREIGN KEY ("consent_request_id") REFERENCES "consent_requests"("id") ON DELETE CASCADE ON UPDATE CASCADE;
