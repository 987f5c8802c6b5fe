/**
 * The one reader of `process.env`. Everything the gateway can be told comes
 * through here, is validated at start-up, and fails with a message that says
 * what to set. The README's Configuration table lists the same variables.
 */

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface OneLoginConfig {
  /** e.g. https://acme.onelogin.com (no trailing slash). */
  baseURL: string;
  clientId: string;
  clientSecret: string;
}

export interface LegacyConfig {
  /** The legacy v1 API host, https://api.onelogin.com by default. */
  baseURL: string;
  /** Absent: the legacy fields answer UPSTREAM_NOT_CONFIGURED. */
  apiKey: string | undefined;
}

export interface Config {
  port: number;
  host: string;
  production: boolean;
  /** No credentials were configured: the gateway starts the simulator in-process and uses it. */
  demo: boolean;
  /** Absent in demo mode until the simulator has started (see src/index.ts). */
  oneLogin: OneLoginConfig | undefined;
  legacy: LegacyConfig;
  upstream: {
    timeoutMs: number;
    maxConnections: number;
    /** Extra attempts for idempotent calls (GETs, token requests) after a network error or a 5xx. */
    retries: number;
    /** The most OneLogin calls one GraphQL request may make. */
    callsPerRequest: number;
  };
  cache: {
    /** Absent: caches live in process memory. */
    redisURL: string | undefined;
    namespace: string;
    eventTypesTtlSeconds: number;
    /** An unknown event type id refreshes the catalogue at most this often. */
    eventTypesRefreshSeconds: number;
    eventTtlSeconds: number;
    /** In-memory event cache size (entries); Redis is bounded by its own eviction policy. */
    eventMaxEntries: number;
    failedProvisioningsTtlSeconds: number;
  };
  paging: {
    defaultPageSize: number;
    maxPageSize: number;
  };
  failedProvisionings: {
    maxRangeDays: number;
  };
  graphql: {
    introspection: boolean;
    sandbox: boolean;
    /** Execute with graphql-jit (see server/jitGateway.ts) instead of graphql-js. */
    jit: boolean;
  };
  cors: {
    /** '*' or a list of allowed origins. */
    origins: '*' | string[];
  };
  logLevel: LogLevel;
  demoSimulator: { seed: number; events: number };
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const LOG_LEVELS: readonly LogLevel[] = [
  'fatal',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
  'silent',
];

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  const read = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === '' ? undefined : value;
  };
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = read(name);
    if (raw === undefined) return fallback;
    if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max} (got "${raw}").`);
      return fallback;
    }
    return Number(raw);
  };
  const boolean = (name: string, fallback: boolean): boolean => {
    const raw = read(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
    if (['0', 'false', 'no', 'off'].includes(raw)) return false;
    problems.push(`${name} must be true or false (got "${raw}").`);
    return fallback;
  };
  const production = read('NODE_ENV') === 'production';
  const url = (name: string, value: string | undefined): string | undefined => {
    if (value === undefined) return undefined;
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      problems.push(
        `${name} must be an absolute URL such as https://acme.onelogin.com (got "${value}").`,
      );
      return undefined;
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
      problems.push(`${name} must be an http(s) URL (got "${value}").`);
      return undefined;
    }
    // Credentials travel to this host (Basic auth, bearer tokens): in production
    // only over TLS, unless it is this machine (a local proxy, the simulator).
    const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(parsed.hostname);
    if (production && parsed.protocol === 'http:' && !loopback) {
      problems.push(
        `${name} must use https in production: it receives the credentials (got "${value}").`,
      );
      return undefined;
    }
    if (parsed.search || parsed.hash || (parsed.pathname !== '/' && parsed.pathname !== '')) {
      problems.push(
        `${name} must be the host only, without a path, e.g. https://acme.onelogin.com (got "${value}").`,
      );
      return undefined;
    }
    return parsed.origin;
  };

  const baseURL = url('ONELOGIN_BASE_URL', read('ONELOGIN_BASE_URL'));
  const clientId = read('ONELOGIN_CLIENT_ID');
  const clientSecret = read('ONELOGIN_CLIENT_SECRET');
  const apiKey = read('ONELOGIN_API_KEY');
  const legacyBaseURL =
    url('ONELOGIN_LEGACY_BASE_URL', read('ONELOGIN_LEGACY_BASE_URL')) ?? 'https://api.onelogin.com';

  const anyOneLogin = [read('ONELOGIN_BASE_URL'), clientId, clientSecret, apiKey].some(
    (value) => value !== undefined,
  );
  let oneLogin: OneLoginConfig | undefined;
  if (anyOneLogin) {
    // Half a configuration is a mistake, never a reason to fall back to demo mode.
    const missing = [
      ['ONELOGIN_BASE_URL', read('ONELOGIN_BASE_URL')],
      ['ONELOGIN_CLIENT_ID', clientId],
      ['ONELOGIN_CLIENT_SECRET', clientSecret],
    ]
      .filter(([, value]) => value === undefined)
      .map(([name]) => name);
    if (missing.length > 0) {
      problems.push(
        `OneLogin is partly configured: also set ${missing.join(', ')} ` +
          '(or unset every ONELOGIN_* variable to run in demo mode on the embedded simulator).',
      );
    } else if (baseURL && clientId && clientSecret) {
      oneLogin = { baseURL, clientId, clientSecret };
    }
  }

  const redisURL = read('REDIS_URL');
  if (redisURL !== undefined && !/^rediss?:\/\//.test(redisURL)) {
    problems.push(
      `REDIS_URL must start with redis:// or rediss:// (got "${redactURL(redisURL)}").`,
    );
  }

  const logLevel = (read('LOG_LEVEL') ?? 'info').toLowerCase() as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${logLevel}").`);
  }

  const corsRaw = read('CORS_ORIGINS') ?? '*';
  const config: Config = {
    port: integer('PORT', 4000, 0, 65535),
    host: read('HOST') ?? 'localhost',
    production,
    demo: !anyOneLogin,
    oneLogin,
    legacy: { baseURL: legacyBaseURL, apiKey },
    upstream: {
      timeoutMs: integer('UPSTREAM_TIMEOUT_MS', 10_000, 100, 120_000),
      maxConnections: integer('UPSTREAM_MAX_CONNECTIONS', 32, 1, 1024),
      retries: integer('UPSTREAM_RETRIES', 2, 0, 5),
      callsPerRequest: integer('UPSTREAM_CALLS_PER_REQUEST_MAX', 50, 1, 10_000),
    },
    cache: {
      redisURL,
      namespace: read('CACHE_NAMESPACE') ?? 'onelogin-events-gateway',
      // OneLogin asks clients to keep the catalogue for at most 24 hours (API.md §4).
      eventTypesTtlSeconds: integer('EVENT_TYPES_CACHE_TTL_SECONDS', 3600, 1, 86_400),
      eventTypesRefreshSeconds: integer('EVENT_TYPES_REFRESH_INTERVAL_SECONDS', 60, 0, 86_400),
      eventTtlSeconds: integer('EVENT_CACHE_TTL_SECONDS', 3600, 0, 30 * 86_400),
      eventMaxEntries: integer('EVENT_CACHE_MAX_ENTRIES', 50_000, 0, 10_000_000),
      failedProvisioningsTtlSeconds: integer('FAILED_PROVISIONINGS_CACHE_TTL_SECONDS', 60, 0, 3600),
    },
    paging: {
      defaultPageSize: integer('EVENTS_DEFAULT_PAGE_SIZE', 20, 1, 10_000),
      maxPageSize: integer('EVENTS_MAX_PAGE_SIZE', 500, 1, 10_000),
    },
    failedProvisionings: {
      maxRangeDays: integer('FAILED_PROVISIONINGS_MAX_RANGE_DAYS', 31, 1, 3660),
    },
    graphql: {
      introspection: boolean('GRAPHQL_INTROSPECTION', !production),
      sandbox: boolean('GRAPHQL_SANDBOX', !production),
      jit: boolean('GRAPHQL_JIT', true),
    },
    cors: {
      origins:
        corsRaw === '*'
          ? '*'
          : corsRaw
              .split(',')
              .map((origin) => origin.trim())
              .filter(Boolean),
    },
    logLevel,
    demoSimulator: {
      seed: integer('DEMO_SEED', 1, 0, 2 ** 31 - 1),
      events: integer('DEMO_EVENTS', 20_000, 0, 1_000_000),
    },
  };
  if (config.paging.defaultPageSize > config.paging.maxPageSize) {
    problems.push(
      `EVENTS_DEFAULT_PAGE_SIZE (${config.paging.defaultPageSize}) must not exceed EVENTS_MAX_PAGE_SIZE (${config.paging.maxPageSize}).`,
    );
  }
  // A production deployment whose secrets failed to mount must not quietly serve
  // simulated data: there, demo mode has to be asked for.
  if (production && config.demo && !boolean('DEMO_MODE', false)) {
    problems.push(
      'NODE_ENV=production needs OneLogin credentials: set ONELOGIN_BASE_URL, ONELOGIN_CLIENT_ID and ' +
        'ONELOGIN_CLIENT_SECRET, or set DEMO_MODE=true to serve the embedded simulator on purpose.',
    );
  }
  if (problems.length > 0) {
    throw new ConfigError(`Invalid configuration:\n- ${problems.join('\n- ')}`);
  }
  return config;
}

/** A URL with any password replaced, for messages and logs. */
export function redactURL(value: string): string {
  try {
    const parsed = new URL(value);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return value.replace(/\/\/([^@/]*)@/, '//***@');
  }
}
