import { describe, expect, it } from '@jest/globals';

import { ConfigError, loadConfig } from '../../src/config/loadConfig';

/** A complete OneLogin configuration: production without it is refused for another reason. */
const ONELOGIN = {
  ONELOGIN_BASE_URL: 'https://acme.onelogin.com',
  ONELOGIN_CLIENT_ID: 'id',
  ONELOGIN_CLIENT_SECRET: 'secret',
};
const PRODUCTION = { NODE_ENV: 'production', ...ONELOGIN };
const JWT = {
  AUTH_MODE: 'jwt',
  AUTH_JWT_JWKS_URL: 'https://acme.onelogin.com/oidc/2/certs',
  AUTH_JWT_ISSUER: 'https://acme.onelogin.com/oidc/2',
  AUTH_JWT_AUDIENCE: 'onelogin-events-gateway',
};
const ALGORITHMS = 'RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA, Ed25519';

/** The JWT settings with every default. */
const JWT_DEFAULTS = {
  jwksURL: 'https://acme.onelogin.com/oidc/2/certs',
  issuer: 'https://acme.onelogin.com/oidc/2',
  audience: ['onelogin-events-gateway'],
  scopesClaim: 'scope',
  userIdClaim: 'sub',
  algorithms: ['RS256', 'PS256', 'ES256', 'EdDSA'],
  clockToleranceSeconds: 30,
  jwksCacheSeconds: 600,
  jwksCooldownSeconds: 30,
};

const ANONYMOUS_TRUSTED = {
  methods: [],
  anonymous: 'trusted',
  explicitNone: false,
  jwt: undefined,
  apiKeysFile: undefined,
};

/** The whole message loadConfig refuses `env` with. */
function refusal(env: NodeJS.ProcessEnv): string {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('loadConfig accepted the configuration');
}

const problems = (...lines: string[]) => `Invalid configuration:\n- ${lines.join('\n- ')}`;

