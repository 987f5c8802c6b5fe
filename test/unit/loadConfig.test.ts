import { describe, expect, it } from '@jest/globals';

import { ConfigError, loadConfig } from '../../src/config/loadConfig';

const credentials = {
  ONELOGIN_BASE_URL: 'https://acme.onelogin.com',
  ONELOGIN_CLIENT_ID: 'id',
  ONELOGIN_CLIENT_SECRET: 'secret',
};

describe('loadConfig', () => {
  it('runs in demo mode when no OneLogin variable is set', () => {
    const config = loadConfig({});
    expect(config.demo).toBe(true);
    expect(config.oneLogin).toBeUndefined();
    expect(config.port).toBe(4000);
    expect(config.graphql).toEqual({
      introspection: true,
      explorer: 'sandbox',
      jit: true,
      federationAuthorizationDirectives: true,
      getQueries: true,
    });
    expect(config.auth).toEqual({
      methods: [],
      anonymous: 'trusted',
      explicitNone: false,
      jwt: undefined,
      apiKeysFile: undefined,
    });
    expect(config.cache.eventTypesTtlSeconds).toBe(3600);
    expect(config.cache.eventMaxBytes).toBe(64 * 1024 * 1024);
    expect(loadConfig({ EVENT_CACHE_MAX_BYTES: '1048576' }).cache.eventMaxBytes).toBe(1048576);
  });

  it('reads a complete OneLogin configuration', () => {
    const config = loadConfig({ ...credentials, ONELOGIN_API_KEY: 'key' });
    expect(config.demo).toBe(false);
    expect(config.oneLogin).toEqual({
      baseURL: 'https://acme.onelogin.com',
      clientId: 'id',
      clientSecret: 'secret',
    });
    expect(config.legacy).toEqual({ baseURL: 'https://api.onelogin.com', apiKey: 'key' });
  });

  it('refuses half a configuration instead of falling back to demo mode', () => {
    expect(() => loadConfig({ ONELOGIN_CLIENT_ID: 'id' })).toThrow(
      'OneLogin is partly configured: also set ONELOGIN_BASE_URL, ONELOGIN_CLIENT_SECRET',
    );
  });

  it('never repeats a secret in its messages', () => {
    let message = '';
    try {
      loadConfig({
        ...credentials,
        ONELOGIN_BASE_URL: 'not a url',
        REDIS_URL: 'http://user:hunter2@redis',
      });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('ONELOGIN_BASE_URL must be an absolute URL');
    expect(message).toContain('REDIS_URL must start with redis://');
    expect(message).not.toContain('secret');
    expect(message).not.toContain('hunter2');
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT must be a whole number from 0 to 65535 (got "eighty").'],
    [
      { EVENT_TYPES_CACHE_TTL_SECONDS: '90000' },
      'EVENT_TYPES_CACHE_TTL_SECONDS must be a whole number from 1 to 86400',
    ],
    [
      { EVENT_CACHE_MAX_BYTES: '64MB' },
      'EVENT_CACHE_MAX_BYTES must be a whole number from 1048576 to 68719476736 (got "64MB").',
    ],
    [
      { LOG_LEVEL: 'loud' },
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent',
    ],
    [
      {
        ONELOGIN_BASE_URL: 'https://acme.onelogin.com/api/1',
        ONELOGIN_CLIENT_ID: 'a',
        ONELOGIN_CLIENT_SECRET: 'b',
      },
      'must be the host only',
    ],
    [
      { EVENTS_DEFAULT_PAGE_SIZE: '900' },
      'EVENTS_DEFAULT_PAGE_SIZE (900) must not exceed EVENTS_MAX_PAGE_SIZE (500).',
    ],
    [{ NODE_ENV: 'production' }, 'NODE_ENV=production needs OneLogin credentials'],
    [
      { NODE_ENV: 'production', ...credentials, ONELOGIN_BASE_URL: 'http://acme.onelogin.com' },
      'ONELOGIN_BASE_URL must use https in production: it receives the credentials (got "http://acme.onelogin.com").',
    ],
  ])('explains what to fix for %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('serves the simulator in production only when asked to', () => {
    expect(loadConfig({ NODE_ENV: 'production', DEMO_MODE: 'true' }).demo).toBe(true);
  });
});

