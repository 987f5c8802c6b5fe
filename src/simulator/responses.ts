import type { IncomingHttpHeaders } from 'node:http';

/** A request as the route handlers see it: body read, query parsed. */
export interface SimRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** `http://host:port` the client used, for absolute links. */
  origin: string;
  /** The client's address (`127.0.0.1`, `::1`, `::ffff:127.0.0.1`…), for loopback-only controls. */
  remoteAddress: string | undefined;
}

/** What a handler answers; the server adds latency, faults and counting around it. */
export interface SimResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

export function jsonResponse(
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): SimResponse {
  return {
    status,
    headers: { 'Content-Type': JSON_CONTENT_TYPE, ...headers },
    body: JSON.stringify(value),
  };
}

/** The `type` the /1 envelope gives each status (API.md §7.1). */
const STATUS_TYPES: Readonly<Record<number, string>> = {
  400: 'bad request',
  401: 'Unauthorized',
  404: 'not found',
  413: 'payload too large',
  415: 'unsupported media type',
  429: 'too many requests',
  500: 'internal server error',
};

export const SUCCESS_STATUS = {
  error: false,
  code: 200,
  type: 'success',
  message: 'Success',
} as const;

/** An error in the /1 envelope: `{"status":{"error":true,"code":…,"type":…,"message":…}}`. */
export function apiError(
  code: number,
  message: string,
  headers: Record<string, string> = {},
): SimResponse {
  return jsonResponse(
    code,
    { status: { error: true, code, type: STATUS_TYPES[code] ?? 'error', message } },
    headers,
  );
}

/** "Typically, this error means that you are using the incorrect method." (D-RL) */
export function noRoute(): SimResponse {
  return apiError(404, 'No Route Exists');
}

/** The value of a header that may have been sent several times: the last one wins. */
export function header(request: SimRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[value.length - 1] : value;
}
