import type { SimulatorState } from '../SimulatorState';
import { SUCCESS_STATUS, apiError, header, jsonResponse } from '../responses';
import type { SimRequest, SimResponse } from '../responses';

type Credentials = { clientId: string; clientSecret: string } | 'missing' | 'malformed';

const CUSTOM_HEADER = /^\s*client_id\s*:\s*([^,\s]*)\s*,\s*client_secret\s*:\s*(\S*)\s*$/i;

/**
 * Client credentials from the `Authorization` header, in either form the docs show (API.md §2.1):
 * `client_id:X, client_secret:Y` (also without the space, as the Ruby SDK sends it) or HTTP Basic.
 */
function headerCredentials(request: SimRequest): Credentials {
  const authorization = header(request, 'authorization');
  if (authorization === undefined || authorization.trim() === '') return 'missing';
  const basic = /^\s*basic\s+(\S+)\s*$/i.exec(authorization);
  if (basic) {
    const decoded = Buffer.from(basic[1] as string, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 1) return 'malformed';
    return { clientId: decoded.slice(0, colon), clientSecret: decoded.slice(colon + 1) };
  }
  const custom = CUSTOM_HEADER.exec(authorization);
  if (custom) return { clientId: custom[1] as string, clientSecret: custom[2] as string };
  return 'malformed';
}

/** The body as string fields, from JSON or a form; null when it cannot be read. */
function bodyFields(request: SimRequest): Record<string, string> | null {
  const text = request.body.toString('utf8');
  if (text.trim() === '') return {};
  const contentType = (header(request, 'content-type') ?? '').toLowerCase();
  if (contentType.includes('application/x-www-form-urlencoded')) {
    return Object.fromEntries(new URLSearchParams(text));
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
    const fields: Record<string, string> = {};
    for (const [key, value] of Object.entries(parsed)) {
      if (typeof value === 'string') fields[key] = value;
    }
    return fields;
  } catch (_error) {
    return null;
  }
}

function unauthorized(): SimResponse {
  return apiError(401, 'Authentication Failure');
}

/**
 * `POST /auth/oauth2/v2/token` (API.md §2.1). Credentials come from the custom header, HTTP Basic
 * or a form body; `grant_type` from a JSON or form body or, as XSOAR sends it, the query string.
 * Checks run in OAuth order: client authentication (400 when absent or unreadable, 401 when
 * wrong), then the grant type (400).
 */
export function handleToken(state: SimulatorState, request: SimRequest): SimResponse {
  const fields = bodyFields(request);
  if (fields === null) return apiError(400, 'Request Failure');
  let credentials = headerCredentials(request);
  if (credentials === 'missing' && fields.client_id !== undefined) {
    credentials = { clientId: fields.client_id, clientSecret: fields.client_secret ?? '' };
  }
  if (credentials === 'missing') return apiError(400, 'The authorization information is missing');
  if (credentials === 'malformed') return apiError(400, 'Authorization Information is incorrect');
  if (credentials.clientId !== state.clientId || credentials.clientSecret !== state.clientSecret) {
    return unauthorized();
  }
  // The refresh grant of the old SDKs is gone: v2 answers refresh_token "deprecated" (OAS).
  const grantType = fields.grant_type ?? request.query.get('grant_type');
  if (grantType !== 'client_credentials') {
    return apiError(400, 'grant_type is incorrect/absent');
  }
  const token = state.tokens.issue();
  // [I] The docs show expires_in 36000 on a fresh token and say the same token comes back until
  // it expires; a repeated answer reports the seconds it has left, so that both ways clients
  // compute expiry (created_at + expires_in, or now + expires_in) stay on the safe side.
  const elapsedSeconds = Math.floor((state.clock() - token.createdAt) / 1000);
  const lifetimeSeconds = Math.round((token.expiresAt - token.createdAt) / 1000);
  return jsonResponse(200, {
    access_token: token.accessToken,
    created_at: new Date(token.createdAt).toISOString(),
    expires_in: Math.max(0, lifetimeSeconds - elapsedSeconds),
    refresh_token: 'deprecated',
    token_type: 'bearer',
    account_id: state.accountId,
  });
}

/**
 * `POST /auth/oauth2/revoke` (API.md §2.3): the client's credentials in the header, the token in
 * a JSON body. Revoking a token that is unknown or already dead succeeds, as RFC 7009 asks.
 */
export function handleRevoke(state: SimulatorState, request: SimRequest): SimResponse {
  const contentType = (header(request, 'content-type') ?? '').toLowerCase();
  if (!contentType.includes('application/json')) {
    return apiError(
      400,
      'Content Type is not specified or specified incorrectly. Content-Type header must be set to application/json',
    );
  }
  const credentials = headerCredentials(request);
  if (credentials === 'missing') return apiError(400, 'The authorization information is missing');
  if (credentials === 'malformed') return apiError(400, 'Authorization Information is incorrect');
  if (credentials.clientId !== state.clientId || credentials.clientSecret !== state.clientSecret) {
    return unauthorized();
  }
  const fields = bodyFields(request);
  if (fields === null) return apiError(400, 'Request Failure');
  const accessToken = fields.access_token ?? fields.token;
  if (accessToken === undefined || accessToken === '') return apiError(400, 'Access Token Missing');
  state.tokens.revoke(accessToken);
  return jsonResponse(200, { status: SUCCESS_STATUS });
}

const BEARER = /^\s*bearer(?::\s*|\s+)(\S+)\s*$/i;

/**
 * Checks a resource call's token. The docs write `bearer:<t>`, the SDKs send `bearer <t>` and
 * `Bearer <t>`, XSOAR `Bearer:<t>` (API.md §2.4): all work. A missing or unreadable header is 400,
 * an unknown, expired or revoked token 401, as in the Get Events samples.
 */
export function checkBearer(state: SimulatorState, request: SimRequest): SimResponse | null {
  const match = BEARER.exec(header(request, 'authorization') ?? '');
  if (!match) return apiError(400, 'Authorization Information is incorrect');
  if (!state.tokens.isValid(match[1] as string)) return unauthorized();
  return null;
}

/** `GET /auth/rate_limit` (API.md §7.2). Reading the budget does not spend it. */
export function handleRateLimitStatus(state: SimulatorState, request: SimRequest): SimResponse {
  const failure = checkBearer(state, request);
  if (failure) return failure;
  const { limit, remaining, resetSeconds } = state.rateLimiter.peek();
  return jsonResponse(200, {
    status: SUCCESS_STATUS,
    data: {
      'X-RateLimit-Limit': limit,
      'X-RateLimit-Remaining': remaining,
      'X-RateLimit-Reset': resetSeconds,
    },
  });
}
