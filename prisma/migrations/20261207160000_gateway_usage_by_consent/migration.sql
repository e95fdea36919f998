-- portal and consent API: a consent's usage log (issue 21) is read by consent id, newest first.
CREATE INDEX "gateway_usage_consent_id_bucket_idx" ON "gateway_usage"("consent_id", "bucket");
