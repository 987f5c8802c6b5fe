import type { SimulatorState } from '../SimulatorState';
import { LegacyEventError, parseLegacyEvent } from '../parseLegacyEvent';
import { parseInstant } from '../parseInstant';
import { apiError, header, JSON_CONTENT_TYPE } from '../responses';
import type { SimRequest, SimResponse } from '../responses';
import type { FailedProvisioningRecord } from '../types';

/**
 * The legacy API authenticates with HTTP Basic, the API key as user name (`curl -u {api_key}:x`,
 * seeds 000 and 004); the password is a placeholder and is not checked. [I] A failure gets what
 * Rails' `authenticate_or_request_with_http_basic` answers, which is what these endpoints ran on.
 */
function checkApiKey(state: SimulatorState, request: SimRequest): SimResponse | null {
  const match = /^\s*basic\s+(\S+)\s*$/i.exec(header(request, 'authorization') ?? '');
  const user = match
    ? Buffer.from(match[1] as string, 'base64')
        .toString('utf8')
        .split(':')[0]
    : '';
  if (user === state.apiKey) return null;
  return {
    status: 401,
    headers: {
      'Content-Type': 'text/html; charset=utf-8',
      'WWW-Authenticate': 'Basic realm="Application"',
    },
    body: 'HTTP Basic: Access denied.\n',
  };
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** [I] No error response is documented; this is the `<errors>` document Rails renders. */
function xmlError(status: number, message: string): SimResponse {
  return {
    status,
    headers: { 'Content-Type': 'application/xml; charset=utf-8' },
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<errors>\n  <error>${escapeXml(message)}</error>\n</errors>\n`,
  };
}

/**
 * `POST /api/v1/events.xml` (API.md §8.1): 201 with no body, and the event is in
 * `/api/1/events` at once. Requires `Content-Type: application/xml` (or `text/xml`, the other XML
 * type); anything else is 415 Unsupported Media Type.
 */
export function handleCreateLegacyEvent(state: SimulatorState, request: SimRequest): SimResponse {
  const failure = checkApiKey(state, request);
  if (failure) return failure;
  const contentType = (header(request, 'content-type') ?? '').split(';')[0]?.trim().toLowerCase();
  if (contentType !== 'application/xml' && contentType !== 'text/xml') {
    return xmlError(415, 'Content-Type must be application/xml');
  }
  try {
    const { fields } = parseLegacyEvent(request.body.toString('utf8'), state.eventTypeIds);
    // The API key decides the account; an `account-id` in the document does not move the event.
    state.store.append(fields);
    return { status: 201, headers: {}, body: '' };
  } catch (error) {
    if (error instanceof LegacyEventError) return xmlError(400, error.message);
    throw error;
  }
}

/** The account's zone for this endpoint's dates: UTC-7, as in the seed (`-0700`). */
const ACCOUNT_OFFSET_MINUTES = -7 * 60;

/** `2014/09/08 18:17:23 -0700` (seed 004); the slashes get escaped when serialised. */
export function formatFailedProvisioningDate(iso: string): string {
  const local = new Date(Date.parse(iso) + ACCOUNT_OFFSET_MINUTES * 60_000);
  const pad = (value: number): string => String(value).padStart(2, '0');
  const sign = ACCOUNT_OFFSET_MINUTES < 0 ? '-' : '+';
  const offset = Math.abs(ACCOUNT_OFFSET_MINUTES);
  return (
    `${local.getUTCFullYear()}/${pad(local.getUTCMonth() + 1)}/${pad(local.getUTCDate())} ` +
    `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())} ` +
    `${sign}${pad(Math.floor(offset / 60))}${pad(offset % 60)}`
  );
}

function dateParam(request: SimRequest, name: string): number | SimResponse {
  const raw = request.query.get(name);
  if (raw === null || raw.trim() === '') return apiError(400, `${name} is required`);
  const value = parseInstant(raw);
  if (value === null) {
    return apiError(
      400,
      `${name} must look like 2015-01-21T09:20:15-08:00 (YYYY-MM-DDThh:mm:ss followed by Z, +hh:mm or -hh:mm)`,
    );
  }
  return value;
}

/**
 * `GET /api/v1/logins/failed_provisioning.json` (API.md §8.3): a bare array of the failures
 * created in [start_date, stop_date], oldest first, `[]` when there are none. The body escapes
 * every `/` as `\/`, as the seed shows (Ruby's JSON of the time did).
 */
export function handleFailedProvisionings(state: SimulatorState, request: SimRequest): SimResponse {
  const failure = checkApiKey(state, request);
  if (failure) return failure;
  const start = dateParam(request, 'start_date');
  if (typeof start !== 'number') return start;
  const stop = dateParam(request, 'stop_date');
  if (typeof stop !== 'number') return stop;
  if (start > stop) return apiError(400, 'start_date must not be after stop_date');
  const items = state.failedProvisionings
    .filter((item) => {
      const at = Date.parse(item.created_at);
      return at >= start && at <= stop;
    })
    .map((item: FailedProvisioningRecord) => ({
      login_id: item.login_id,
      id: item.id,
      created_at: formatFailedProvisioningDate(item.created_at),
      error_description: item.error_description,
      description: item.description,
      user: { ...item.user },
    }));
  return {
    status: 200,
    headers: { 'Content-Type': JSON_CONTENT_TYPE },
    body: JSON.stringify(items).replace(/\//g, '\\/'),
  };
}
