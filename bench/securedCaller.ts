/**
 * The caller of the `secured` contestant: an RS256 key pair made for this run,
 * its public half as a JWKS in a temporary directory (the gateway reads it
 * through a `file:` AUTH_JWT_JWKS_URL), and one access token signed with it,
 * with the scope `events:read`, that every request of the contestant carries.
 * The key never leaves this process and the directory; both go with `remove`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { exportJWK, generateKeyPair, SignJWT } from 'jose';

/** Shaped like a OneLogin tenant's issuer; nothing is fetched from it. */
export const BENCH_ISSUER = 'https://bench.onelogin.com/oidc/2';
export const BENCH_AUDIENCE = 'onelogin-events-gateway-bench';
const KEY_ID = 'bench-key-1';
const ALGORITHM = 'RS256';
/** What the bench's requests read, and nothing more. */
export const BENCH_SCOPES = ['events:read'] as const;

export interface SecuredCaller {
  /** `file:<directory>/jwks.json`, for AUTH_JWT_JWKS_URL. */
  jwksURL: string;
  issuer: string;
  audience: string;
  /** The bearer token; never written to the report. */
  token: string;
  /** Seconds the token is valid from its creation. */
  lifetimeS: number;
  /** Deletes the temporary directory (the JWKS). */
  remove(): void;
}

/** A key pair, its JWKS on disk and a token valid for `lifetimeS` seconds. */
export async function createSecuredCaller(lifetimeS: number): Promise<SecuredCaller> {
  const { publicKey, privateKey } = await generateKeyPair(ALGORITHM);
  const jwk = { ...(await exportJWK(publicKey)), kid: KEY_ID, alg: ALGORITHM, use: 'sig' };
  const directory = mkdtempSync(path.join(os.tmpdir(), 'bench-jwks-'));
  const jwksPath = path.join(directory, 'jwks.json');
  writeFileSync(jwksPath, `${JSON.stringify({ keys: [jwk] })}\n`);
  const issuedAt = Math.floor(Date.now() / 1000);
  const token = await new SignJWT({ scope: BENCH_SCOPES.join(' ') })
    .setProtectedHeader({ alg: ALGORITHM, kid: KEY_ID, typ: 'JWT' })
    .setIssuer(BENCH_ISSUER)
    .setAudience(BENCH_AUDIENCE)
    .setSubject('bench-client')
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + lifetimeS)
    .sign(privateKey);
  return {
    jwksURL: `file:${jwksPath}`,
    issuer: BENCH_ISSUER,
    audience: BENCH_AUDIENCE,
    token,
    lifetimeS,
    remove: () => rmSync(directory, { recursive: true, force: true }),
  };
}
