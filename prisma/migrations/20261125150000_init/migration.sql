-- Initial schema of consent-gateway (kept in step with prisma/schema.prisma; see the parity test).

-- owners
CREATE TABLE "owners" (
    "orgcode" TEXT NOT NULL,
    "org_number" TEXT NOT NULL,
    "name" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "owners_pkey" PRIMARY KEY ("orgcode")
);
CREATE UNIQUE INDEX "owners_org_number_key" ON "owners"("org_number");

CREATE TABLE "org_roles" (
    "org_number" TEXT NOT NULL,
    "person_id" TEXT NOT NULL,
    "roles" TEXT[],
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "org_roles_pkey" PRIMARY KEY ("org_number","person_id")
);
CREATE INDEX "org_roles_person_id_idx" ON "org_roles"("person_id");

-- audit
CREATE TABLE "audit_log" (
    "id" BIGSERIAL NOT NULL,
    "time" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor_org" TEXT,
    "actor_client" TEXT,
    "actor_person" TEXT,
    "action" TEXT NOT NULL,
    "object_type" TEXT NOT NULL,
    "object_id" TEXT NOT NULL,
    "owner_org" TEXT,
    "before" JSONB,
    "after" JSONB,
    CONSTRAINT "audit_log_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "audit_log_owner_org_id_idx" ON "audit_log"("owner_org", "id");
CREATE INDEX "audit_log_object_type_object_id_idx" ON "audit_log"("object_type", "object_id");

-- resources
CREATE TABLE "consent_templates" (
    "id" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "is_active" BOOLEAN NOT NULL DEFAULT true,
    "body" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "consent_templates_pkey" PRIMARY KEY ("id","version")
);

CREATE TABLE "resources" (
    "identifier" TEXT NOT NULL,
    "owner_orgcode" TEXT NOT NULL,
    "owner_org_number" TEXT NOT NULL,
    "current_version_id" UUID NOT NULL,
    "access_list_mode" TEXT NOT NULL DEFAULT 'Disabled',
    "is_one_time_consent" BOOLEAN NOT NULL DEFAULT false,
    "consent_template" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deleted_at" TIMESTAMPTZ(3),
    CONSTRAINT "resources_pkey" PRIMARY KEY ("identifier")
);
CREATE INDEX "resources_owner_org_number_idx" ON "resources"("owner_org_number");

CREATE TABLE "resource_versions" (
    "version_id" UUID NOT NULL,
    "resource_identifier" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "body" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_by" TEXT,
    CONSTRAINT "resource_versions_pkey" PRIMARY KEY ("version_id")
);
CREATE UNIQUE INDEX "resource_versions_resource_identifier_seq_key" ON "resource_versions"("resource_identifier", "seq");
ALTER TABLE "resource_versions" ADD CONSTRAINT "resource_versions_resource_identifier_fkey" FOREIGN KEY ("resource_identifier") REFERENCES "resources"("identifier") ON DELETE CASCADE ON UPDATE CASCADE;

-- scopes
CREATE TABLE "scope_prefixes" (
    "prefix" TEXT NOT NULL,
    "owner_org_number" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "scope_prefixes_pkey" PRIMARY KEY ("prefix")
);

CREATE TABLE "scopes" (
    "name" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "subscope" TEXT NOT NULL,
    "owner_org_number" TEXT,
    "description" TEXT NOT NULL DEFAULT '',
    "allowed_integration_types" TEXT[],
    "token_type" TEXT NOT NULL DEFAULT 'SELF_CONTAINED',
    "at_max_age" INTEGER,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "scopes_pkey" PRIMARY KEY ("name")
);
CREATE INDEX "scopes_owner_org_number_idx" ON "scopes"("owner_org_number");

CREATE TABLE "scope_grants" (
    "scope" TEXT NOT NULL,
    "consumer_org_number" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "scope_grants_pkey" PRIMARY KEY ("scope","consumer_org_number")
);
CREATE INDEX "scope_grants_consumer_org_number_idx" ON "scope_grants"("consumer_org_number");
ALTER TABLE "scope_grants" ADD CONSTRAINT "scope_grants_scope_fkey" FOREIGN KEY ("scope") REFERENCES "scopes"("name") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "scope_delegations" (
    "scope" TEXT NOT NULL,
    "consumer_org_number" TEXT NOT NULL,
    "supplier_org_number" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "scope_delegations_pkey" PRIMARY KEY ("scope","consumer_org_number","supplier_org_number")
);
CREATE INDEX "scope_delegations_supplier_org_number_idx" ON "scope_delegations"("supplier_org_number");

-- clients
CREATE TABLE "clients" (
    "client_id" TEXT NOT NULL,
    "org_number" TEXT NOT NULL,
    "client_name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "scopes" TEXT[],
    "integration_type" TEXT NOT NULL DEFAULT 'maskinporten',
    "token_endpoint_auth_method" TEXT NOT NULL DEFAULT 'private_key_jwt',
    "active" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "clients_pkey" PRIMARY KEY ("client_id")
);
CREATE INDEX "clients_org_number_idx" ON "clients"("org_number");

CREATE TABLE "client_keys" (
    "client_id" TEXT NOT NULL,
    "kid" TEXT NOT NULL,
    "jwk" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "client_keys_pkey" PRIMARY KEY ("client_id","kid")
);
ALTER TABLE "client_keys" ADD CONSTRAINT "client_keys_client_id_fkey" FOREIGN KEY ("client_id") REFERENCES "clients"("client_id") ON DELETE CASCADE ON UPDATE CASCADE;

-- access lists
CREATE TABLE "access_lists" (
    "id" UUID NOT NULL,
    "owner" TEXT NOT NULL,
    "identifier" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "version" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "access_lists_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "access_lists_owner_identifier_key" ON "access_lists"("owner", "identifier");

CREATE TABLE "access_list_members" (
    "list_id" UUID NOT NULL,
    "org_number" TEXT NOT NULL,
    "since" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "access_list_members_pkey" PRIMARY KEY ("list_id","org_number")
);
CREATE INDEX "access_list_members_org_number_idx" ON "access_list_members"("org_number");
ALTER TABLE "access_list_members" ADD CONSTRAINT "access_list_members_list_id_fkey" FOREIGN KEY ("list_id") REFERENCES "access_lists"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "access_list_connections" (
    "list_id" UUID NOT NULL,
    "resource_identifier" TEXT NOT NULL,
    "action_filters" TEXT[],
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "access_list_connections_pkey" PRIMARY KEY ("list_id","resource_identifier")
);
CREATE INDEX "access_list_connections_resource_identifier_idx" ON "access_list_connections"("resource_identifier");
ALTER TABLE "access_list_connections" ADD CONSTRAINT "access_list_connections_list_id_fkey" FOREIGN KEY ("list_id") REFERENCES "access_lists"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- consents
CREATE TABLE "consent_requests" (
    "id" UUID NOT NULL,
    "from_party" TEXT NOT NULL,
    "required_delegator" TEXT,
    "to_org" TEXT NOT NULL,
    "handled_by" TEXT,
    "valid_to" TIMESTAMPTZ(3) NOT NULL,
    "consent_rights" JSONB NOT NULL,
    "resources" TEXT[],
    "resource_versions" JSONB NOT NULL,
    "template_id" TEXT NOT NULL,
    "template_version" INTEGER NOT NULL,
    "is_one_time" BOOLEAN NOT NULL DEFAULT false,
    "request_message" JSONB,
    "redirect_url" TEXT NOT NULL,
    "portal_view_mode" TEXT NOT NULL DEFAULT 'Hide',
    "status" TEXT NOT NULL DEFAULT 'created',
    "consented" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "consent_requests_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "consent_requests_to_org_created_at_idx" ON "consent_requests"("to_org", "created_at");
CREATE INDEX "consent_requests_handled_by_idx" ON "consent_requests"("handled_by");
CREATE INDEX "consent_requests_from_party_idx" ON "consent_requests"("from_party");
CREATE INDEX "consent_requests_status_valid_to_idx" ON "consent_requests"("status", "valid_to");

CREATE TABLE "consent_events" (
    "id" UUID NOT NULL,
    "seq" BIGSERIAL NOT NULL,
    "consent_request_id" UUID NOT NULL,
    "event_type" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "performed_by" TEXT,
    "to_org" TEXT NOT NULL,
    "handled_by" TEXT,
    CONSTRAINT "consent_events_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "consent_events_seq_key" ON "consent_events"("seq");
CREATE INDEX "consent_events_consent_request_id_idx" ON "consent_events"("consent_request_id");
CREATE INDEX "consent_events_to_org_seq_idx" ON "consent_events"("to_org", "seq");
CREATE INDEX "consent_events_handled_by_seq_idx" ON "consent_events"("handled_by", "seq");
ALTER TABLE "consent_events" ADD CONSTRAINT "consent_events_consent_request_id_fkey" FOREIGN KEY ("consent_request_id") REFERENCES "consent_requests"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "consent_receipts" (
    "consent_request_id" UUID NOT NULL,
    "language" TEXT NOT NULL,
    "html" TEXT NOT NULL,
    "text" JSONB NOT NULL,
    "template_id" TEXT NOT NULL,
    "template_version" INTEGER NOT NULL,
    "resource_versions" JSONB NOT NULL,
    "accepted_by" TEXT NOT NULL,
    "accepted_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "consent_receipts_pkey" PRIMARY KEY ("consent_request_id")
);
ALTER TABLE "consent_receipts" ADD CONSTRAINT "consent_receipts_consent_request_id_fkey" FOREIGN KEY ("consent_request_id") REFERENCES "consent_requests"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- tokens
CREATE TABLE "signing_keys" (
    "kid" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "alg" TEXT NOT NULL DEFAULT 'RS256',
    "public_jwk" JSONB NOT NULL,
    "private_key" TEXT NOT NULL,
    "encrypted" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "activated_at" TIMESTAMPTZ(3),
    "retired_at" TIMESTAMPTZ(3),
    CONSTRAINT "signing_keys_pkey" PRIMARY KEY ("kid")
);

CREATE TABLE "used_assertions" (
    "client_id" TEXT NOT NULL,
    "jti" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "used_assertions_pkey" PRIMARY KEY ("client_id","jti")
);
CREATE INDEX "used_assertions_expires_at_idx" ON "used_assertions"("expires_at");

-- gateway
CREATE TABLE "protected_apis" (
    "name" TEXT NOT NULL,
    "owner_org_number" TEXT NOT NULL,
    "upstream_url" TEXT NOT NULL,
    "required_scopes" TEXT[],
    "consent_resources" TEXT[],
    "required_action" TEXT NOT NULL DEFAULT 'consent',
    "consent_source" TEXT NOT NULL DEFAULT 'local',
    "audience" TEXT,
    "subject_in" TEXT,
    "subject_name" TEXT,
    "timeout_ms" INTEGER NOT NULL DEFAULT 30000,
    "max_body_bytes" BIGINT NOT NULL DEFAULT 104857600,
    "rate_limit" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "protected_apis_pkey" PRIMARY KEY ("name")
);
CREATE INDEX "protected_apis_owner_org_number_idx" ON "protected_apis"("owner_org_number");

-- webhooks
CREATE TABLE "webhook_subscriptions" (
    "id" UUID NOT NULL,
    "org_number" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "event_types" TEXT[],
    "secret" TEXT NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "failure_count" INTEGER NOT NULL DEFAULT 0,
    "disabled_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "webhook_subscriptions_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "webhook_subscriptions_org_number_idx" ON "webhook_subscriptions"("org_number");

CREATE TABLE "webhook_deliveries" (
    "id" UUID NOT NULL,
    "subscription_id" UUID NOT NULL,
    "event_id" UUID NOT NULL,
    "payload" JSONB NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_status_code" INTEGER,
    "last_error" TEXT,
    "delivered_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "webhook_deliveries_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "webhook_deliveries_subscription_id_event_id_key" ON "webhook_deliveries"("subscription_id", "event_id");
CREATE INDEX "webhook_deliveries_status_next_attempt_at_idx" ON "webhook_deliveries"("status", "next_attempt_at");
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_subscription_id_fkey" FOREIGN KEY ("subscription_id") REFERENCES "webhook_subscriptions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- access requests
CREATE TABLE "access_requests" (
    "id" UUID NOT NULL,
    "consumer_org_number" TEXT NOT NULL,
    "owner_org_number" TEXT NOT NULL,
    "resource_identifier" TEXT NOT NULL,
    "scopes" TEXT[],
    "message" TEXT NOT NULL DEFAULT '',
    "status" TEXT NOT NULL DEFAULT 'pending',
    "reason" TEXT,
    "access_list_id" UUID,
    "open_key" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "access_requests_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "access_requests_open_key_key" ON "access_requests"("open_key");
CREATE INDEX "access_requests_consumer_org_number_idx" ON "access_requests"("consumer_org_number");
CREATE INDEX "access_requests_owner_org_number_idx" ON "access_requests"("owner_org_number");

-- portal
CREATE TABLE "portal_sessions" (
    "id" TEXT NOT NULL,
    "person_id" TEXT,
    "csrf_token" TEXT NOT NULL,
    "oidc" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "portal_sessions_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "portal_sessions_expires_at_idx" ON "portal_sessions"("expires_at");
