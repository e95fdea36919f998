-- The organisation register (issue 20): names, organisation form and parent unit of every
-- organisation the service shows, after the Central Coordinating Register (Enhetsregisteret).
-- A sub-unit (underenhet) names its main unit in parent_org_number; roles held for the main
-- unit apply to its sub-units, as in Altinn.
CREATE TABLE "organizations" (
    "org_number" TEXT NOT NULL,
    "name" JSONB NOT NULL,
    "organization_form" TEXT,
    "parent_org_number" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "organizations_pkey" PRIMARY KEY ("org_number")
);
CREATE INDEX "organizations_parent_org_number_idx" ON "organizations"("parent_org_number");

-- OAuth2 authorization codes of the admin login (RFC 6749 §4.1 + RFC 7636). Only the sha256 of
-- a code is stored; a code is redeemed by deleting its row, so it works once.
CREATE TABLE "authorization_codes" (
    "code_hash" TEXT NOT NULL,
    "client_id" TEXT NOT NULL,
    "redirect_uri" TEXT NOT NULL,
    "code_challenge" TEXT NOT NULL,
    "person_id" TEXT NOT NULL,
    "org_number" TEXT NOT NULL,
    "scope" TEXT,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "authorization_codes_pkey" PRIMARY KEY ("code_hash")
);
CREATE INDEX "authorization_codes_expires_at_idx" ON "authorization_codes"("expires_at");
