/**
 * A stand-in for an OpenTelemetry collector, in the bench's process: a
 * node:http server on port 0 that answers 200 to `POST /v1/traces` (OTLP/HTTP
 * with JSON bodies) and counts the spans it receives, so that the report can
 * say spans per request and show tracing was on. It keeps nothing else.
 * Several gateways can share it, each with an endpoint of its own
 * (`endpointFor(name)`: `<endpoint>/<name>/v1/traces`), counted apart.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

export interface OtlpSink {
  /** For `OTEL_EXPORTER_OTLP_ENDPOINT`: the exporter POSTs to `<endpoint>/v1/traces`. */
  endpoint: string;
  /** The endpoint of the gateway called `name`, whose spans are counted apart. */
  endpointFor(name: string): string;
  /** Spans received since the last reset (at `endpointFor(name)`, or at `endpoint`). */
  spans(name?: string): number;
  /** Export requests received since the last reset, and those whose body could not be read. */
  exports(name?: string): { total: number; unreadable: number };
  reset(): void;
  close(): Promise<void>;
}

interface ExportTraceServiceRequest {
  resourceSpans?: Array<{ scopeSpans?: Array<{ spans?: unknown[] }> }>;
}

export async function startOtlpSink(): Promise<OtlpSink> {
  /** By the name in the path ('' for `/v1/traces`). */
  const counts = new Map<string, { spans: number; total: number; unreadable: number }>();
  const countsOf = (name: string) => {
    let found = counts.get(name);
    if (!found) counts.set(name, (found = { spans: 0, total: 0, unreadable: 0 }));
    return found;
  };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const match = /^\/(?:([a-z0-9-]+)\/)?v1\/traces$/.exec(request.url?.split('?')[0] ?? '');
      if (request.method !== 'POST' || !match) {
        response.writeHead(404).end();
        return;
      }
      const count = countsOf(match[1] ?? '');
      count.total += 1;
      try {
        const raw = Buffer.concat(chunks);
        const body = request.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
        const parsed = JSON.parse(body.toString('utf8')) as ExportTraceServiceRequest;
        for (const resource of parsed.resourceSpans ?? []) {
          for (const scope of resource.scopeSpans ?? []) count.spans += scope.spans?.length ?? 0;
        }
      } catch {
        // Protobuf, or not OTLP at all: answered, but its spans cannot be counted.
        count.unreadable += 1;
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    endpointFor: (name) => `http://127.0.0.1:${port}/${name}`,
    spans: (name = '') => countsOf(name).spans,
    exports: (name = '') => {
      const { total, unreadable } = countsOf(name);
      return { total, unreadable };
    },
    reset() {
      counts.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
