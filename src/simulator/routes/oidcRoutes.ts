import {
  DEMO_OIDC_ALGORITHM,
  DEMO_TOKEN_LIFETIME_SECONDS,
  demoJwks,
  signDemoToken,
} from '../demoOidc';
import { jsonResponse } from '../responses';
import type { SimRequest, SimResponse } from '../responses';

/** Where OneLogin serves OIDC for a tenant: `https://<subdomain>.onelogin.com/oidc/2`. */
export const OIDC_PREFIX = '/oidc/2';

/**
 * What the OIDC endpoints read. They are the identity provider, not OneLogin's API: like the
 * `/__simulator/` endpoints they are never counted, delayed, faulted or rate-limited.
 */
export interface OidcContext {
  /** The `iss` of the tokens and the `issuer` of the discovery document. */
  issuer: string;
  audience: string;
  /** The ids (as strings) of the people of the simulated directory: who may get a token. */
  userIds: ReadonlySet<string>;
  /** The simulator's running clock: a token's `iat`. */
  clock: () => number;
}

/** Whether `path` is one of the OIDC endpoints (or under their prefix). */
export function isOidcPath(path: string): boolean {
  return path === OIDC_PREFIX || path.startsWith(`${OIDC_PREFIX}/`);
}

// [I] OneLogin's caching headers are not documented; these are what IdPs commonly send: keys and
// metadata may be cached for a while (clients refetch the JWKS on an unknown kid anyway).
const METADATA_CACHE_CONTROL = 'public, max-age=3600, must-revalidate';

/** OAuth's error body (RFC 6749 §5.2), which OneLogin's OIDC endpoints answer in. */
function oauthError(status: number, error: string, description: string): SimResponse {
  return jsonResponse(
    status,
    { error, error_description: description },
    { 'Cache-Control': 'no-store' },
  );
}

/**
 * `GET /oidc/2/.well-known/openid-configuration`: the fields of OneLogin's sample document
 * (https://developers.onelogin.com/openid-connect/api/provider-config) with the simulator's URLs.
 * [I] The simulator serves only the discovery document, the JWKS and the demo-token endpoint;
 * `authorization_endpoint` and `token_endpoint` are listed because OIDC Discovery requires them,
 * but they answer 404 here. The issuer is `DEMO_OIDC_ISSUER` (or the `oidcIssuer` option), not
 * the simulator's URL: a verifier must be given the issuer and the JWKS URL, not discover them.
 */
