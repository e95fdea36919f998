/**
 * OpenTelemetry tracing settings (issue 19), read from the standard `OTEL_*` variables of the
 * OpenTelemetry specification ("Environment Variable Specification" and "OTLP Exporter
 * Configuration"), so a collector set-up that works for other services works here unchanged.
 * Tracing is on only when an OTLP endpoint is set; everything else has the specification's
 * defaults. Validated here like every other setting, and handed to the SDK explicitly.
 */
import type { TracingConfig, TracingSampler } from './app-config.js';
import { ConfigError, type Env } from './config-error.js';
import { collector, int, str } from './env-values.js';

const SAMPLERS: readonly TracingSampler[] = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
];

function httpUrl(name: string, raw: string): URL {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new ConfigError(name, `must be an absolute URL, got "${raw}"`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new ConfigError(name, `must use http: or https:, got "${raw}"`);
  return u;
}

/**
 * `key=value` lists (W3C Baggage form, values percent-encoded), as OTEL_EXPORTER_OTLP_HEADERS and
 * OTEL_RESOURCE_ATTRIBUTES take them. The message never repeats a value: headers carry API keys.
 */
export function parseKeyValueList(name: string, raw: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (raw === undefined) return out;
  for (const item of raw.split(',')) {
    if (item.trim() === '') continue;
    const eq = item.indexOf('=');
    const key = eq > 0 ? item.slice(0, eq).trim() : '';
    if (!key) throw new ConfigError(name, 'must be a comma-separated list of key=value');
    try {
      out[key] = decodeURIComponent(item.slice(eq + 1).trim());
    } catch {
      throw new ConfigError(name, `has a badly percent-encoded value for "${key}"`);
    }
  }
  return out;
}

function protocol(env: Env): TracingConfig['protocol'] {
  const name = str(env, 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL')
    ? 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL'
    : 'OTEL_EXPORTER_OTLP_PROTOCOL';
  const raw = str(env, name) ?? 'http/protobuf';
  if (raw === 'http/protobuf' || raw === 'http/json') return raw;
  throw new ConfigError(
    name,
    `must be http/protobuf or http/json (gRPC is not built in: use the collector's OTLP/HTTP port, usually 4318), got "${raw}"`,
  );
}

function sampler(env: Env): { sampler: TracingSampler; ratio: number } {
  const raw = str(env, 'OTEL_TRACES_SAMPLER') ?? 'parentbased_always_on';
  if (!(SAMPLERS as readonly string[]).includes(raw))
    throw new ConfigError('OTEL_TRACES_SAMPLER', `must be one of ${SAMPLERS.join(', ')}, got "${raw}"`);
  const argRaw = str(env, 'OTEL_TRACES_SAMPLER_ARG');
  const ratio = argRaw === undefined ? 1 : Number(argRaw);
  if (raw.endsWith('traceidratio') && !(ratio >= 0 && ratio <= 1))
    throw new ConfigError('OTEL_TRACES_SAMPLER_ARG', `must be a number between 0 and 1, got "${argRaw}"`);
  return { sampler: raw as TracingSampler, ratio };
}

/**
 * The tracing settings, or null when tracing is off (no endpoint, or switched off explicitly).
 * Every invalid variable is reported at once (ConfigError.all), like the rest of the settings.
 */
export function loadTracingConfig(env: Env): TracingConfig | null {
  const tracesEndpoint = str(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  const endpoint = str(env, 'OTEL_EXPORTER_OTLP_ENDPOINT');
  if (tracesEndpoint === undefined && endpoint === undefined) return null;
  if (str(env, 'OTEL_SDK_DISABLED')?.toLowerCase() === 'true') return null;
  if (str(env, 'OTEL_TRACES_EXPORTER') === 'none') return null;
  const errors: ConfigError[] = [];
  const ok = collector(errors);
  const exporter = str(env, 'OTEL_TRACES_EXPORTER') ?? 'otlp';
  if (exporter !== 'otlp')
    errors.push(new ConfigError('OTEL_TRACES_EXPORTER', `must be otlp or none, got "${exporter}"`));
  // The specification: a signal-specific endpoint is used as is; the general one gets /v1/traces.
  const url = ok(
    () =>
      tracesEndpoint !== undefined
        ? httpUrl('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', tracesEndpoint).href
        : `${httpUrl('OTEL_EXPORTER_OTLP_ENDPOINT', endpoint!).href.replace(/\/+$/, '')}/v1/traces`,
    '',
  );
  const keyValues = (name: string) => ok(() => parseKeyValueList(name, str(env, name)), {});
  const integer = (name: string, def: number, min: number, max: number) =>
    ok(() => int(env, name, def, min, max), def);
  const resource = keyValues('OTEL_RESOURCE_ATTRIBUTES');
  const timeoutMs = integer('OTEL_EXPORTER_OTLP_TIMEOUT', 10_000, 1, 600_000);
  const maxExportBatchSize = integer('OTEL_BSP_MAX_EXPORT_BATCH_SIZE', 512, 1, 100_000);
  const config: TracingConfig = {
    url,
    protocol: ok(() => protocol(env), 'http/protobuf'),
    headers: {
      ...keyValues('OTEL_EXPORTER_OTLP_HEADERS'),
      ...keyValues('OTEL_EXPORTER_OTLP_TRACES_HEADERS'),
    },
    timeoutMs: integer('OTEL_EXPORTER_OTLP_TRACES_TIMEOUT', timeoutMs, 1, 600_000),
    serviceName: str(env, 'OTEL_SERVICE_NAME') ?? resource['service.name'] ?? 'consent-gateway',
    resourceAttributes: resource,
    ...ok(() => sampler(env), { sampler: 'parentbased_always_on' as const, ratio: 1 }),
    batch: {
      scheduledDelayMillis: integer('OTEL_BSP_SCHEDULE_DELAY', 5000, 1, 600_000),
      exportTimeoutMillis: integer('OTEL_BSP_EXPORT_TIMEOUT', 30_000, 1, 600_000),
      maxQueueSize: Math.max(integer('OTEL_BSP_MAX_QUEUE_SIZE', 2048, 1, 1_000_000), maxExportBatchSize),
      maxExportBatchSize,
    },
  };
  if (errors.length) throw ConfigError.all(errors);
  return config;
}
