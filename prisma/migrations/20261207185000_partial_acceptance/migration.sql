-- Partial acceptance (issue 23, beyond Altinn; opt-in per request): null for every request that
-- did not ask for it, so Altinn's all-or-nothing behaviour is untouched. Otherwise
-- {"required": [indexes into consent_rights the consumer marked required],
--  "declined": [indexes the person declined] — absent until the person decides}.
ALTER TABLE "consent_requests" ADD COLUMN "partial_acceptance" JSONB;