describe('authentication settings', () => {
  describe('in production', () => {
    it('refuses to start without AUTH_MODE, and says what to set', () => {
      expect(refusal(PRODUCTION)).toBe(
        problems(
          'NODE_ENV=production needs AUTH_MODE: jwt, api-key or jwt,api-key to authenticate callers, ' +
            'or none for a subgraph only a router that authenticates can reach.',
        ),
      );
    });

    it('allows demo mode asked for with DEMO_MODE=true without AUTH_MODE: anonymous callers are trusted', () => {
      const config = loadConfig({ NODE_ENV: 'production', DEMO_MODE: 'true' });
      expect({ demo: config.demo, auth: config.auth }).toEqual({
        demo: true,
        auth: ANONYMOUS_TRUSTED,
      });
    });

    it('still needs OneLogin credentials or DEMO_MODE=true, whatever AUTH_MODE says', () => {
      expect(refusal({ NODE_ENV: 'production', AUTH_MODE: 'none' })).toBe(
        problems(
          'NODE_ENV=production needs OneLogin credentials: set ONELOGIN_BASE_URL, ONELOGIN_CLIENT_ID and ' +
            'ONELOGIN_CLIENT_SECRET, or set DEMO_MODE=true to serve the embedded simulator on purpose.',
        ),
      );
    });
  });

  describe('AUTH_MODE', () => {
    it('jwt: tokens of the configured issuer, nobody anonymous', () => {
      expect(loadConfig({ ...PRODUCTION, ...JWT }).auth).toEqual({
        methods: ['jwt'],
        anonymous: 'refused',
        explicitNone: false,
        jwt: JWT_DEFAULTS,
        apiKeysFile: undefined,
      });
    });

    it('api-key: the keys of AUTH_API_KEYS_FILE, nobody anonymous', () => {
      expect(
        loadConfig({
          ...PRODUCTION,
          AUTH_MODE: 'api-key',
          AUTH_API_KEYS_FILE: '/etc/gateway/keys.json',
        }).auth,
      ).toEqual({
        methods: ['api-key'],
        anonymous: 'refused',
        explicitNone: false,
        jwt: undefined,
        apiKeysFile: '/etc/gateway/keys.json',
      });
    });

    it.each(['jwt,api-key', 'api-key,jwt', ' JWT , API-Key '])('%j: both', (mode) => {
      expect(
        loadConfig({
          ...PRODUCTION,
          ...JWT,
          AUTH_MODE: mode,
          AUTH_API_KEYS_FILE: '/etc/gateway/keys.json',
        }).auth,
      ).toEqual({
        methods: ['jwt', 'api-key'],
        anonymous: 'refused',
        explicitNone: false,
        jwt: JWT_DEFAULTS,
        apiKeysFile: '/etc/gateway/keys.json',
      });
    });

    it('none: nobody is checked, anonymous callers are trusted, and it is marked as asked for', () => {
      expect(loadConfig({ ...PRODUCTION, AUTH_MODE: 'none' }).auth).toEqual({
        ...ANONYMOUS_TRUSTED,
        explicitNone: true,
      });
    });

    it('refuses anything else', () => {
      expect(refusal({ ...PRODUCTION, AUTH_MODE: 'junk' })).toBe(
        problems('AUTH_MODE must be jwt, api-key, jwt,api-key or none (got "junk").'),
      );
    });

    it('is not needed outside production: anonymous callers are trusted', () => {
      expect(loadConfig(ONELOGIN).auth).toEqual(ANONYMOUS_TRUSTED);
      expect(loadConfig({}).auth).toEqual(ANONYMOUS_TRUSTED);
    });
  });

  describe('missing settings are named', () => {
    it.each([
      [
        { AUTH_MODE: 'jwt' },
        'AUTH_MODE=jwt needs AUTH_JWT_JWKS_URL, AUTH_JWT_ISSUER, AUTH_JWT_AUDIENCE.',
      ],
      [
        { AUTH_MODE: 'jwt', AUTH_JWT_JWKS_URL: JWT.AUTH_JWT_JWKS_URL },
        'AUTH_MODE=jwt needs AUTH_JWT_ISSUER, AUTH_JWT_AUDIENCE.',
      ],
      [{ ...JWT, AUTH_JWT_AUDIENCE: ' , ' }, 'AUTH_MODE=jwt needs AUTH_JWT_AUDIENCE.'],
      [
        { AUTH_MODE: 'api-key' },
        'AUTH_MODE=api-key needs AUTH_API_KEYS_FILE (a JSON file of hashed keys).',
      ],
    ])('%j', (env, message) => {
      expect(refusal({ ...PRODUCTION, ...env })).toBe(problems(message));
    });

    it('names every missing setting of both methods at once', () => {
      expect(refusal({ ...PRODUCTION, AUTH_MODE: 'jwt,api-key' })).toBe(
        problems(
          'AUTH_MODE=jwt,api-key needs AUTH_JWT_JWKS_URL, AUTH_JWT_ISSUER, AUTH_JWT_AUDIENCE.',
          'AUTH_MODE=jwt,api-key needs AUTH_API_KEYS_FILE (a JSON file of hashed keys).',
        ),
      );
    });
  });

  describe('AUTH_JWT_ALGORITHMS', () => {
    it.each([
      ['HS256', 'HS256'],
      ['none', 'none'],
      ['RS256,HS512,none', 'HS512,none'],
      ['rs256', 'rs256'],
      [',', 'nothing'],
    ])('refuses %j', (algorithms, got) => {
      expect(refusal({ ...PRODUCTION, ...JWT, AUTH_JWT_ALGORITHMS: algorithms })).toBe(
        problems(
          `AUTH_JWT_ALGORITHMS may only list ${ALGORITHMS} (got "${got}"): ` +
            '`none` and HMAC algorithms are never accepted.',
        ),
      );
    });

    it('takes a list of asymmetric algorithms', () => {
      expect(
        loadConfig({ ...PRODUCTION, ...JWT, AUTH_JWT_ALGORITHMS: ' ES384 , EdDSA,PS512 ' }).auth.jwt
          ?.algorithms,
      ).toEqual(['ES384', 'EdDSA', 'PS512']);
    });
  });

  describe('AUTH_JWT_JWKS_URL', () => {
    it('refuses plain http in production: whoever can change the keys can forge tokens', () => {
      expect(
        refusal({
          ...PRODUCTION,
          ...JWT,
          AUTH_JWT_JWKS_URL: 'http://acme.onelogin.com/oidc/2/certs',
        }),
      ).toBe(
        problems(
          'AUTH_JWT_JWKS_URL must use https in production: whoever can change the keys can forge tokens ' +
            '(got "http://acme.onelogin.com/oidc/2/certs").',
        ),
      );
    });

    it.each([
      'http://localhost:8080/certs',
      'http://127.0.0.1:8080/certs',
      'http://[::1]:8080/certs',
    ])('allows plain http to this machine in production: %s', (url) => {
      expect(loadConfig({ ...PRODUCTION, ...JWT, AUTH_JWT_JWKS_URL: url }).auth.jwt?.jwksURL).toBe(
        url,
      );
    });

    it.each(['http://localhost.evil.example/certs', 'http://localhost@evil.example/certs'])(
      'does not take %s for this machine',
      (url) => {
        expect(refusal({ ...PRODUCTION, ...JWT, AUTH_JWT_JWKS_URL: url })).toBe(
          problems(
            'AUTH_JWT_JWKS_URL must use https in production: whoever can change the keys can forge tokens ' +
              `(got "${url}").`,
          ),
        );
      },
    );

    it('allows plain http outside production', () => {
      expect(
        loadConfig({ ...ONELOGIN, ...JWT, AUTH_JWT_JWKS_URL: 'http://idp.internal/certs' }).auth.jwt
          ?.jwksURL,
      ).toBe('http://idp.internal/certs');
    });

    it.each(['file:/etc/gateway/jwks.json', 'file:///etc/gateway/jwks.json', 'file:jwks.json'])(
      'takes a file: JWKS in production: %s',
      (url) => {
        expect(
          loadConfig({ ...PRODUCTION, ...JWT, AUTH_JWT_JWKS_URL: url }).auth.jwt?.jwksURL,
        ).toBe(url);
      },
    );

    it('refuses another scheme', () => {
      expect(
        refusal({ ...PRODUCTION, ...JWT, AUTH_JWT_JWKS_URL: 'ftp://acme.onelogin.com/certs' }),
      ).toBe(
        problems(
          'AUTH_JWT_JWKS_URL must be an http(s):// URL or a file: path (got "ftp://acme.onelogin.com/certs").',
        ),
      );
    });
  });

  describe('the other JWT settings', () => {
    it('reads every one of them', () => {
      expect(
        loadConfig({
          ...PRODUCTION,
          ...JWT,
          AUTH_JWT_AUDIENCE: 'app-one, app-two',
          AUTH_JWT_SCOPES_CLAIM: 'scp',
          AUTH_JWT_USER_ID_CLAIM: 'https://acme.example/onelogin_user_id',
          AUTH_JWT_ALGORITHMS: 'ES256',
          AUTH_JWT_CLOCK_TOLERANCE_SECONDS: '0',
          AUTH_JWKS_CACHE_SECONDS: '3600',
          AUTH_JWKS_COOLDOWN_SECONDS: '5',
        }).auth.jwt,
      ).toEqual({
        ...JWT_DEFAULTS,
        audience: ['app-one', 'app-two'],
        scopesClaim: 'scp',
        userIdClaim: 'https://acme.example/onelogin_user_id',
        algorithms: ['ES256'],
        clockToleranceSeconds: 0,
        jwksCacheSeconds: 3600,
        jwksCooldownSeconds: 5,
      });
    });

    it('says what is wrong with each of them, all at once', () => {
      expect(
        refusal({
          ...PRODUCTION,
          ...JWT,
          AUTH_JWT_SCOPES_CLAIM: 'my scopes',
          AUTH_JWT_USER_ID_CLAIM: 'user"id',
          AUTH_JWT_CLOCK_TOLERANCE_SECONDS: '301',
          AUTH_JWKS_CACHE_SECONDS: '9',
          AUTH_JWKS_COOLDOWN_SECONDS: '0',
        }),
      ).toBe(
        problems(
          'AUTH_JWT_SCOPES_CLAIM must be a claim name such as scope (got "my scopes").',
          'AUTH_JWT_USER_ID_CLAIM must be a claim name such as sub (got "user"id").',
          'AUTH_JWT_CLOCK_TOLERANCE_SECONDS must be a whole number from 0 to 300 (got "301").',
          'AUTH_JWKS_CACHE_SECONDS must be a whole number from 10 to 86400 (got "9").',
          'AUTH_JWKS_COOLDOWN_SECONDS must be a whole number from 1 to 3600 (got "0").',
        ),
      );
    });
  });

  describe('AUTH_* settings without AUTH_MODE', () => {
    it('refuses the settings that define a method: JWKS URL, issuer, audience, keys file', () => {
      expect(refusal({ AUTH_JWT_JWKS_URL: JWT.AUTH_JWT_JWKS_URL })).toBe(
        problems(
          'AUTH_JWT_JWKS_URL is set but AUTH_MODE is not: set AUTH_MODE to jwt, api-key or jwt,api-key.',
        ),
      );
      expect(
        refusal({
          ...PRODUCTION,
          AUTH_JWT_ISSUER: JWT.AUTH_JWT_ISSUER,
          AUTH_JWT_AUDIENCE: JWT.AUTH_JWT_AUDIENCE,
          AUTH_API_KEYS_FILE: '/etc/gateway/keys.json',
        }),
      ).toBe(
        problems(
          'AUTH_JWT_ISSUER, AUTH_JWT_AUDIENCE, AUTH_API_KEYS_FILE are set but AUTH_MODE is not: ' +
            'set AUTH_MODE to jwt, api-key or jwt,api-key.',
        ),
      );
    });

    it('refuses them in demo mode too, where they would be ignored', () => {
      expect(
        refusal({
          NODE_ENV: 'production',
          DEMO_MODE: 'true',
          AUTH_API_KEYS_FILE: '/etc/gateway/keys.json',
        }),
      ).toBe(
        problems(
          'AUTH_API_KEYS_FILE is set but AUTH_MODE is not: set AUTH_MODE to jwt, api-key or jwt,api-key.',
        ),
      );
    });

    // Each of these, set without AUTH_MODE, is a configuration the gateway would silently ignore
    // (running with anonymous callers trusted outside production and in demo mode).
    it.each([
      ['AUTH_JWT_SCOPES_CLAIM', 'scp'],
      ['AUTH_JWT_USER_ID_CLAIM', 'onelogin_user_id'],
      ['AUTH_JWT_ALGORITHMS', 'RS256'],
      ['AUTH_JWT_CLOCK_TOLERANCE_SECONDS', '10'],
      ['AUTH_JWKS_CACHE_SECONDS', '60'],
      ['AUTH_JWKS_COOLDOWN_SECONDS', '5'],
    ])('refuses %s=%s', (name, value) => {
      expect(refusal({ [name]: value })).toBe(
        problems(
          `${name} is set but AUTH_MODE is not: set AUTH_MODE to jwt, api-key or jwt,api-key.`,
        ),
      );
    });
  });
});

