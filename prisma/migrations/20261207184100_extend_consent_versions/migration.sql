-- Extension without a new consent (issue 23 item 2, beyond Altinn):
--  * consent_requests.version: the version of the terms in force (1 = as first accepted).
--  * consent_extensions: a consumer's request to extend an accepted consent's validTo, and
--    what became of it. `open_key` is the consent id while the extension is pending and NULL
--    otherwise, so its unique index allows one pending extension per consent.
--  * consent_versions: the terms and receipt of every version of an extended consent (version 1
--    is copied from the consent and its receipt when the first extension is approved).
--  * consent_events.extension_id: the extension an `extension_*`/`extended` event is about.
ALTER TABLE "consent_requests" ADD COLUMN "version" INTEGER NOT NULL DEFAULT 1;

ALTER TABLE "consent_events" ADD COLUMN "extension_id" UUID;

CREATE TABLE "consent_extensions" (
    "id" UUID NOT NULL,
    "consent_request_id" UUID NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "base_version" INTEGER NOT NULL,
    "previous_valid_to" TIMESTAMPTZ(3) NOT NULL,
    "valid_to" TIMESTAMPTZ(3) NOT NULL,
    "requested_by" TEXT NOT NULL,
    "requested_by_client" TEXT,
    "open_key" UUID,
    "version" INTEGER,
    "decided_by" TEXT,
    "decided_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "consent_extensions_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "consent_extensions_open_key_key" ON "consent_extensions"("open_key");
CREATE INDEX "consent_extensions_consent_request_id_idx" ON "consent_extensions"("consent_request_id");
ALTER TABLE "consent_extensions" ADD CONSTRAINT "consent_extensions_consent_request_id_fkey"
    FOREIGN KEY ("consent_request_id") REFERENCES "consent_requests"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "consent_versions" (
    "consent_request_id" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "valid_to" TIMESTAMPTZ(3) NOT NULL,
    "consent_rights" JSONB NOT NULL,
    "extension_id" UUID,
    "accepted_by" TEXT NOT NULL,
    "accepted_at" TIMESTAMPTZ(3) NOT NULL,
    "language" TEXT NOT NULL,
    "html" TEXT NOT NULL,
    "text" JSONB NOT NULL,
    "template_id" TEXT NOT NULL,
    "template_version" INTEGER NOT NULL,
    "resource_versions" JSONB NOT NULL,
    CONSTRAINT "consent_versions_pkey" PRIMARY KEY ("consent_request_id", "version")
);
ALTER TABLE "consent_versions" ADD CONSTRAINT "consent_versions_consent_request_id_fkey"
    FOREIGN KEY ("consent_request_id") REFERENCES "consent_requests"("id") ON DELETE CASCADE ON UPDATE CASCADE;
