import { describe, expect, it } from '@jest/globals';

import { exitCode, spawnGateway, waitFor } from '../helpers/gatewayProcess';
import { startOtlpReceiver } from '../helpers/startOtlpReceiver';

describe('npm start with OTEL_EXPORTER_OTLP_ENDPOINT', () => {
  // Outside Jest's VM: the exporter's own import() of node:http, as in production.
  it('sends the request’s spans to the collector, and the last ones when it stops', async () => {
    const receiver = await startOtlpReceiver();
    const { child, lines } = spawnGateway({
      PORT: '0',
      DEMO_EVENTS: '300',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      // Continue the request's traceparent (its trace id is the one looked for below).
      TRACING_CONTINUE_TRACEPARENT: 'true',
      // Longer than the test: only stopping sends the spans.
      OTEL_BSP_SCHEDULE_DELAY: '600000',
    });
    try {
      const ready = await waitFor(() =>
        lines.map((line) => JSON.parse(line) as { msg: string; url?: string }).find((l) => l.url),
      );
      expect(lines.some((line) => line.includes('Tracing is on: OTLP/HTTP to'))).toBe(true);
      const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
      const response = await fetch(ready.url as string, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          traceparent: `00-${traceId}-00f067aa0ba902b7-01`,
        },
        body: JSON.stringify({ query: 'query Latest { events(first: 2) { nodes { id } } }' }),
      });
      expect(response.status).toBe(200);
      await response.text();
      expect(receiver.spans).toEqual([]);

      child.kill('SIGTERM');
      expect(await exitCode(child)).toBe(0);
      const names = receiver.spans
        .filter((span) => span.traceId === traceId)
        .map((span) => span.name)
        .sort();
      expect(names).toEqual(['GET /api/1/events', 'POST /auth/oauth2/v2/token', 'query Latest']);
    } finally {
      child.kill('SIGKILL');
      await receiver.close();
    }
  });
});
