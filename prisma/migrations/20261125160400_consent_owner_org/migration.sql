-- Consents: remember the org number of the owner of the (first) resource a request names, so every
-- consent transition can write its audit row with the owner's org (DESIGN §4.12) without a
-- lookup in another context, and the owner's trail stays right after the resource is deleted.
ALTER TABLE "consent_requests" ADD COLUMN "owner_org" TEXT;
