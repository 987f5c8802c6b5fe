/**
 * Tracing when it is on (see tracing.ts, which loads this module only then):
 * the gateway's own tracer provider, its sampler, and the OTLP/HTTP exporter
 * (JSON or protobuf) with its failures reported to the log.
 */
import type http from 'node:http';

import type { Attributes, SpanOptions, TextMapGetter } from '@opentelemetry/api';
import {
  defaultTextMapSetter,
  isSpanContextValid,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { ExportResultCode, W3CTraceContextPropagator } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OTLPProtobufTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableSpan, Sampler, SpanExporter } from '@opentelemetry/sdk-trace-node';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  NodeTracerProvider,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace-node';
import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_SERVICE_NAME,
  ATTR_URL_PATH,
  ATTR_URL_SCHEME,
} from '@opentelemetry/semantic-conventions';

import type { TracingConfig } from '../config/loadConfig';
import type { Logger } from '../logging/createLogger';
import type {
  ClientCall,
  ClientSpan,
  OperationFacts,
  OperationOutcome,
  TraceParent,
  Tracing,
} from './tracing';
import { logFieldsOf } from './tracing';

/** How long stopping waits for the last spans to be sent. */
const SHUTDOWN_WAIT_MS = 5000;
/** An export failure is logged at most this often (with the number of failures since). */
const EXPORT_FAILURE_LOG_INTERVAL_MS = 60_000;

const headerGetter: TextMapGetter<http.IncomingHttpHeaders> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => carrier[key],
};

/** Tracing on: a tracer provider of this gateway's own exporting OTLP/HTTP to `config.endpoint`. */
export function startOpenTelemetryTracing(
  config: TracingConfig & { endpoint: string },
  logger: Logger,
): Tracing {
  const exporterOptions = {
    url: config.endpoint,
    headers: { ...config.exportHeaders() },
    timeoutMillis: config.exportTimeoutMs,
  };
  const exporter = new ReportingExporter(
    config.protocol === 'http/protobuf'
      ? new OTLPProtobufTraceExporter(exporterOptions)
      : new OTLPTraceExporter(exporterOptions),
    logger,
  );
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({
      ...config.resourceAttributes,
      [ATTR_SERVICE_NAME]: config.serviceName,
    }),
    sampler: samplerOf(config.sampler),
    spanProcessors: [
      new BatchSpanProcessor(exporter, {
        scheduledDelayMillis: config.batch.scheduleDelayMs,
        exportTimeoutMillis: config.batch.exportTimeoutMs,
        maxQueueSize: config.batch.maxQueueSize,
        maxExportBatchSize: config.batch.maxExportBatchSize,
      }),
    ],
  });
  logger.info(
    {
      tracing: 'on',
      endpoint: describeEndpoint(config.endpoint),
      serviceName: config.serviceName,
      sampler: config.sampler.name.endsWith('traceidratio')
        ? `${config.sampler.name} ${config.sampler.ratio}`
        : config.sampler.name,
      // Names only: the values are credentials.
      exportHeaders: config.exportHeaderNames,
    },
    `Tracing is on: OTLP/HTTP to ${describeEndpoint(config.endpoint)}`,
  );
  return new OpenTelemetryTracing(provider, config.continueTraceparent);
}

class OpenTelemetryTracing implements Tracing {
  readonly enabled = true;
  private readonly tracer;
  private readonly propagator = new W3CTraceContextPropagator();
  private stopped: Promise<void> | undefined;

  constructor(
    private readonly provider: NodeTracerProvider,
    private readonly continueTraceparent: boolean,
  ) {
    this.tracer = provider.getTracer('onelogin-events-gateway');
  }