function discovery(context: OidcContext, request: SimRequest): SimResponse {
  const base = `${request.origin}${OIDC_PREFIX}`;
  return jsonResponse(
    200,
    {
      issuer: context.issuer,
      authorization_endpoint: `${base}/auth`,
      token_endpoint: `${base}/token`,
      jwks_uri: `${base}/certs`,
      response_types_supported: ['code', 'id_token token', 'id_token'],
      response_modes_supported: ['form_post', 'fragment', 'query'],
      grant_types_supported: ['authorization_code', 'implicit', 'refresh_token', 'password'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: [DEMO_OIDC_ALGORITHM],
      scopes_supported: ['openid', 'name', 'profile', 'groups', 'email', 'phone'],
      claims_supported: [
        'acr',
        'auth_time',
        'company',
        'custom_fields',
        'department',
        'email',
        'family_name',
        'given_name',
        'groups',
        'iss',
        'locale_code',
        'name',
        'phone_number',
        'preferred_username',
        'sub',
        'title',
        'updated_at',
      ],
      acr_values_supported: ['onelogin:nist:level:1:re-auth'],
      claims_parameter_supported: true,
      request_parameter_supported: false,
      request_uri_parameter_supported: false,
    },
    { 'Cache-Control': METADATA_CACHE_CONTROL },
  );
}

function readJsonObject(request: SimRequest): Record<string, unknown> | null {
  try {
    const parsed: unknown = JSON.parse(request.body.toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
    return parsed as Record<string, unknown>;
  } catch (_error) {
    return null;
  }
}

/**
 * `POST /oidc/2/demo-token` with `{"user_id": "<id>", "scopes": [...], "expires_in": 3600}`.
 * NOT A ONELOGIN ENDPOINT: a demo convenience that hands out what OneLogin would issue after a
 * login (an access token for the gateway's audience), without the login. The user must be one of
 * the simulated directory; the scopes are not checked against any list (the gateway decides what
 * they allow).
 */
async function demoToken(context: OidcContext, request: SimRequest): Promise<SimResponse> {
  const body = readJsonObject(request);
  if (body === null) {
    return oauthError(400, 'invalid_request', 'the body must be a JSON object');
  }
  const { user_id: rawUserId, scopes, expires_in: expiresIn } = body;
  if (rawUserId === undefined || rawUserId === null || rawUserId === '') {
    return oauthError(400, 'invalid_request', 'user_id is required');
  }
  const userId =
    typeof rawUserId === 'number' && Number.isSafeInteger(rawUserId)
      ? String(rawUserId)
      : rawUserId;
  if (typeof userId !== 'string' || !context.userIds.has(userId)) {
    return oauthError(
      400,
      'invalid_request',
      `user_id ${JSON.stringify(rawUserId)} is not a user of the simulated directory`,
    );
  }
  if (!Array.isArray(scopes) || !scopes.every((scope) => typeof scope === 'string')) {
    return oauthError(400, 'invalid_scope', 'scopes must be an array of strings');
  }
  if (
    expiresIn !== undefined &&
    (typeof expiresIn !== 'number' || !Number.isInteger(expiresIn) || expiresIn < 1)
  ) {
    return oauthError(400, 'invalid_request', 'expires_in must be a positive integer of seconds');
  }
  const lifetime = expiresIn ?? DEMO_TOKEN_LIFETIME_SECONDS;
  let accessToken: string;
  try {
    accessToken = await signDemoToken({
      userId,
      scopes: scopes as string[],
      expiresInSeconds: lifetime,
      now: context.clock(),
      issuer: context.issuer,
      audience: context.audience,
    });
  } catch (error) {
    if (error instanceof RangeError) {
      const code = error.message.startsWith('every scope') ? 'invalid_scope' : 'invalid_request';
      return oauthError(400, code, error.message.replace(/^expiresInSeconds/, 'expires_in'));
    }
    throw error;
  }
  // A token response must not be cached (RFC 6749 §5.1).
  return jsonResponse(
    200,
    { access_token: accessToken, token_type: 'Bearer', expires_in: lifetime },
    { 'Cache-Control': 'no-store', Pragma: 'no-cache' },
  );
}

/** The OIDC endpoints: discovery, JWKS and the demo token. */
export async function handleOidc(context: OidcContext, request: SimRequest): Promise<SimResponse> {
  const path = request.path.length > 1 ? request.path.replace(/\/+$/, '') : request.path;
  const endpoint = path.slice(OIDC_PREFIX.length);
  const allowed: Readonly<Record<string, string>> = {
    '/.well-known/openid-configuration': 'GET',
    '/certs': 'GET',
    '/demo-token': 'POST',
  };
  const method = allowed[endpoint];
  if (method === undefined) {
    return oauthError(404, 'not_found', `the simulator serves no OIDC endpoint at ${path}`);
  }
  if (request.method !== method) {
    const answer = oauthError(405, 'invalid_request', `${endpoint} accepts ${method} only`);
    answer.headers.Allow = method;
    return answer;
  }
  switch (endpoint) {
    case '/.well-known/openid-configuration':
      return discovery(context, request);
    case '/certs':
      return jsonResponse(200, demoJwks(), { 'Cache-Control': METADATA_CACHE_CONTROL });
    default:
      return demoToken(context, request);
  }
}
