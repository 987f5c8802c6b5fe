/**
 * A stand-in for an OpenTelemetry collector, in the bench's process: a
 * node:http server on port 0 that answers 200 to `POST /v1/traces` (OTLP/HTTP
 * with JSON bodies) and counts the spans it receives, so that the report can
 * say spans per request and show tracing was on. It keeps nothing else.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

export interface OtlpSink {
  /** For `OTEL_EXPORTER_OTLP_ENDPOINT`: the exporter POSTs to `<endpoint>/v1/traces`. */
  endpoint: string;
  /** Spans received since the last reset. */
  spans(): number;
  /** Export requests received since the last reset, and those whose body could not be read. */
  exports(): { total: number; unreadable: number };
  reset(): void;
  close(): Promise<void>;
}

interface ExportTraceServiceRequest {
  resourceSpans?: Array<{ scopeSpans?: Array<{ spans?: unknown[] }> }>;
}

export async function startOtlpSink(): Promise<OtlpSink> {
  let spans = 0;
  let total = 0;
  let unreadable = 0;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.method !== 'POST' || request.url?.split('?')[0] !== '/v1/traces') {
        response.writeHead(404).end();
        return;
      }
      total += 1;
      try {
        const raw = Buffer.concat(chunks);
        const body = request.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
        const parsed = JSON.parse(body.toString('utf8')) as ExportTraceServiceRequest;
        for (const resource of parsed.resourceSpans ?? []) {
          for (const scope of resource.scopeSpans ?? []) spans += scope.spans?.length ?? 0;
        }
      } catch {
        // Protobuf, or not OTLP at all: answered, but its spans cannot be counted.
        unreadable += 1;
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
    spans: () => spans,
    exports: () => ({ total, unreadable }),
    reset() {
      spans = 0;
      total = 0;
      unreadable = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
