/**
 * The simulator as a OneLogin OIDC issuer, for demo mode: a newcomer gets an access token for a
 * user of the simulated directory and tries the gateway's JWT-authenticated, scope-limited access
 * without a OneLogin account.
 *
 * What this mimics (OneLogin developer docs):
 * - The issuer of a OneLogin tenant is `https://<subdomain>.onelogin.com/oidc/2`; its discovery
 *   document is at `<issuer>/.well-known/openid-configuration` and names `jwks_uri`
 *   `<issuer>/certs` and `id_token_signing_alg_values_supported: ["RS256"]`
 *   (https://developers.onelogin.com/openid-connect/api/provider-config).
 * - An access token OneLogin issues for an API (its "API Authorization" servers) is an RS256 JWT
 *   with the claims `jti`, `sub` (the user id, as a string), `iss` (the issuer above), `iat`,
 *   `exp`, `scope` (space-separated) and `aud` (an array of the API's audiences), plus `azp`, the
 *   OIDC app's client id (https://developers.onelogin.com/api-docs/2/api-authorization).
 * [I] The demo tokens carry those claims but `azp` (there is no OIDC app in the simulator).
 */
import { randomBytes } from 'node:crypto';
import { SignJWT, importJWK } from 'jose';
import type { JWK } from 'jose';

/** Shaped like a real tenant's issuer, `https://<subdomain>.onelogin.com/oidc/2`. */
export const DEMO_OIDC_ISSUER = 'https://demo.onelogin.com/oidc/2';

/** The audience the demo tokens are for: the gateway. */
export const DEMO_OIDC_AUDIENCE = 'onelogin-events-gateway';

/** The `kid` of the demo signing key, in the JWKS and in every demo token's header. */
export const DEMO_OIDC_KEY_ID = 'onelogin-simulator-demo-key-1';

/** The signing algorithm OneLogin uses for its OIDC tokens. */
export const DEMO_OIDC_ALGORITHM = 'RS256';

/** The default lifetime of a demo token, in seconds. */
export const DEMO_TOKEN_LIFETIME_SECONDS = 3600;

const MAX_TOKEN_LIFETIME_SECONDS = 31_536_000;

/**
 * ============================================================================================
 * PUBLIC DEMO KEY — NOT A SECRET. It is committed to a public repository, so anyone can sign
 * tokens with it. It exists for demo mode only: the gateway trusts it only in demo mode (no
 * OneLogin configured) and must never trust it against a real OneLogin tenant. Do not reuse it
 * anywhere else.
 * ============================================================================================
 * RSA 2048, generated once with jose's generateKeyPair('RS256').
 */
const DEMO_SIGNING_KEY: Readonly<JWK> = Object.freeze({
  kty: 'RSA',
  n: 'rp0_iy_U9JZQnJuXKDoVpwdQjxCD2TD4HsnRT6JutDEWBJA_PJntpJzpOODyabd-g4s1aodRpCzbb6DRAf-efjGGX9tDI4frx1u__6mYcjXsM9JW6twEvVFX36KTX-eZX3sjJyEWgyClsd7PXW9ufFmf_3rFkJeWP3bF1Uyx6yMQpZw6HOqmICK3p_KKMBWcI1nuD1Qia6uF9K7BPYMpKiiqxKiC6G3IvGoJhFeOs-C-IUE0N6O-xfthZiFRqR0UhTBfXsK4FNo_t2hpst97urOC_OQ6kevl_STV7bePYw4OLlhmKZkut5SBNbCcQhCHxF-mrwLKcJWOVY32SmYtlQ',
  e: 'AQAB',
  d: 'ASKQiS0Ua0qW143DW8WU4nMPuP5YfQ7ubfTN4YCiy5UOGZV-c7xkaQ-EDJSZvsosjlpXTIv4oeKQwpb_BM5Oj29u-iyIsTBu_erAwr6teQCUunmBiyFG_pwKwC9kWdk9i_tW7Sgv50ZNDWzvWCIjS7ehbJ21rwztMxhojMxk06xx7FhCZCMom7vKpm7SFWSPpCaSHWGiVVUrti8ONSqACOcV5-peUDkdng5WIFZJ-K-9AkFkgNSZAS2I3-Xu5Fu-gCzLWnw9Ldj03MrUrnO7JnlODxDZNMVWFl2MWrnSwJ6shNelsl5Kwyc4Zp8cdJZx4tbbu7Ty8G9-9gbWyN3feQ',
  p: '4HLtl1Ok8Ob6P8_PfSXxRrLDtp0qmOifPOZeaTZu0xtUN64ne6oCtw8uPIuLTee2Q9jXWSqNjZTLZVUiyPEn6E41Knu51TXygieFCplhfE73VEPcjNHh1g6qoxGODz4ulrJqycCOBW_DPTnd10rSEyNJqtbnpwVWGP3mVgJvZZM',
  q: 'xyj1GrxSev86RAdUBH-J3zpf-PogF_RSkY50KjkiCX8iFfEUuMQrdyHX72vtuGYuRDO9h_zM-gpnPU8BqjIqvbDLajPOMiSIXZASj5sMDuwP_mzENcqHvmITm0I3CORQ9fjS2H6vI5rB6Lxqwr429akNOgCPVRDYdaEW6cXEGTc',
  dp: 'doY6UR8qisxueiQTPdM7hkoAb_6u7_BnppFAae8EtxZHct_Umck9hc3ObMqD1a_23_0yOzPtbEaW4fwDUnmGyXYDPVv41k6WsYSNDPvSLwLEOQtc_EAZMiCsm1A55HLBx3KQUdoNJXHPeBWGwJoSNWj9DepOijSXMrthVyoSCWE',
  dq: 'iuhoPCOJq7wEWZp64UBLW2UNt0xNwidox5kCMMj0kocXsRIbD9vTLR5vy9ANWAX80xj7YrPSC7vh0gMe-CRRZ0i-N-62LIcKjaeFKqBLwsSnSx91oscF8qXZYvrGA--rAERyWwnRAhZYlQmFtRqSnrkwPnpRflVnhHO81YRYh_U',
  qi: 'txK21C-n-PySdFCvguRGklihYT_vEi-Z-i_lxYe8L12VcMZ-8EMy8EZPHHi8M-gfwRU9HKWXoQJ-Mb-_oofwnOkURa1dxBL8xfO2BY-Y4pVp39r7Y7rgClpw_jhFAGVOtSJruogY2jQjMmzS3dgHa-Xhuv_PXzFnkb-zlI2swX8',
});

