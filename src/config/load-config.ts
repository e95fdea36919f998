import path from 'node:path';
import { loadAdminLoginConfig } from './admin-login-config.js';
import type { AppConfig, LogLevel, NodeEnv, PortalOperatorConfig, TrustedIssuer } from './app-config.js';
import { ConfigError, type Env } from './config-error.js';
import { collector, int, str } from './env-values.js';
import { loadTracingConfig } from './tracing-config.js';

/** JSON bodies at most 1 MiB (DESIGN §10); fixed, so the HTTP adapter can be built before the app. */
export const BODY_LIMIT_BYTES = 1024 * 1024;
/**
 * How often Node's HTTP servers look for connections past HEADERS_TIMEOUT_MS (its
 * `connectionsCheckingInterval`, fixed when a server is created; Node's default is 30 s): a
 * header trickle is cut at most this long after its limit (RT4-8). The check walks only the
 * connections still receiving a request, so once a second costs nothing measurable.
 */
export const HEADERS_CHECK_INTERVAL_MS = 1000;

export { ConfigError, type Env } from './config-error.js';

function url(name: string, raw: string, schemes = ['http:', 'https:']): URL {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new ConfigError(name, `must be an absolute URL, got "${raw}"`);
  }
  if (!schemes.includes(u.protocol))
    throw new ConfigError(name, `must use ${schemes.join(' or ')}, got "${raw}"`);
  return u;
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], def: T): T {
  const raw = str(env, name);
  if (raw === undefined) return def;
  if (!(allowed as readonly string[]).includes(raw))
    throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got "${raw}"`);
  return raw as T;
}

/**
 * GATEWAY_USAGE_LOG=off stops the gateway's usage log (issue 21), so the bench can measure what
 * the log costs on the hot path. Never in production: there every use of a consent is recorded.
 */
function usageLog(env: Env, nodeEnv: NodeEnv): boolean {
  const on = oneOf(env, 'GATEWAY_USAGE_LOG', ['on', 'off'], 'on') === 'on';
  if (!on && nodeEnv === 'production')
    throw new ConfigError(
      'GATEWAY_USAGE_LOG',
      'cannot be off when NODE_ENV=production (it is for measurements)',
    );
  return on;
}

/** `issuer|jwksUrl` pairs separated by commas (DESIGN §10). */
export function parseTrustedIssuers(raw: string | undefined): TrustedIssuer[] {
  if (!raw) return [];
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((pair) => {
      const parts = pair.split('|');
      if (parts.length !== 2 || !parts[0] || !parts[1])
        throw new ConfigError('TRUSTED_ISSUERS', `entries must be "issuer|jwksUrl", got "${pair}"`);
      url('TRUSTED_ISSUERS', parts[0]);
      url('TRUSTED_ISSUERS', parts[1]);
      return { issuer: parts[0], jwksUrl: parts[1] };
    });
}

function optionalUrl(env: Env, name: string): string | undefined {
  const raw = str(env, name);
  if (raw !== undefined) url(name, raw);
  return raw;
}

function loadPortalOperator(env: Env): PortalOperatorConfig {
  const logoFile = str(env, 'PORTAL_OPERATOR_LOGO_FILE');
  if (logoFile !== undefined && !/\.(svg|png)$/i.test(logoFile))
    throw new ConfigError('PORTAL_OPERATOR_LOGO_FILE', `must name an .svg or .png file, got "${logoFile}"`);
  const contactEmail = str(env, 'PORTAL_CONTACT_EMAIL');
  if (contactEmail !== undefined && !/^[^\s@<>"]+@[^\s@<>"]+\.[^\s@<>"]+$/.test(contactEmail))
    throw new ConfigError('PORTAL_CONTACT_EMAIL', `must be an e-mail address, got "${contactEmail}"`);
  return {
    operatorName: str(env, 'PORTAL_OPERATOR_NAME'),
    operatorUrl: optionalUrl(env, 'PORTAL_OPERATOR_URL'),
    logoFile: logoFile === undefined ? undefined : path.resolve(logoFile),
    contactEmail,
    contactUrl: optionalUrl(env, 'PORTAL_CONTACT_URL'),
    privacyUrl: optionalUrl(env, 'PORTAL_PRIVACY_URL'),
    accessibilityUrl: optionalUrl(env, 'PORTAL_ACCESSIBILITY_URL'),
  };
}

export function loadConfig(env: Env = process.env): AppConfig {
  const errors: ConfigError[] = [];
  const ok = collector(errors);
  const nodeEnv = ok(
    () => oneOf<NodeEnv>(env, 'NODE_ENV', ['development', 'production', 'test'], 'development'),
    'development',
  );
  const port = ok(() => int(env, 'PORT', 8080, 0, 65535), 8080);
  const host = str(env, 'HOST') ?? '0.0.0.0';
  const databaseUrl = str(env, 'DATABASE_URL');
  if (databaseUrl) ok(() => url('DATABASE_URL', databaseUrl, ['postgres:', 'postgresql:']), undefined);
  const publicUrlRaw = str(env, 'PUBLIC_URL') ?? `http://localhost:${port || 8080}`;
  ok(() => url('PUBLIC_URL', publicUrlRaw), undefined);
  const publicUrl = publicUrlRaw.replace(/\/+$/, '');
  const keyEncryptionSecret = str(env, 'KEY_ENCRYPTION_SECRET');
  if (keyEncryptionSecret !== undefined && keyEncryptionSecret.length < 16)
    errors.push(new ConfigError('KEY_ENCRYPTION_SECRET', 'must be at least 16 characters'));
  if (nodeEnv === 'production' && !keyEncryptionSecret)
    errors.push(new ConfigError('KEY_ENCRYPTION_SECRET', 'is required when NODE_ENV=production'));
  if (nodeEnv === 'production' && !databaseUrl)
    errors.push(
      new ConfigError(
        'DATABASE_URL',
        'is required when NODE_ENV=production (the embedded database is for development)',
      ),
    );
  const config = buildConfig(env, ok, { nodeEnv, port, host, databaseUrl, publicUrl, keyEncryptionSecret });
  if (errors.length) throw ConfigError.all(errors);
  return config;
}