  startRequest(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    route: string,
  ): TraceParent | undefined {
    // The caller's span, if it sent a valid `traceparent`: continued only when trusted
    // (TRACING_CONTINUE_TRACEPARENT), else linked from a trace of the request's own, so that
    // a client can neither decide that its requests are sampled nor join others' traces.
    const remote = this.propagator.extract(ROOT_CONTEXT, req.headers, headerGetter);
    const parent = this.continueTraceparent ? remote : ROOT_CONTEXT;
    const linked = this.continueTraceparent ? undefined : trace.getSpanContext(remote);
    const method = req.method ?? 'GET';
    const local = req.socket.localPort;
    const attributes: Attributes = {
      [ATTR_HTTP_REQUEST_METHOD]: method,
      [ATTR_HTTP_ROUTE]: route,
      // The path only: a GET's query string holds the document and its variables.
      [ATTR_URL_PATH]: route,
      [ATTR_URL_SCHEME]: 'http',
    };
    if (local !== undefined) attributes[ATTR_SERVER_PORT] = local;
    const span = this.tracer.startSpan(
      `${method} ${route}`,
      {
        kind: SpanKind.SERVER,
        attributes,
        ...(linked && isSpanContextValid(linked) ? { links: [{ context: linked }] } : {}),
      },
      parent,
    );
    // One listener: a response emits 'close' once it is sent or its connection is gone,
    // and only a response that was sent has `writableFinished`.
    res.once('close', () => {
      if (!span.isRecording()) return;
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, res.statusCode);
      if (!res.writableFinished) {
        span.setAttribute('error.type', 'aborted');
        span.setStatus({ code: SpanStatusCode.ERROR, message: 'the connection closed early' });
      } else if (res.statusCode >= 500) {
        span.setAttribute('error.type', String(res.statusCode));
        span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${res.statusCode}` });
      }
      span.end();
    });
    return trace.setSpan(ROOT_CONTEXT, span);
  }

  describeOperation(request: TraceParent | undefined, facts: OperationFacts): void {
    const span = request && trace.getSpan(request);
    if (!span) return;
    if (facts.type) span.setAttribute('graphql.operation.type', facts.type);
    if (facts.name) span.setAttribute('graphql.operation.name', facts.name);
    // OpenTelemetry's GraphQL name, `{type} {name}`: what a trace list should show.
    if (facts.type) span.updateName(facts.name ? `${facts.type} ${facts.name}` : facts.type);
  }

  recordOutcome(request: TraceParent | undefined, outcome: OperationOutcome): void {
    const span = request && trace.getSpan(request);
    if (!span) return;
    if (outcome.upstreamCalls !== undefined) {
      span.setAttribute('onelogin.calls', outcome.upstreamCalls);
    }
    if (outcome.errorCodes.length === 0) return;
    span.setAttribute('graphql.error.codes', [...outcome.errorCodes]);
    if (outcome.failed) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.errorCodes.join(', ') });
    }
  }

  async clientCall<T>(
    call: ClientCall,
    run: (span: ClientSpan) => Promise<T>,
    statusOf: (result: T) => number,
    errorType: (error: unknown) => string,
  ): Promise<T> {
    const options: SpanOptions = {
      kind: SpanKind.CLIENT,
      attributes: {
        [ATTR_HTTP_REQUEST_METHOD]: call.method,
        [ATTR_SERVER_ADDRESS]: call.origin.hostname,
        [ATTR_SERVER_PORT]:
          Number(call.origin.port) || (call.origin.protocol === 'https:' ? 443 : 80),
        [ATTR_URL_PATH]: call.path,
        'onelogin.route': call.route,
        'onelogin.attempt': call.attempt,
        ...(call.attempt > 1 ? { 'http.request.resend_count': call.attempt - 1 } : {}),
        ...(call.retryReason === undefined ? {} : { 'onelogin.retry_reason': call.retryReason }),
      },
    };
    const span = this.tracer.startSpan(call.route, options, call.parent ?? ROOT_CONTEXT);
    const handle: ClientSpan = {
      inject: (headers) => {
        const carrier: Record<string, string> = { ...headers };
        this.propagator.inject(trace.setSpan(ROOT_CONTEXT, span), carrier, defaultTextMapSetter);
        return carrier;
      },
      logFields: () => logFieldsOf(span),
    };
    try {
      const result = await run(handle);
      const status = statusOf(result);
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
      if (status >= 400) {
        span.setAttribute('error.type', String(status));
        span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${status}` });
      }
      return result;
    } catch (error) {
      // The kind of failure only: an error's message may hold an address or more.
      const type = errorType(error);
      span.setAttribute('error.type', type);
      span.setStatus({ code: SpanStatusCode.ERROR, message: type });
      throw error;
    } finally {
      span.end();
    }
  }

  async cacheLookup<T>(
    name: string,
    parent: TraceParent | undefined,
    lookup: () => Promise<T>,
    outcome: (result: T) => { hit: boolean; keys?: number; hits?: number },
  ): Promise<T> {
    const span = this.tracer.startSpan(
      'cache.get',
      { kind: SpanKind.INTERNAL, attributes: { 'cache.name': name } },
      parent ?? ROOT_CONTEXT,
    );
    try {
      const result = await lookup();
      const { hit, keys, hits } = outcome(result);
      span.setAttribute('cache.hit', hit);
      if (keys !== undefined) span.setAttribute('cache.keys', keys);
      if (hits !== undefined) span.setAttribute('cache.hits', hits);
      return result;
    } catch (error) {
      span.setAttribute('error.type', error instanceof Error ? error.name : 'unknown');
      span.setStatus({ code: SpanStatusCode.ERROR, message: 'cache read failed' });
      throw error;
    } finally {
      span.end();
    }
  }

  shutdown(): Promise<void> {
    this.stopped ??= (async () => {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          this.provider.shutdown(),
          new Promise<void>((resolve) => {
            timer = setTimeout(resolve, SHUTDOWN_WAIT_MS);
            timer.unref();
          }),
        ]);
      } catch {
        // The exporter already said why (ReportingExporter); stopping goes on.
      } finally {
        clearTimeout(timer);
      }
    })();
    return this.stopped;
  }
}

function samplerOf(sampler: TracingConfig['sampler']): Sampler {
  switch (sampler.name) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(sampler.ratio);
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(sampler.ratio) });
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}

/** The endpoint for logs: scheme, host and path, never a password or a query. */
function describeEndpoint(endpoint: string): string {
  const url = new URL(endpoint);
  return `${url.protocol}//${url.host}${url.pathname}`;
}

/**
 * The OTLP exporter, with its failures told to the operator without flooding
 * the log: the first failure at once, then at most one line a minute with the
 * number of failed exports since. A failed export only loses those spans;
 * requests never wait for an export.
 */
class ReportingExporter implements SpanExporter {
  private failures = 0;
  private lastReport = -Infinity;

  constructor(
    private readonly inner: SpanExporter,
    private readonly logger: Logger,
  ) {}

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.inner.export(spans, (result) => {
      if (result.code === ExportResultCode.FAILED) this.reportFailure(result.error, spans.length);
      done(result);
    });
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }

  private reportFailure(error: Error | undefined, spans: number): void {
    this.failures += 1;
    const now = performance.now();
    if (now - this.lastReport < EXPORT_FAILURE_LOG_INTERVAL_MS) return;
    this.lastReport = now;
    // The error's name and code only: its message may quote the collector's answer.
    const code = (error as { code?: unknown } | undefined)?.code;
    this.logger.warn(
      {
        failedExports: this.failures,
        spans,
        error: typeof code === 'string' || typeof code === 'number' ? code : error?.name,
      },
      'could not send spans to the OTLP endpoint; spans are dropped until it answers',
    );
    this.failures = 0;
  }
}