/** The members of an RSA JWK that are private (RFC 7518 §6.3.2); none may leave this file. */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

/**
 * The JWKS the simulator serves at `/oidc/2/certs`: the public half of the demo key only. Throws
 * if a private member were ever to slip in.
 */
export function demoJwks(): { keys: JWK[] } {
  const { kty, n, e } = DEMO_SIGNING_KEY;
  const key: JWK = { kty, kid: DEMO_OIDC_KEY_ID, use: 'sig', alg: DEMO_OIDC_ALGORITHM, n, e };
  for (const member of PRIVATE_MEMBERS) {
    if (member in key) throw new Error(`the demo JWKS must not carry the private member ${member}`);
  }
  return { keys: [key] };
}

/** RFC 6749 §3.3: a scope token is printable ASCII but space, `"` and `\`. */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

export interface DemoTokenOptions {
  /** The user the token is for: its `sub`. */
  userId: string;
  /** Joined with spaces into the `scope` claim; duplicates are dropped. */
  scopes: readonly string[];
  /** Default 3600. */
  expiresInSeconds?: number;
  /** Epoch ms of issue. Default `Date.now()`. */
  now?: number;
  /** Default `DEMO_OIDC_ISSUER`. */
  issuer?: string;
  /** Default `DEMO_OIDC_AUDIENCE`. */
  audience?: string;
}

/** Throws a RangeError that says what is wrong with the options. */
function checkOptions(options: DemoTokenOptions): void {
  const { userId, scopes, expiresInSeconds, now, issuer, audience } = options;
  if (typeof userId !== 'string' || userId.trim() === '' || userId !== userId.trim()) {
    throw new RangeError('userId must be a non-empty string without surrounding spaces');
  }
  if (!Array.isArray(scopes)) throw new RangeError('scopes must be an array of strings');
  for (const scope of scopes as unknown[]) {
    if (typeof scope !== 'string' || !SCOPE_TOKEN.test(scope)) {
      throw new RangeError(
        `every scope must be a non-empty string without spaces, quotes or backslashes, not ${JSON.stringify(scope)}`,
      );
    }
  }
  if (
    expiresInSeconds !== undefined &&
    (!Number.isInteger(expiresInSeconds) ||
      expiresInSeconds < 1 ||
      expiresInSeconds > MAX_TOKEN_LIFETIME_SECONDS)
  ) {
    throw new RangeError(
      `expiresInSeconds must be an integer from 1 to ${MAX_TOKEN_LIFETIME_SECONDS}`,
    );
  }
  if (now !== undefined && !Number.isFinite(now)) {
    throw new RangeError('now must be an epoch in milliseconds');
  }
  for (const [name, value] of [
    ['issuer', issuer],
    ['audience', audience],
  ] as const) {
    if (value !== undefined && (typeof value !== 'string' || value === '')) {
      throw new RangeError(`${name} must be a non-empty string`);
    }
  }
}

let signingKey: ReturnType<typeof importJWK> | undefined;

/**
 * An access token shaped like OneLogin's, signed RS256 with the public demo key: header
 * `{ alg, kid, typ: 'JWT' }`, claims `iss`, `sub`, `aud` (an array, as OneLogin sends it), `iat`,
 * `exp`, `jti` and `scope`. Throws a RangeError on bad options.
 */
export async function signDemoToken(options: DemoTokenOptions): Promise<string> {
  checkOptions(options);
  const issuedAt = Math.floor((options.now ?? Date.now()) / 1000);
  const lifetime = options.expiresInSeconds ?? DEMO_TOKEN_LIFETIME_SECONDS;
  signingKey ??= importJWK(DEMO_SIGNING_KEY, DEMO_OIDC_ALGORITHM);
  return (
    new SignJWT({ scope: [...new Set(options.scopes)].join(' ') })
      .setProtectedHeader({ alg: DEMO_OIDC_ALGORITHM, kid: DEMO_OIDC_KEY_ID, typ: 'JWT' })
      .setIssuer(options.issuer ?? DEMO_OIDC_ISSUER)
      .setSubject(options.userId)
      .setAudience([options.audience ?? DEMO_OIDC_AUDIENCE])
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + lifetime)
      // OneLogin's jti is 21 URL-safe characters ("HlKVBL__W1pdAe0BOjwDe").
      .setJti(randomBytes(16).toString('base64url').slice(0, 21))
      .sign(await signingKey)
  );
}
