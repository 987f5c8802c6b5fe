import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** Path and query string as the gateway sent them. */
  url: string;
  /** Decoded query parameters. */
  query: Record<string, string>;
  /** The request's headers, as the gateway sent them (e.g. `traceparent`). */
  headers: http.IncomingHttpHeaders;
}

export interface RecordingProxy {
  /** Base URL (no trailing slash) to use as the gateway's upstream. */
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/**
 * A real HTTP proxy in front of the simulator that records every request the
 * gateway makes, so tests can assert on the exact upstream parameters
 * (e.g. `fields=`), not just on call counts.
 */
export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const requests: RecordedRequest[] = [];
  const targetURL = new URL(target);
  const server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    const parsed = new URL(url, 'http://proxy');
    requests.push({
      method: req.method ?? 'GET',
      url,
      query: Object.fromEntries(parsed.searchParams),
      headers: req.headers,
    });
    const upstream = http.request(
      {
        host: targetURL.hostname,
        port: targetURL.port,
        method: req.method,
        path: url,
        headers: req.headers,
      },
      (upstreamResponse) => {
        res.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.headers);
        upstreamResponse.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