it('allows plain http to this machine in production (a local proxy, the simulator)', () => {
  expect(
    loadConfig({
      NODE_ENV: 'production',
      AUTH_MODE: 'none',
      ...credentials,
      ONELOGIN_BASE_URL: 'http://127.0.0.1:4010',
    }).oneLogin?.baseURL,
  ).toBe('http://127.0.0.1:4010');
});

describe('GRAPHQL_EXPLORER', () => {
  // Production needs credentials and AUTH_MODE before anything else is read.
  const production = { NODE_ENV: 'production', AUTH_MODE: 'none', ...credentials };

  it.each([
    [{}, 'sandbox'],
    [{ GRAPHQL_EXPLORER: 'graphiql' }, 'graphiql'],
    [{ GRAPHQL_EXPLORER: 'GraphiQL' }, 'graphiql'],
    [{ GRAPHQL_EXPLORER: 'off' }, 'off'],
    [{ GRAPHQL_EXPLORER: 'sandbox' }, 'sandbox'],
    // GRAPHQL_SANDBOX alone keeps its meaning.
    [{ GRAPHQL_SANDBOX: 'false' }, 'off'],
    [{ GRAPHQL_SANDBOX: 'true' }, 'sandbox'],
    // Both, saying the same thing.
    [{ GRAPHQL_SANDBOX: 'false', GRAPHQL_EXPLORER: 'off' }, 'off'],
    [{ GRAPHQL_SANDBOX: 'true', GRAPHQL_EXPLORER: 'sandbox' }, 'sandbox'],
    // No Sandbox, and GraphiQL instead: what a firewalled deployment moves to.
    [{ GRAPHQL_SANDBOX: 'false', GRAPHQL_EXPLORER: 'graphiql' }, 'graphiql'],
    [{ GRAPHQL_EXPLORER: '' }, 'sandbox'],
  ])('reads %j outside production as %s', (env, explorer) => {
    expect(loadConfig(env).graphql.explorer).toBe(explorer);
  });

  it.each([
    [{}, 'off'],
    [{ GRAPHQL_EXPLORER: 'graphiql' }, 'graphiql'],
    [{ GRAPHQL_EXPLORER: 'sandbox' }, 'sandbox'],
    [{ GRAPHQL_SANDBOX: 'true' }, 'sandbox'],
  ])('reads %j in production as %s: no page unless one is asked for', (env, explorer) => {
    expect(loadConfig({ ...production, ...env }).graphql.explorer).toBe(explorer);
  });

  it.each([
    [
      { GRAPHQL_EXPLORER: 'playground' },
      'GRAPHQL_EXPLORER must be one of sandbox, graphiql, off (got "playground").',
    ],
    [
      { GRAPHQL_SANDBOX: 'true', GRAPHQL_EXPLORER: 'graphiql' },
      'GRAPHQL_SANDBOX=true contradicts GRAPHQL_EXPLORER=graphiql: unset GRAPHQL_SANDBOX (GRAPHQL_EXPLORER replaces it).',
    ],
    [
      { GRAPHQL_SANDBOX: 'true', GRAPHQL_EXPLORER: 'off' },
      'GRAPHQL_SANDBOX=true contradicts GRAPHQL_EXPLORER=off',
    ],
    [
      { GRAPHQL_SANDBOX: 'false', GRAPHQL_EXPLORER: 'sandbox' },
      'GRAPHQL_SANDBOX=false contradicts GRAPHQL_EXPLORER=sandbox',
    ],
  ])('refuses %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('reports an unreadable GRAPHQL_SANDBOX once, as such', () => {
    expect(() => loadConfig({ GRAPHQL_SANDBOX: 'maybe', GRAPHQL_EXPLORER: 'sandbox' })).toThrow(
      new ConfigError(
        'Invalid configuration:\n- GRAPHQL_SANDBOX must be true or false (got "maybe").',
      ),
    );
  });
});