function buildConfig(
  env: Env,
  ok: ReturnType<typeof collector>,
  base: Pick<AppConfig, 'nodeEnv' | 'port' | 'host' | 'databaseUrl' | 'publicUrl' | 'keyEncryptionSecret'>,
): AppConfig {
  const { nodeEnv, port, host, databaseUrl, publicUrl, keyEncryptionSecret } = base;
  const integer = (name: string, def: number, min: number, max: number) =>
    ok(() => int(env, name, def, min, max), def);
  const maxTokenLifetimeSeconds = integer('MAX_TOKEN_LIFETIME_SECONDS', 3600, 60, 86400);
  return {
    port,
    host,
    databaseUrl,
    dataDir:
      str(env, 'DATA_DIR') === 'memory://' ? 'memory://' : path.resolve(str(env, 'DATA_DIR') ?? './data'),
    publicUrl,
    nodeEnv,
    logLevel: ok(
      () =>
        oneOf<LogLevel>(
          env,
          'LOG_LEVEL',
          ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
          nodeEnv === 'test' ? 'silent' : 'info',
        ),
      'info',
    ),
    trustedIssuers: ok(() => parseTrustedIssuers(str(env, 'TRUSTED_ISSUERS')), []),
    jwksTtlSeconds: integer('JWKS_TTL_SECONDS', 300, 1, 86400),
    jwksMaxStaleSeconds: integer('JWKS_MAX_STALE_SECONDS', 86400, 0, 7 * 86400),
    jwksFetchTimeoutMs: integer('JWKS_FETCH_TIMEOUT_MS', 3000, 100, 60000),
    jwksMaxBytes: 64 * 1024,
    jwksMinRefreshIntervalSeconds: integer('JWKS_MIN_REFRESH_INTERVAL_SECONDS', 30, 0, 3600),
    maxTokenLifetimeSeconds,
    clockSkewSeconds: 30,
    maxTokenBytes: 8 * 1024,
    bodyLimitBytes: BODY_LIMIT_BYTES,
    keyEncryptionSecret,
    defaultAccessTokenTtlSeconds: integer('ACCESS_TOKEN_TTL_SECONDS', 120, 10, 3600),
    tokenRateLimitPerSecond: integer('TOKEN_RATE_LIMIT_PER_SECOND', 50, 1, 100000),
    oidc: {
      issuer: str(env, 'OIDC_ISSUER'),
      clientId: str(env, 'OIDC_CLIENT_ID'),
      clientSecret: str(env, 'OIDC_CLIENT_SECRET'),
      acrValues: str(env, 'OIDC_ACR_VALUES'),
      redirectUri: str(env, 'OIDC_REDIRECT_URI'),
    },
    sessionTtlSeconds: integer('SESSION_TTL_SECONDS', 1800, 60, 86400),
    adminLogin: ok(
      () => loadAdminLoginConfig(env, publicUrl, nodeEnv, maxTokenLifetimeSeconds),
      undefined as unknown as AppConfig['adminLogin'],
    ),
    expirySweepIntervalMs: integer('EXPIRY_SWEEP_INTERVAL_MS', 30000, 50, 3600000),
    expiryReminderDays: integer('EXPIRY_REMINDER_DAYS', 0, 0, 365),
    consentEventsPageSize: integer('CONSENT_EVENTS_PAGE_SIZE', 100, 1, 1000),
    webhookPollIntervalMs: integer('WEBHOOK_POLL_INTERVAL_MS', 10000, 50, 3600000),
    shutdownGraceMs: integer('SHUTDOWN_GRACE_MS', 10000, 0, 120000),
    headersTimeoutMs: integer('HEADERS_TIMEOUT_MS', 15000, 100, 120000),
    gatewayUsageLog: ok(() => usageLog(env, nodeEnv), true),
    portal: ok(() => loadPortalOperator(env), {}),
    tracing: ok(() => loadTracingConfig(env), null),
  };
}
