/**
 * Typed configuration, parsed and validated once at boot from the environment (DESIGN §5, §10).
 * Nothing outside `src/config/` reads `process.env`: everything gets an `AppConfig` injected.
 */
export type NodeEnv = 'development' | 'production' | 'test';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface TrustedIssuer {
  /** Exact `iss` value, e.g. `https://test.maskinporten.no/`. */
  issuer: string;
  jwksUrl: string;
}

export interface AppConfig {
  port: number;
  host: string;
  /** Unset → embedded PGlite in `dataDir`. */
  databaseUrl?: string;
  dataDir: string;
  /** Base URL without trailing slash; the built-in issuer is `${publicUrl}/`. */
  publicUrl: string;
  nodeEnv: NodeEnv;
  logLevel: LogLevel;
  trustedIssuers: TrustedIssuer[];
  jwksTtlSeconds: number;
  jwksMaxStaleSeconds: number;
  jwksFetchTimeoutMs: number;
  /** Largest accepted JWKS document in bytes (DESIGN §10: 64 KiB). */
  jwksMaxBytes: number;
  /** At most one JWKS refresh per issuer per this many seconds when an unknown `kid` shows up. */
  jwksMinRefreshIntervalSeconds: number;
  maxTokenLifetimeSeconds: number;
  clockSkewSeconds: number;
  /** Largest accepted bearer token in bytes (8 KiB). */
  maxTokenBytes: number;
  /** JSON body limit (1 MiB). */
  bodyLimitBytes: number;
  /** AES-GCM key material for signing keys at rest; required in production. */
  keyEncryptionSecret?: string;
  /** Lifetime of tokens from `npm run token` and default issued tokens, seconds. */
  defaultAccessTokenTtlSeconds: number;
  tokenRateLimitPerSecond: number;
  oidc: {
    issuer?: string;
    clientId?: string;
    clientSecret?: string;
    acrValues?: string;
    redirectUri?: string;
  };
  sessionTtlSeconds: number;
  /** The admin login: OAuth2 authorization code + PKCE for people acting for an organisation. */
  adminLogin: AdminLoginConfig;
  /** The longest the expiry sweeper sleeps (it also wakes at the next `validTo` and on consent changes). */
  expirySweepIntervalMs: number;
  /** Days before `validTo` an accepted consent gets its `expiring` event; 0 = no reminders. */
  expiryReminderDays: number;
  /** Events per page of the consent events feed (Altinn's `EventsPageSize`, 100). */
  consentEventsPageSize: number;
  /** The longest the webhook worker sleeps (it also wakes at the next due attempt and on changes). */
  webhookPollIntervalMs: number;
  shutdownGraceMs: number;
  /** The longest a client may take to send a request's header block (RT4-8); bodies are not capped. */
  headersTimeoutMs: number;
  /** The gateway's usage log (issue 21); off only for the bench's comparison, never in production. */
  gatewayUsageLog: boolean;
  /** Who runs this service, shown in the portal's header and footer (issue 21). */
  portal: PortalOperatorConfig;
  /** OpenTelemetry span export (issue 19); null = off, and no OpenTelemetry code is loaded. */
  tracing: TracingConfig | null;
}

export type TracingSampler =
  | 'always_on'
  | 'always_off'
  | 'traceidratio'
  | 'parentbased_always_on'
  | 'parentbased_always_off'
  | 'parentbased_traceidratio';

/** The standard `OTEL_*` variables this service reads (src/config/tracing-config.ts). */
export interface TracingConfig {
  /** Where spans are POSTed: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, or OTEL_EXPORTER_OTLP_ENDPOINT + `/v1/traces`. */
  url: string;
  protocol: 'http/protobuf' | 'http/json';
  /** Sent with every export (e.g. a collector's API key); never logged. */
  headers: Record<string, string>;
  timeoutMs: number;
  serviceName: string;
  /** OTEL_RESOURCE_ATTRIBUTES. */
  resourceAttributes: Record<string, string>;
  sampler: TracingSampler;
  /** OTEL_TRACES_SAMPLER_ARG for the ratio samplers. */
  ratio: number;
  /** The batch span processor (OTEL_BSP_*). */
  batch: {
    scheduledDelayMillis: number;
    exportTimeoutMillis: number;
    maxQueueSize: number;
    maxExportBatchSize: number;
  };
}

/** The portal's operator identity; anything unset falls back to neutral defaults in nb/nn/en. */
export interface PortalOperatorConfig {
  operatorName?: string;
  operatorUrl?: string;
  /** An SVG or PNG file served at `/consent/assets/logo` and shown in the header. */
  logoFile?: string;
  contactEmail?: string;
  contactUrl?: string;
  /** The operator's own privacy statement; unset → the portal's built-in page. */
  privacyUrl?: string;
  /** The operator's own accessibility statement (e.g. on uustatus.no); unset → the built-in page. */
  accessibilityUrl?: string;
}

/** A public OAuth2 client of the admin login (no secret: PKCE protects its codes). */
export interface PublicClient {
  clientId: string;
  /** Exact redirect URIs (compared character by character). */
  redirectUris: string[];
}

export interface AdminLoginConfig {
  /** Org number of the platform operator: its administrators get `consentgw:admin`. */
  operatorOrgNumber?: string;
  /** Roles that make a person an administrator of an organisation (Altinn's HADM, ADMAI). */
  roles: string[];
  tokenTtlSeconds: number;
  codeTtlSeconds: number;
  clients: PublicClient[];
}

export const APP_CONFIG = Symbol('APP_CONFIG');
