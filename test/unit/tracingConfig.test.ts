import { describe, expect, it } from '@jest/globals';

import { loadConfig } from '../../src/config/loadConfig';

const tracing = (env: Record<string, string>) => loadConfig(env).tracing;
const problems = (env: Record<string, string>): string => {
  try {
    loadConfig(env);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('the configuration was accepted');
};

describe('loadConfig: tracing (OTEL_*)', () => {
  it('is off when no OTLP endpoint is set, and says why', () => {
    const config = tracing({ OTEL_SERVICE_NAME: 'ignored-while-off' });
    expect(config).toMatchObject({
      enabled: false,
      offBecause: 'no OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set',
      endpoint: undefined,
    });
  });

  it('sends to <OTEL_EXPORTER_OTLP_ENDPOINT>/v1/traces with the defaults', () => {
    const config = tracing({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' });
    expect(config).toMatchObject({
      enabled: true,
      offBecause: undefined,
      endpoint: 'http://collector:4318/v1/traces',
      exportHeaderNames: [],
      exportTimeoutMs: 10_000,
      serviceName: 'onelogin-events-gateway',
      resourceAttributes: {},
      sampler: { name: 'parentbased_always_on', ratio: 1 },
      // A caller's traceparent is linked, not continued, unless TRACING_CONTINUE_TRACEPARENT says so.
      continueTraceparent: false,
      batch: {
        scheduleDelayMs: 5000,
        exportTimeoutMs: 30_000,
        maxQueueSize: 2048,
        maxExportBatchSize: 512,
      },
    });
    expect(tracing({ OTEL_EXPORTER_OTLP_ENDPOINT: 'https://otlp.example.com/otlp' }).endpoint).toBe(
      'https://otlp.example.com/otlp/v1/traces',
    );
  });

  it('uses OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as it is, before the general one', () => {
    expect(
      tracing({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://traces:9999/custom',
      }).endpoint,
    ).toBe('http://traces:9999/custom');
  });

  it.each([
    [{ OTEL_SDK_DISABLED: 'true' }, 'OTEL_SDK_DISABLED=true'],
    [{ OTEL_TRACES_EXPORTER: 'none' }, 'OTEL_TRACES_EXPORTER=none'],
  ])('is off with %j even with an endpoint', (env, reason) => {
    expect(tracing({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', ...env })).toMatchObject(
      { enabled: false, offBecause: reason },
    );
  });

  it('keeps the export headers out of the configuration’s printed form', () => {
    const config = tracing({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_EXPORTER_OTLP_HEADERS: 'Authorization=Bearer%20s3cret-value,x-tenant=acme',
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x-tenant=traces',
    });
    expect(config.exportHeaders()).toEqual({
      authorization: 'Bearer s3cret-value',
      'x-tenant': 'traces',
    });
    expect(config.exportHeaderNames).toEqual(['authorization', 'x-tenant']);
    expect(JSON.stringify(config)).not.toContain('s3cret-value');
  });

  it('reports malformed export headers without quoting them', () => {
    const message = problems({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_EXPORTER_OTLP_HEADERS: 'api-key=fine,s3cret-without-a-name',
    });
    expect(message).toContain(
      'OTEL_EXPORTER_OTLP_HEADERS must be comma-separated name=value pairs (values URL-encoded); entry 2 is not.',
    );
    expect(message).not.toContain('s3cret');
  });

  it('takes the service name from OTEL_SERVICE_NAME, then OTEL_RESOURCE_ATTRIBUTES', () => {
    const env = {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_RESOURCE_ATTRIBUTES:
        'service.name=from-attributes,deployment.environment.name=prod%20eu',
    };
    expect(tracing(env)).toMatchObject({
      serviceName: 'from-attributes',
      resourceAttributes: { 'deployment.environment.name': 'prod eu' },
    });
    expect(tracing({ ...env, OTEL_SERVICE_NAME: 'events-gateway' }).serviceName).toBe(
      'events-gateway',
    );
  });

  it('continues callers’ traceparent only with TRACING_CONTINUE_TRACEPARENT=true', () => {
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' };
    expect(tracing({ ...env, TRACING_CONTINUE_TRACEPARENT: 'true' }).continueTraceparent).toBe(
      true,
    );
    expect(tracing({ ...env, TRACING_CONTINUE_TRACEPARENT: 'false' }).continueTraceparent).toBe(
      false,
    );
  });

  it('reads the sampler and its ratio', () => {
    expect(
      tracing({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '0.25',
      }).sampler,
    ).toEqual({ name: 'parentbased_traceidratio', ratio: 0.25 });
  });

  it.each([
    [
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' },
      'OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL',
    ],
    [{ OTEL_TRACES_SAMPLER: 'jaeger_remote' }, 'OTEL_TRACES_SAMPLER must be one of'],
    [
      { OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '1.5' },
      'OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1 (got "1.5")',
    ],
    [{ OTEL_TRACES_EXPORTER: 'zipkin' }, 'OTEL_TRACES_EXPORTER must be otlp or none'],
    [
      { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' },
      'OTEL_EXPORTER_OTLP_PROTOCOL must be http/json or http/protobuf',
    ],
    [{ OTEL_BSP_SCHEDULE_DELAY: 'soon' }, 'OTEL_BSP_SCHEDULE_DELAY must be a whole number'],
    [
      { OTEL_BSP_MAX_QUEUE_SIZE: '10', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '20' },
      'OTEL_BSP_MAX_EXPORT_BATCH_SIZE (20) must not exceed OTEL_BSP_MAX_QUEUE_SIZE (10)',
    ],
  ])('refuses %j', (env, message) => {
    expect(problems({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', ...env })).toContain(
      message,
    );
  });
});
