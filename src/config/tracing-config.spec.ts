import { describe, expect, it } from '@jest/globals';
import { ConfigError } from './config-error.js';
import { loadConfig } from './load-config.js';
import { loadTracingConfig } from './tracing-config.js';

describe('loadTracingConfig (the standard OTEL_* variables)', () => {
  it('is off without an OTLP endpoint, whatever else is set', () => {
    expect(loadTracingConfig({ OTEL_SERVICE_NAME: 'x', OTEL_TRACES_SAMPLER: 'always_on' })).toBeNull();
    expect(loadConfig({ NODE_ENV: 'test' }).tracing).toBeNull();
  });

  it('is off when the SDK is disabled or the exporter is none', () => {
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' };
    expect(loadTracingConfig({ ...endpoint, OTEL_SDK_DISABLED: 'true' })).toBeNull();
    expect(loadTracingConfig({ ...endpoint, OTEL_TRACES_EXPORTER: 'none' })).toBeNull();
  });

  it('has the specification’s defaults', () => {
    expect(loadTracingConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' })).toEqual({
      url: 'http://collector:4318/v1/traces',
      protocol: 'http/protobuf',
      headers: {},
      timeoutMs: 10_000,
      serviceName: 'consent-gateway',
      resourceAttributes: {},
      sampler: 'parentbased_always_on',
      ratio: 1,
      batch: {
        scheduledDelayMillis: 5000,
        exportTimeoutMillis: 30_000,
        maxQueueSize: 2048,
        maxExportBatchSize: 512,
      },
    });
  });

  it('uses a traces endpoint as it is, and reads headers, resource, sampler and batch settings', () => {
    const c = loadTracingConfig({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://ignored:4318',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://otlp.example.com/custom/traces',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=abc%3D%3D, tenant=t1',
      OTEL_RESOURCE_ATTRIBUTES: 'service.name=from-resource,deployment.environment.name=prod',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
      OTEL_BSP_SCHEDULE_DELAY: '200',
    })!;
    expect(c).toMatchObject({
      url: 'https://otlp.example.com/custom/traces',
      protocol: 'http/json',
      headers: { 'x-api-key': 'abc==', tenant: 't1' },
      serviceName: 'from-resource',
      resourceAttributes: { 'deployment.environment.name': 'prod' },
      sampler: 'parentbased_traceidratio',
      ratio: 0.25,
      batch: { scheduledDelayMillis: 200 },
    });
  });

  it.each([
    ['OTEL_EXPORTER_OTLP_ENDPOINT', 'collector:4318', 'must use http: or https:'],
    ['OTEL_EXPORTER_OTLP_PROTOCOL', 'grpc', 'gRPC is not built in'],
    ['OTEL_TRACES_SAMPLER', 'sometimes', 'must be one of'],
    ['OTEL_TRACES_SAMPLER_ARG', '2', 'between 0 and 1'],
    ['OTEL_BSP_SCHEDULE_DELAY', 'soon', 'must be an integer'],
    ['OTEL_EXPORTER_OTLP_HEADERS', 'just-a-value', 'key=value'],
  ])('refuses %s=%s, naming the variable', (name, value, message) => {
    const env: Record<string, string> = {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_TRACES_SAMPLER: 'traceidratio',
      [name]: value,
    };
    expect(() => loadTracingConfig(env)).toThrow(ConfigError);
    expect(() => loadTracingConfig(env)).toThrow(new RegExp(`${name}.*${message}`));
  });

  it('reports every invalid variable at once, also through loadConfig', () => {
    const env = {
      NODE_ENV: 'test',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318',
      OTEL_TRACES_SAMPLER: 'sometimes',
      PORT: '70000',
    };
    expect(() => loadConfig(env)).toThrow(
      expect.objectContaining({
        problems: [
          expect.stringMatching(/^PORT /),
          expect.stringMatching(/^OTEL_EXPORTER_OTLP_ENDPOINT /),
          expect.stringMatching(/^OTEL_TRACES_SAMPLER /),
        ],
      }),
    );
  });

  it('never repeats a header value in its message (headers carry API keys)', () => {
    expect(() =>
      loadTracingConfig({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318',
        OTEL_EXPORTER_OTLP_HEADERS: 'k=%E0%A4%A',
      }),
    ).toThrow(/^(?!.*%E0).*badly percent-encoded value for "k"/);
  });
});