describe('production defaults for browsers and GET', () => {
  it.each([
    [[], 'in production', PRODUCTION],
    [[], 'in production with demo mode', { NODE_ENV: 'production', DEMO_MODE: 'true' }],
    ['*', 'outside production', ONELOGIN],
  ])('CORS_ORIGINS defaults to %j %s', (origins, _where, env) => {
    expect(loadConfig({ AUTH_MODE: 'none', ...env }).cors).toEqual({ origins });
  });

  it.each([
    [
      ' https://app.acme.example , https://admin.acme.example,',
      ['https://app.acme.example', 'https://admin.acme.example'],
    ],
    ['*', '*'],
  ])('CORS_ORIGINS=%j in production is %j', (value, origins) => {
    expect(loadConfig({ ...PRODUCTION, AUTH_MODE: 'none', CORS_ORIGINS: value }).cors).toEqual({
      origins,
    });
  });

  it('turns GET queries off in production, unless GRAPHQL_GET_QUERIES says otherwise', () => {
    const getQueries = (env: NodeJS.ProcessEnv) => loadConfig(env).graphql.getQueries;
    expect([
      getQueries({ ...PRODUCTION, AUTH_MODE: 'none' }),
      getQueries({ ...PRODUCTION, AUTH_MODE: 'none', GRAPHQL_GET_QUERIES: 'true' }),
      getQueries(ONELOGIN),
      getQueries({ ...ONELOGIN, GRAPHQL_GET_QUERIES: 'off' }),
    ]).toEqual([false, true, true, false]);
  });

  it('refuses a GRAPHQL_GET_QUERIES that is not a boolean', () => {
    expect(refusal({ ...PRODUCTION, AUTH_MODE: 'none', GRAPHQL_GET_QUERIES: 'sometimes' })).toBe(
      problems('GRAPHQL_GET_QUERIES must be true or false (got "sometimes").'),
    );
  });
});

