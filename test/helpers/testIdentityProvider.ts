import http from 'node:http';
import type { AddressInfo } from 'node:net';

import type { JWK } from 'jose';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';

export const TEST_ISSUER = 'https://acme.onelogin.com/oidc/2';
export const TEST_AUDIENCE = 'onelogin-events-gateway';

export interface TestSigningKey {
  kid: string;
  alg: 'RS256' | 'ES256';
  privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
  publicJwk: JWK;
}

export interface TokenOptions {
  sub?: string;
  scope?: string | string[] | undefined;
  issuer?: string;
  audience?: string | string[];
  /** Seconds from now (negative: already expired). Null: no exp claim. */
  expiresIn?: number | null;
  /** Seconds from now for nbf. */
  notBefore?: number;
  key?: TestSigningKey;
  /** Leave the kid out of the header. */
  withoutKid?: boolean;
  claims?: Record<string, unknown>;
  /** The clock the token is made at (epoch ms); default Date.now(). */
  now?: number;
}

/**
 * An identity provider made in the test: key pairs, a JWKS served over real
 * HTTP on port 0 (its keys can be rotated and the server made to fail), and
 * tokens signed like OneLogin's OIDC access tokens.
 */
export interface TestIdentityProvider {
  jwksURL: string;
  /** The key tokens are signed with unless told otherwise (published). */
  key: TestSigningKey;
  /** JWKS requests served so far. */
  jwksRequests(): number;
  /** Makes a new key pair (not published until `publish`). */
  newKey(alg?: 'RS256' | 'ES256'): Promise<TestSigningKey>;
  /** The keys the JWKS serves from now on. */
  publish(keys: TestSigningKey[]): void;
  /** While true, the JWKS answers 503. */
  failing(value: boolean): void;
  sign(options?: TokenOptions): Promise<string>;
  /** The gateway environment that trusts this provider. */
  env(extra?: Record<string, string>): Record<string, string>;
  close(): Promise<void>;
}

let keyCounter = 0;

async function makeKey(alg: 'RS256' | 'ES256'): Promise<TestSigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  keyCounter += 1;
  const kid = `test-key-${keyCounter}`;
  return {
    kid,
    alg,
    privateKey,
    publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' },
  };
}

export async function startTestIdentityProvider(): Promise<TestIdentityProvider> {
  let published: TestSigningKey[] = [];
  let fail = false;
  let requests = 0;
  const server = http.createServer((_req, res) => {
    requests += 1;
    if (fail) {
      res.writeHead(503).end('unavailable');
      return;
    }
    const body = JSON.stringify({ keys: published.map((key) => key.publicJwk) });
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const key = await makeKey('RS256');
  published = [key];
  const jwksURL = `http://127.0.0.1:${port}/oidc/2/certs`;
  return {
    jwksURL,
    key,
    jwksRequests: () => requests,
    newKey: (alg = 'RS256') => makeKey(alg),
    publish(keys) {
      published = keys;
    },
    failing(value) {
      fail = value;
    },
    async sign(options = {}) {
      const signing = options.key ?? key;
      const now = Math.floor((options.now ?? Date.now()) / 1000);
      const jwt = new SignJWT({
        ...(options.scope === undefined ? {} : { scope: options.scope }),
        ...options.claims,
      })
        .setProtectedHeader({
          alg: signing.alg,
          typ: 'JWT',
          ...(options.withoutKid ? {} : { kid: signing.kid }),
        })
        .setIssuer(options.issuer ?? TEST_ISSUER)
        .setAudience(options.audience ?? [TEST_AUDIENCE])
        .setSubject(options.sub ?? '1001')
        .setIssuedAt(now)
        .setJti(`jti-${Math.random().toString(36).slice(2)}`);
      if (options.expiresIn !== null) jwt.setExpirationTime(now + (options.expiresIn ?? 900));
      if (options.notBefore !== undefined) jwt.setNotBefore(now + options.notBefore);
      return jwt.sign(signing.privateKey);
    },
    env(extra = {}) {
      return {
        AUTH_MODE: 'jwt',
        AUTH_JWT_JWKS_URL: jwksURL,
        AUTH_JWT_ISSUER: TEST_ISSUER,
        AUTH_JWT_AUDIENCE: TEST_AUDIENCE,
        ...extra,
      };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
