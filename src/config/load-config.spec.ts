import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig, parseTrustedIssuers } from './load-config.js';

describe('loadConfig', () => {
  it('reads the portal operator settings, all optional', () => {
    expect(loadConfig({}).portal).toEqual({
      operatorName: undefined,
      operatorUrl: undefined,
      logoFile: undefined,
      contactEmail: undefined,
      contactUrl: undefined,
      privacyUrl: undefined,
      accessibilityUrl: undefined,
    });
    const c = loadConfig({
      PORTAL_OPERATOR_NAME: 'Digitaliseringsdirektoratet',
      PORTAL_OPERATOR_URL: 'https://www.digdir.no/',
      PORTAL_OPERATOR_LOGO_FILE: 'branding/logo.svg',
      PORTAL_CONTACT_EMAIL: 'servicedesk@digdir.no',
      PORTAL_ACCESSIBILITY_URL: 'https://uustatus.no/nb/erklaringer/publisert/x',
    });
    expect(c.portal).toMatchObject({
      operatorName: 'Digitaliseringsdirektoratet',
      operatorUrl: 'https://www.digdir.no/',
      contactEmail: 'servicedesk@digdir.no',
      accessibilityUrl: 'https://uustatus.no/nb/erklaringer/publisert/x',
    });
    expect(c.portal.logoFile).toMatch(/^\/.*\/branding\/logo\.svg$/);
  });

  it('gives development defaults when nothing is set', () => {
    const c = loadConfig({});
    expect(c.port).toBe(8080);
    expect(c.databaseUrl).toBeUndefined();
    expect(c.publicUrl).toBe('http://localhost:8080');
    expect(c.nodeEnv).toBe('development');
    expect(c.jwksTtlSeconds).toBe(300);
    expect(c.jwksMaxStaleSeconds).toBe(86400);
    expect(c.jwksFetchTimeoutMs).toBe(3000);
    expect(c.maxTokenLifetimeSeconds).toBe(3600);
    expect(c.bodyLimitBytes).toBe(1024 * 1024);
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'mysql://x'],
    ['PUBLIC_URL', 'not a url'],
    ['NODE_ENV', 'staging'],
    ['LOG_LEVEL', 'loud'],
    ['JWKS_TTL_SECONDS', '-1'],
    ['TRUSTED_ISSUERS', 'https://a.example/'],
    ['KEY_ENCRYPTION_SECRET', 'short'],
    ['PORTAL_OPERATOR_URL', 'not a url'],
    ['PORTAL_PRIVACY_URL', 'javascript:alert(1)'],
    ['PORTAL_ACCESSIBILITY_URL', 'ftp://uustatus.example/'],
    ['PORTAL_CONTACT_URL', '/relative'],
    ['PORTAL_CONTACT_EMAIL', 'not an address'],
    ['PORTAL_OPERATOR_LOGO_FILE', '/etc/passwd'],
  ])('refuses %s=%s with an error naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(name));
  });

  it('requires KEY_ENCRYPTION_SECRET and DATABASE_URL in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', DATABASE_URL: 'postgresql://x/y' })).toThrow(
      /KEY_ENCRYPTION_SECRET/,
    );
    expect(() =>
      loadConfig({ NODE_ENV: 'production', KEY_ENCRYPTION_SECRET: 'a-long-enough-secret' }),
    ).toThrow(/DATABASE_URL/);
  });

  it('reports every problem at once, production settings included, each naming its variable', () => {
    let error: unknown;
    try {
      loadConfig({ NODE_ENV: 'production', PORT: 'abc', LOG_LEVEL: 'loud' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toBe(
      [
        'Invalid configuration (4 problems):',
        '  PORT must be an integer between 0 and 65535, got "abc"',
        '  KEY_ENCRYPTION_SECRET is required when NODE_ENV=production',
        '  DATABASE_URL is required when NODE_ENV=production (the embedded database is for development)',
        '  LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "loud"',
      ].join('\n'),
    );
  });

  it('records gateway usage unless GATEWAY_USAGE_LOG=off, which production refuses', () => {
    expect(loadConfig({}).gatewayUsageLog).toBe(true);
    expect(loadConfig({ GATEWAY_USAGE_LOG: 'off' }).gatewayUsageLog).toBe(false);
    expect(() => loadConfig({ GATEWAY_USAGE_LOG: 'no' })).toThrow(/GATEWAY_USAGE_LOG/);
    const production = {
      NODE_ENV: 'production',
      DATABASE_URL: 'postgresql://x/y',
      KEY_ENCRYPTION_SECRET: 'a-long-enough-secret',
    };
    expect(loadConfig(production).gatewayUsageLog).toBe(true);
    expect(() => loadConfig({ ...production, GATEWAY_USAGE_LOG: 'off' })).toThrow(
      /GATEWAY_USAGE_LOG.*cannot be off when NODE_ENV=production/,
    );
  });

  it('reads HEADERS_TIMEOUT_MS (15 s by default, 100 ms to 120 s), naming it when out of range (RT4-8)', () => {
    expect(loadConfig({}).headersTimeoutMs).toBe(15000);
    expect(loadConfig({ HEADERS_TIMEOUT_MS: '500' }).headersTimeoutMs).toBe(500);
    expect(() => loadConfig({ HEADERS_TIMEOUT_MS: '0' })).toThrow(/HEADERS_TIMEOUT_MS/);
    expect(() => loadConfig({ HEADERS_TIMEOUT_MS: 'soon' })).toThrow(/HEADERS_TIMEOUT_MS/);
    expect(() => loadConfig({ HEADERS_TIMEOUT_MS: '120001' })).toThrow(/HEADERS_TIMEOUT_MS/);
  });

  it('keeps the one-line message for a single problem', () => {
    expect(() => loadConfig({ PORT: 'abc' })).toThrow(
      new ConfigError('PORT', 'must be an integer between 0 and 65535, got "abc"'),
    );
    expect(() => loadConfig({ PORT: 'abc' })).toThrow(/^Invalid configuration: PORT must be an integer/);
  });

  it('strips the trailing slash of PUBLIC_URL so the issuer is PUBLIC_URL plus one slash', () => {
    expect(loadConfig({ PUBLIC_URL: 'https://consent.example/' }).publicUrl).toBe('https://consent.example');
  });

  it('parses TRUSTED_ISSUERS as issuer|jwksUrl pairs', () => {
    expect(
      parseTrustedIssuers(
        'https://test.maskinporten.no/|https://test.maskinporten.no/jwk, https://b.example/|https://b.example/jwks',
      ),
    ).toEqual([
      { issuer: 'https://test.maskinporten.no/', jwksUrl: 'https://test.maskinporten.no/jwk' },
      { issuer: 'https://b.example/', jwksUrl: 'https://b.example/jwks' },
    ]);
  });
});