describe('TRUSTED_DOCUMENTS', () => {
  it('is off by default', () => {
    expect(loadConfig(ONELOGIN).trustedDocuments).toEqual({
      mode: 'off',
      file: undefined,
      redisKey: undefined,
    });
  });

  it.each([
    [
      { TRUSTED_DOCUMENTS: 'allow', TRUSTED_DOCUMENTS_FILE: 'persisted-documents.json' },
      { mode: 'allow', file: 'persisted-documents.json', redisKey: undefined },
    ],
    [
      { TRUSTED_DOCUMENTS: 'ENFORCE', TRUSTED_DOCUMENTS_FILE: 'persisted-documents.json' },
      { mode: 'enforce', file: 'persisted-documents.json', redisKey: undefined },
    ],
    [
      {
        TRUSTED_DOCUMENTS: 'enforce',
        TRUSTED_DOCUMENTS_REDIS_KEY: 'documents',
        REDIS_URL: 'redis://cache:6379',
      },
      { mode: 'enforce', file: undefined, redisKey: 'documents' },
    ],
  ])('reads %j', (env, trustedDocuments) => {
    expect(loadConfig({ ...ONELOGIN, ...env }).trustedDocuments).toEqual(trustedDocuments);
  });

  it.each([
    [
      { TRUSTED_DOCUMENTS: 'strict' },
      'TRUSTED_DOCUMENTS must be off, allow or enforce (got "strict").',
    ],
    [
      { TRUSTED_DOCUMENTS: 'enforce' },
      'TRUSTED_DOCUMENTS=enforce needs TRUSTED_DOCUMENTS_FILE (persisted-documents.json) or TRUSTED_DOCUMENTS_REDIS_KEY.',
    ],
    [
      { TRUSTED_DOCUMENTS: 'allow' },
      'TRUSTED_DOCUMENTS=allow needs TRUSTED_DOCUMENTS_FILE (persisted-documents.json) or TRUSTED_DOCUMENTS_REDIS_KEY.',
    ],
    [
      { TRUSTED_DOCUMENTS: 'enforce', TRUSTED_DOCUMENTS_REDIS_KEY: 'documents' },
      'TRUSTED_DOCUMENTS_REDIS_KEY needs REDIS_URL.',
    ],
  ])('refuses %j', (env, message) => {
    expect(refusal({ ...ONELOGIN, ...env })).toBe(problems(message));
  });
});
