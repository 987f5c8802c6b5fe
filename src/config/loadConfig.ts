/**
 * The one reader of `process.env`. Everything the gateway can be told comes
 * through here, is validated at start-up, and fails with a message that says
 * what to set. The README's Configuration table lists the same variables.
 */

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/**
 * What a browser gets at `GET /graphql` (GRAPHQL_EXPLORER): Apollo Sandbox
 * (loaded from Apollo's servers), GraphiQL served by the gateway itself, or
 * no page at all.
 */
export type ExplorerKind = 'sandbox' | 'graphiql' | 'off';

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

/** How callers prove who they are (see src/auth). */
export type AuthMethod = 'jwt' | 'api-key';

export interface JwtAuthConfig {
  /** An http(s) URL, or a `file:` URL of a JSON Web Key Set on disk. */
  jwksURL: string;
  issuer: string;
  /** Accepted audiences (any one of them). */
  audience: string[];
  /** The claim holding the caller's scopes: a space-separated string or an array. */
  scopesClaim: string;
  /** The claim holding the caller's OneLogin user id (for `events:read:self` and `me`). */
  userIdClaim: string;
  /** Accepted signature algorithms: asymmetric only, never `none` or HMAC. */
  algorithms: string[];
  clockToleranceSeconds: number;
  /** Keys are fetched again after this long (in the background, keeping the old ones meanwhile). */
  jwksCacheSeconds: number;
  /** An unknown `kid` fetches the key set again at most this often. */
  jwksCooldownSeconds: number;
}

export interface AuthConfig {
  /** Credentials the gateway accepts; empty with AUTH_MODE=none or with anonymous access in development. */
  methods: AuthMethod[];
  /**
   * What a request without credentials is: `refused` (HTTP 401), or `trusted` with
   * every scope (AUTH_MODE=none; development and demo mode without auth settings).
   */
  anonymous: 'refused' | 'trusted';
  /** AUTH_MODE=none was asked for (a warning at every start). */
  explicitNone: boolean;
  jwt: JwtAuthConfig | undefined;
  /** JSON file of named API keys (SHA-256 hashes) and their scopes. */
  apiKeysFile: string | undefined;
}

export interface LimitsConfig {
  /** Requests one caller may make per minute (all replicas together, with Redis). */
  requestsPerMinute: number;
  /** OneLogin calls one caller's requests may cause per hour: its share of the account's 5,000. */
  upstreamCallsPerHour: number;
  /** `createEvent` fields one request may hold. */
  createEventsPerRequest: number;
  maxDepth: number;
  maxAliases: number;
  maxTokens: number;
  maxDirectives: number;
  /** How often one selection set may repeat the same field (response name). */
  maxDuplicateFields: number;
}

export interface TrustedDocumentsConfig {
  /**
   * `off`: documents by id are not served; `allow`: documents by id are served
   * and any other document too; `enforce`: only documents of the list (except
   * for callers with the `graphql:any-operation` scope).
   */
  mode: 'off' | 'allow' | 'enforce';
  /** GraphQL Code Generator's `persisted-documents.json`: `{ "<sha256>": "<document>" }`. */
  file: string | undefined;
  /** A Redis hash (field: hash, value: document), read through REDIS_URL. */
  redisKey: string | undefined;
}

/** The OpenTelemetry samplers of OTEL_TRACES_SAMPLER the gateway accepts. */
export type TraceSamplerName =
  | 'always_on'
  | 'always_off'
  | 'traceidratio'
  | 'parentbased_always_on'
  | 'parentbased_always_off'
  | 'parentbased_traceidratio';

/**
 * OpenTelemetry tracing (see observability/tracing.ts), from the standard
 * `OTEL_*` variables. On only when an OTLP endpoint is set, and neither
 * OTEL_SDK_DISABLED nor OTEL_TRACES_EXPORTER=none says otherwise.
 */
export interface TracingConfig {
  enabled: boolean;
  /** Why tracing is off, for the start-up log (undefined when on). */
  offBecause: string | undefined;
  /** The OTLP/HTTP traces URL, e.g. http://collector:4318/v1/traces. */
  endpoint: string | undefined;
  /** OTLP over HTTP with JSON bodies (the default here) or protobuf (the OpenTelemetry spec's default). */
  protocol: 'http/json' | 'http/protobuf';
  /**
   * OTEL_EXPORTER_OTLP_(TRACES_)HEADERS, a secret (often a vendor's API key):
   * a function, so that printing the configuration never prints them.
   */
  exportHeaders: () => Readonly<Record<string, string>>;
  /** The header names only, for the start-up log. */
  exportHeaderNames: string[];
  /** Time limit of one export (OTEL_EXPORTER_OTLP_TIMEOUT). */
  exportTimeoutMs: number;
  serviceName: string;
  /** OTEL_RESOURCE_ATTRIBUTES (service.name is `serviceName`). */
  resourceAttributes: Readonly<Record<string, string>>;
  sampler: { name: TraceSamplerName; ratio: number };
  /**
   * TRACING_CONTINUE_TRACEPARENT: whether a request's `traceparent` is
   * continued (its server span a child of the caller's, the parent-based
   * samplers following the caller's sampling flag). Off by default: a
   * request then starts a trace of its own, sampled by the gateway alone, with
   * a link to the caller's span; otherwise any client could have every one of
   * its requests traced, or write into the traces of others. On behind a
   * router or proxy that sets `traceparent` itself.
   */
  continueTraceparent: boolean;
  /** The batch span processor (OTEL_BSP_*). */
  batch: {
    scheduleDelayMs: number;
    exportTimeoutMs: number;
    maxQueueSize: number;
    maxExportBatchSize: number;
  };
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
    /** The time limit of one attempt of a read (or a token request); retried after it. */
    timeoutMs: number;
    /** The time limit of a write (`createEvent`), which is never retried. */
    writeTimeoutMs: number;
    /** All upstream work of one GraphQL request ends by then (nested chains and retries included). */
    requestDeadlineMs: number;
    maxConnections: number;
    /** Extra attempts for idempotent calls (GETs, token requests) after a network error, a timeout or a 5xx. */
    retries: number;
    /** Retries are at most this share of all calls over `windowMs`, retries included (with `minimum` per window always allowed). */
    retryBudget: { ratio: number; windowMs: number; minimum: number };
    /**
     * The share (0 to 1) of OneLogin's hourly limit kept for interactive work: below it,
     * bulk work is refused with UPSTREAM_BUDGET_LOW (see limits/AccountBudget).
     */
    reserve: number;
    /** The most OneLogin calls one GraphQL request may make. */
    callsPerRequest: number;
    /** Each route's circuit breaker (see upstream/HttpTransport). */
    breaker: {
      threshold: number;
      windowMs: number;
      minimumRps: number;
      halfOpenAfterMs: number;
    };
  };
  cache: {
    /** Absent: caches live in process memory. */
    redisURL: string | undefined;
    /** How long start-up waits for Redis before serving from memory meanwhile. */
    redisConnectWaitMs: number;
    namespace: string;
    eventTypesTtlSeconds: number;
    /** An unknown event type id refreshes the catalogue at most this often. */
    eventTypesRefreshSeconds: number;
    eventTtlSeconds: number;
    /** In-memory event cache size (entries); Redis is bounded by its own eviction policy. */
    eventMaxEntries: number;
    /** In-memory event cache size (estimated bytes of keys and values), whichever limit comes first. */
    eventMaxBytes: number;
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
    /** The page a browser gets at the GraphQL URL (see ExplorerKind). */
    explorer: ExplorerKind;
    /** Execute with graphql-jit (see server/jitGateway.ts) instead of graphql-js. */
    jit: boolean;
    /** Declare `@authenticated`/`@requiresScopes` in the subgraph SDL (off for @apollo/gateway). */
    federationAuthorizationDirectives: boolean;
    /** Serve queries over GET (off in production: every client POSTs; GET invites CSRF-style use). */
    getQueries: boolean;
  };
  cors: {
    /** '*' or a list of allowed origins (empty: no cross-origin access). */
    origins: '*' | string[];
  };
  auth: AuthConfig;
  limits: LimitsConfig;
  trustedDocuments: TrustedDocumentsConfig;
  tracing: TracingConfig;
  logLevel: LogLevel;
  /**
   * `json` (one object a line, for collectors), `pretty` (pino-pretty, for a
   * person), or `auto`: pretty when stdout is a terminal (the default outside production).
   */
  logFormat: 'json' | 'pretty' | 'auto';
  metrics: {
    /** Serve Prometheus metrics at `/metrics`. */
    enabled: boolean;
    /** A port of its own for `/metrics` (on `host`), so it need not be public; absent: the gateway's port. */
    port: number | undefined;
  };
  shutdown: {
    /**
     * After SIGTERM, how long the gateway keeps serving while `/readyz` says 503,
     * so that load balancers stop sending before it stops listening.
     */
    drainDelayMs: number;
    /** Then how long requests in flight may take to finish before their connections are closed. */
    graceMs: number;
  };
  demoSimulator: { seed: number; events: number; liveEventsPerMinute: number };
  /** `Subscription.eventAdded` (see src/live/LiveFeed.ts). */
  live: LiveConfig;
}

export interface LiveConfig {
  /** How often the cluster's one poller asks OneLogin for new events (while anyone subscribes). */
  pollIntervalMs: number;
  /** Each poll asks again for this long before the newest event seen, for events OneLogin lists late. */
  overlapMs: number;
  /** The most pages of 50 one poll reads; the rest waits for the next poll. */
  maxPagesPerPoll: number;
  /** The feed (a Redis stream, or a ring buffer in memory) keeps about this many events… */
  streamMaxLength: number;
  /** …and none older than this (by when they were published). */
  streamMaxAgeMs: number;
  /** Events one subscriber may have waiting before it is closed for being too slow. */
  subscriberBuffer: number;
  /** The poller's lease in Redis: it renews it every third of this, and another replica takes over once it lapses. */
  leaseMs: number;
  /** A cursor older than this is refused (resuming would mean replaying too much from OneLogin). */
  resumeMaxAgeMs: number;
  /**
   * Live subscriptions one authenticated caller may hold at once on one replica; 0: no cap.
   * Anonymous callers (AUTH_MODE=none, where whatever is in front is trusted) are not capped.
   */
  subscriptionsPerCallerMax: number;
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
  /** A number with an optional fraction, e.g. 0.2 (seconds in tests). */
  const decimal = (name: string, fallback: number, min: number, max: number): number => {
    const raw = read(name);
    if (raw === undefined) return fallback;
    if (!/^\d+(?:\.\d+)?$/.test(raw) || Number(raw) < min || Number(raw) > max) {
      problems.push(`${name} must be a number from ${min} to ${max} (got "${raw}").`);
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
    if (production && parsed.protocol === 'http:' && !isLoopbackURL(value)) {
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

  // Readable lines for a person at a terminal in development; JSON for collectors.
  const logFormat = (read('LOG_FORMAT') ?? (production ? 'json' : 'auto')).toLowerCase();
  if (!['json', 'pretty', 'auto'].includes(logFormat)) {
    problems.push(`LOG_FORMAT must be json, pretty or auto (got "${logFormat}").`);
  }
  const metricsPort =
    read('METRICS_PORT') === undefined ? undefined : integer('METRICS_PORT', 0, 0, 65535);

  // In production a page on another site may not call the gateway unless listed.
  const corsRaw = read('CORS_ORIGINS') ?? (production ? '' : '*');
  const config: Config = {
    port: integer('PORT', 4000, 0, 65535),
    host: read('HOST') ?? 'localhost',
    production,
    demo: !anyOneLogin,
    oneLogin,
    legacy: { baseURL: legacyBaseURL, apiKey },
    upstream: {
      // Well under the deadline: a hung call is abandoned and retried while there is time
      // (OneLogin answers a 50-event page in well under a second).
      timeoutMs: integer('UPSTREAM_TIMEOUT_MS', 2000, 100, 120_000),
      writeTimeoutMs: integer('UPSTREAM_WRITE_TIMEOUT_MS', 10_000, 100, 120_000),
      requestDeadlineMs: integer('UPSTREAM_REQUEST_DEADLINE_MS', 15_000, 100, 600_000),
      maxConnections: integer('UPSTREAM_MAX_CONNECTIONS', 32, 1, 1024),
      // Five attempts: with one call in five failing, 99.97 % of calls succeed, at 1.25 calls
      // each on average; the retry budget keeps the total bounded when more fail.
      retries: integer('UPSTREAM_RETRIES', 4, 0, 5),
      retryBudget: {
        // A quarter of all calls: one upstream failing one call in five needs 0.2 + 0.2² + …
        // = 0.25 retries per call, i.e. 20 % of all calls; the room above keeps it unbound there.
        ratio: integer('UPSTREAM_RETRY_BUDGET_PERCENT', 25, 0, 100) / 100,
        windowMs: 10_000,
        minimum: integer('UPSTREAM_RETRY_BUDGET_MIN_PER_10S', 10, 0, 100_000),
      },
      reserve: integer('UPSTREAM_RESERVE_PERCENT', 20, 0, 90) / 100,
      callsPerRequest: integer('UPSTREAM_CALLS_PER_REQUEST_MAX', 50, 1, 10_000),
      breaker: {
        threshold: integer('UPSTREAM_BREAKER_FAILURE_PERCENT', 50, 1, 100) / 100,
        windowMs: integer('UPSTREAM_BREAKER_WINDOW_SECONDS', 10, 1, 600) * 1000,
        // At least one call a second over the window by default: a handful of failures at
        // night opens nothing.
        minimumRps: integer('UPSTREAM_BREAKER_MIN_CALLS_PER_SECOND', 1, 1, 100_000),
        halfOpenAfterMs: integer('UPSTREAM_BREAKER_HALF_OPEN_MS', 5000, 50, 600_000),
      },
    },
    cache: {
      redisURL,
      redisConnectWaitMs: integer('REDIS_CONNECT_WAIT_MS', 2000, 0, 60_000),
      namespace: read('CACHE_NAMESPACE') ?? 'onelogin-events-gateway',
      // OneLogin asks clients to keep the catalogue for at most 24 hours (API.md §4).
      eventTypesTtlSeconds: integer('EVENT_TYPES_CACHE_TTL_SECONDS', 3600, 1, 86_400),
      eventTypesRefreshSeconds: integer('EVENT_TYPES_REFRESH_INTERVAL_SECONDS', 60, 0, 86_400),
      eventTtlSeconds: integer('EVENT_CACHE_TTL_SECONDS', 3600, 0, 30 * 86_400),
      eventMaxEntries: integer('EVENT_CACHE_MAX_ENTRIES', 50_000, 0, 10_000_000),
      eventMaxBytes: integer('EVENT_CACHE_MAX_BYTES', 64 * 1024 * 1024, 1024 * 1024, 2 ** 36),
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
      explorer: readExplorer(read, boolean, problems, production),
      jit: boolean('GRAPHQL_JIT', true),
      federationAuthorizationDirectives: boolean('FEDERATION_AUTHORIZATION_DIRECTIVES', true),
      getQueries: boolean('GRAPHQL_GET_QUERIES', !production),
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
    auth: readAuth(read, integer, problems, { production, demo: !anyOneLogin }),
    limits: {
      requestsPerMinute: integer('RATE_LIMIT_REQUESTS_PER_MINUTE', 600, 1, 1_000_000),
      upstreamCallsPerHour: integer('RATE_LIMIT_UPSTREAM_CALLS_PER_HOUR', 500, 1, 1_000_000),
      createEventsPerRequest: integer('CREATE_EVENTS_PER_REQUEST_MAX', 10, 1, 1000),
      // Near graphql-armor's defaults (depth 6, aliases 15, tokens 1000, directives 50);
      // depth 8 leaves room for `me → events → edges → node → eventType → placeholders`
      // and a router's `_entities → User.events → …` (fragments do not count).
      maxDepth: integer('GRAPHQL_MAX_DEPTH', 8, 1, 100),
      maxAliases: integer('GRAPHQL_MAX_ALIASES', 15, 0, 10_000),
      maxTokens: integer('GRAPHQL_MAX_TOKENS', 1000, 10, 1_000_000),
      maxDirectives: integer('GRAPHQL_MAX_DIRECTIVES', 50, 0, 10_000),
      maxDuplicateFields: integer('GRAPHQL_MAX_DUPLICATE_FIELDS', 3, 1, 10_000),
    },
    trustedDocuments: readTrustedDocuments(read, problems),
    tracing: readTracing(read, integer, boolean, problems),
    logLevel,
    logFormat: ['pretty', 'auto'].includes(logFormat) ? (logFormat as 'pretty' | 'auto') : 'json',
    metrics: { enabled: boolean('METRICS_ENABLED', true), port: metricsPort },
    shutdown: {
      drainDelayMs: integer('SHUTDOWN_DRAIN_DELAY_SECONDS', 5, 0, 300) * 1000,
      graceMs: integer('SHUTDOWN_GRACE_SECONDS', 10, 0, 600) * 1000,
    },
    demoSimulator: {
      seed: integer('DEMO_SEED', 1, 0, 2 ** 31 - 1),
      events: integer('DEMO_EVENTS', 20_000, 0, 1_000_000),
      liveEventsPerMinute: integer('DEMO_LIVE_EVENTS_PER_MINUTE', 12, 0, 6000),
    },
    live: {
      pollIntervalMs: Math.round(decimal('LIVE_POLL_INTERVAL_SECONDS', 10, 0.05, 3600) * 1000),
      overlapMs: integer('LIVE_OVERLAP_SECONDS', 60, 0, 3600) * 1000,
      maxPagesPerPoll: integer('LIVE_POLL_MAX_PAGES', 10, 1, 100),
      streamMaxLength: integer('LIVE_STREAM_MAX_LENGTH', 10_000, 10, 10_000_000),
      streamMaxAgeMs: integer('LIVE_STREAM_MAX_AGE_SECONDS', 3600, 10, 7 * 86_400) * 1000,
      subscriberBuffer: integer('LIVE_SUBSCRIBER_BUFFER', 1000, 50, 1_000_000),
      leaseMs: Math.round(decimal('LIVE_LEASE_SECONDS', 30, 0.3, 3600) * 1000),
      resumeMaxAgeMs: integer('LIVE_RESUME_MAX_AGE_SECONDS', 86_400, 60, 30 * 86_400) * 1000,
      subscriptionsPerCallerMax: integer('LIVE_SUBSCRIPTIONS_PER_CALLER_MAX', 100, 0, 1_000_000),
    },
  };
  // One poll publishes up to LIVE_POLL_MAX_PAGES × 50 events at once: a smaller buffer would
  // close subscribers that read as fast as they can, on a burst alone.
  if (config.live.subscriberBuffer < config.live.maxPagesPerPoll * 50) {
    problems.push(
      `LIVE_SUBSCRIBER_BUFFER (${config.live.subscriberBuffer}) must hold at least one poll's events, LIVE_POLL_MAX_PAGES × 50 (${config.live.maxPagesPerPoll * 50}).`,
    );
  }
  if (config.live.leaseMs <= config.live.pollIntervalMs) {
    problems.push(
      `LIVE_LEASE_SECONDS (${config.live.leaseMs / 1000}) must be longer than LIVE_POLL_INTERVAL_SECONDS (${config.live.pollIntervalMs / 1000}): the poller renews its lease between polls.`,
    );
  }
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

const AUTH_MODES: Record<string, AuthMethod[]> = {
  jwt: ['jwt'],
  'api-key': ['api-key'],
  'jwt,api-key': ['jwt', 'api-key'],
  'api-key,jwt': ['jwt', 'api-key'],
  none: [],
};

/** Asymmetric JWS algorithms jose verifies; `none` and HMAC (HS*) are never accepted. */
const JWT_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
];

function readAuth(
  read: (name: string) => string | undefined,
  integer: (name: string, fallback: number, min: number, max: number) => number,
  problems: string[],
  { production, demo }: { production: boolean; demo: boolean },
): AuthConfig {
  const givenMode = read('AUTH_MODE');
  const rawMode = givenMode?.toLowerCase().replace(/\s+/g, '');
  const jwtSettings = [
    'AUTH_JWT_JWKS_URL',
    'AUTH_JWT_ISSUER',
    'AUTH_JWT_AUDIENCE',
    'AUTH_JWT_SCOPES_CLAIM',
    'AUTH_JWT_USER_ID_CLAIM',
    'AUTH_JWT_ALGORITHMS',
    'AUTH_JWT_CLOCK_TOLERANCE_SECONDS',
    'AUTH_JWKS_CACHE_SECONDS',
    'AUTH_JWKS_COOLDOWN_SECONDS',
  ].filter((name) => read(name) !== undefined);
  const apiKeySettings = ['AUTH_API_KEYS_FILE'].filter((name) => read(name) !== undefined);
  const settings = [...jwtSettings, ...apiKeySettings];
  const none: AuthConfig = {
    methods: [],
    anonymous: 'trusted',
    explicitNone: false,
    jwt: undefined,
    apiKeysFile: undefined,
  };
  if (rawMode === undefined) {
    if (settings.length > 0) {
      problems.push(
        `${settings.join(', ')} ${settings.length > 1 ? 'are' : 'is'} set but AUTH_MODE is not: ` +
          'set AUTH_MODE to jwt, api-key or jwt,api-key.',
      );
    } else if (production && !demo) {
      problems.push(
        'NODE_ENV=production needs AUTH_MODE: jwt, api-key or jwt,api-key to authenticate callers, ' +
          'or none for a subgraph only a router that authenticates can reach.',
      );
    }
    // Development, or demo mode: anonymous callers get every scope (the start-up log says so);
    // in demo mode src/index.ts also accepts the simulator's demo tokens.
    return none;
  }
  const methods = AUTH_MODES[rawMode];
  if (!methods) {
    problems.push(`AUTH_MODE must be jwt, api-key, jwt,api-key or none (got "${givenMode}").`);
    return none;
  }
  // A setting for a method that is not on is a mistake to report, not to ignore.
  const unused = [
    ...(methods.includes('jwt') ? [] : jwtSettings),
    ...(methods.includes('api-key') ? [] : apiKeySettings),
  ];
  if (unused.length > 0) {
    problems.push(
      `${unused.join(', ')} ${unused.length > 1 ? 'are' : 'is'} set but AUTH_MODE=${rawMode} does not use ${unused.length > 1 ? 'them' : 'it'}.`,
    );
  }
  if (methods.length === 0) return { ...none, explicitNone: true };

  let jwt: JwtAuthConfig | undefined;
  if (methods.includes('jwt')) {
    const jwksURL = read('AUTH_JWT_JWKS_URL');
    const issuer = read('AUTH_JWT_ISSUER');
    const audience = (read('AUTH_JWT_AUDIENCE') ?? '')
      .split(',')
      .map((value) => value.trim())
      .filter(Boolean);
    const missing = [
      ['AUTH_JWT_JWKS_URL', jwksURL],
      ['AUTH_JWT_ISSUER', issuer],
      ['AUTH_JWT_AUDIENCE', audience.length > 0 ? 'set' : undefined],
    ]
      .filter(([, value]) => value === undefined)
      .map(([name]) => name);
    if (missing.length > 0) {
      problems.push(`AUTH_MODE=${rawMode} needs ${missing.join(', ')}.`);
    }
    if (jwksURL !== undefined && !/^(https?:\/\/|file:)/.test(jwksURL)) {
      problems.push(
        `AUTH_JWT_JWKS_URL must be an http(s):// URL or a file: path (got "${jwksURL}").`,
      );
    } else if (jwksURL?.startsWith('http://') && production && !isLoopbackURL(jwksURL)) {
      problems.push(
        `AUTH_JWT_JWKS_URL must use https in production: whoever can change the keys can forge tokens (got "${jwksURL}").`,
      );
    }
    const algorithms = (read('AUTH_JWT_ALGORITHMS') ?? 'RS256,PS256,ES256,EdDSA')
      .split(',')
      .map((value) => value.trim())
      .filter(Boolean);
    const refused = algorithms.filter((alg) => !JWT_ALGORITHMS.includes(alg));
    if (refused.length > 0 || algorithms.length === 0) {
      problems.push(
        `AUTH_JWT_ALGORITHMS may only list ${JWT_ALGORITHMS.join(', ')} (got "${refused.join(',') || 'nothing'}"): ` +
          '`none` and HMAC algorithms are never accepted.',
      );
    }
    const claim = (name: string, fallback: string): string => {
      const value = read(name) ?? fallback;
      if (!/^[A-Za-z0-9_:./-]+$/.test(value)) {
        problems.push(`${name} must be a claim name such as ${fallback} (got "${value}").`);
      }
      return value;
    };
    if (jwksURL && issuer && audience.length > 0) {
      jwt = {
        jwksURL,
        issuer,
        audience,
        scopesClaim: claim('AUTH_JWT_SCOPES_CLAIM', 'scope'),
        userIdClaim: claim('AUTH_JWT_USER_ID_CLAIM', 'sub'),
        algorithms,
        clockToleranceSeconds: integer('AUTH_JWT_CLOCK_TOLERANCE_SECONDS', 30, 0, 300),
        jwksCacheSeconds: integer('AUTH_JWKS_CACHE_SECONDS', 600, 10, 86_400),
        jwksCooldownSeconds: integer('AUTH_JWKS_COOLDOWN_SECONDS', 30, 1, 3600),
      };
    }
  }
  const apiKeysFile = read('AUTH_API_KEYS_FILE');
  if (methods.includes('api-key') && apiKeysFile === undefined) {
    problems.push(`AUTH_MODE=${rawMode} needs AUTH_API_KEYS_FILE (a JSON file of hashed keys).`);
  }
  return {
    methods,
    anonymous: 'refused',
    explicitNone: false,
    jwt,
    apiKeysFile: methods.includes('api-key') ? apiKeysFile : undefined,
  };
}

const EXPLORER_KINDS: readonly ExplorerKind[] = ['sandbox', 'graphiql', 'off'];

/**
 * GRAPHQL_EXPLORER, and GRAPHQL_SANDBOX, the boolean it replaces: alone,
 * GRAPHQL_SANDBOX=true still means `sandbox` and false `off`; with both set,
 * they must agree (`true` with `sandbox` only, `false` with `graphiql` or `off`).
 */
function readExplorer(
  read: (name: string) => string | undefined,
  boolean: (name: string, fallback: boolean) => boolean,
  problems: string[],
  production: boolean,
): ExplorerKind {
  const fallback: ExplorerKind = production ? 'off' : 'sandbox';
  const given = read('GRAPHQL_EXPLORER');
  const raw = given?.toLowerCase();
  const sandboxRaw = read('GRAPHQL_SANDBOX');
  const reported = problems.length;
  const parsed = sandboxRaw === undefined ? undefined : boolean('GRAPHQL_SANDBOX', false);
  // An unreadable GRAPHQL_SANDBOX is reported once, as such, and not compared.
  const sandbox = problems.length > reported ? undefined : parsed;
  if (raw === undefined) {
    if (sandbox === undefined) return fallback;
    return sandbox ? 'sandbox' : 'off';
  }
  if (!EXPLORER_KINDS.includes(raw as ExplorerKind)) {
    problems.push(`GRAPHQL_EXPLORER must be one of ${EXPLORER_KINDS.join(', ')} (got "${given}").`);
    return fallback;
  }
  const explorer = raw as ExplorerKind;
  if (sandbox !== undefined && sandbox !== (explorer === 'sandbox')) {
    problems.push(
      `GRAPHQL_SANDBOX=${sandboxRaw} contradicts GRAPHQL_EXPLORER=${explorer}: ` +
        'unset GRAPHQL_SANDBOX (GRAPHQL_EXPLORER replaces it).',
    );
  }
  return explorer;
}

function readTrustedDocuments(
  read: (name: string) => string | undefined,
  problems: string[],
): TrustedDocumentsConfig {
  const mode = (read('TRUSTED_DOCUMENTS') ?? 'off').toLowerCase();
  const file = read('TRUSTED_DOCUMENTS_FILE');
  const redisKey = read('TRUSTED_DOCUMENTS_REDIS_KEY');
  if (mode !== 'off' && mode !== 'allow' && mode !== 'enforce') {
    problems.push(`TRUSTED_DOCUMENTS must be off, allow or enforce (got "${mode}").`);
    return { mode: 'off', file: undefined, redisKey: undefined };
  }
  if (mode !== 'off' && file === undefined && redisKey === undefined) {
    problems.push(
      `TRUSTED_DOCUMENTS=${mode} needs TRUSTED_DOCUMENTS_FILE (persisted-documents.json) or TRUSTED_DOCUMENTS_REDIS_KEY.`,
    );
  }
  if (redisKey !== undefined && read('REDIS_URL') === undefined) {
    problems.push('TRUSTED_DOCUMENTS_REDIS_KEY needs REDIS_URL.');
  }
  return { mode, file, redisKey };
}

const TRACE_SAMPLERS: readonly TraceSamplerName[] = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
];

/**
 * The standard OpenTelemetry variables the gateway honours (the README lists
 * them). They are read here, like every other setting, and handed to the SDK
 * explicitly: the SDK's own reading of `process.env` is not what decides.
 */
function readTracing(
  read: (name: string) => string | undefined,
  integer: (name: string, fallback: number, min: number, max: number) => number,
  boolean: (name: string, fallback: boolean) => boolean,
  problems: string[],
): TracingConfig {
  const base = read('OTEL_EXPORTER_OTLP_ENDPOINT');
  const specific = read('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  let endpoint: string | undefined;
  const checkURL = (name: string, value: string): string | undefined => {
    try {
      const parsed = new URL(value);
      if (parsed.protocol === 'http:' || parsed.protocol === 'https:') return parsed.toString();
    } catch {
      // reported below
    }
    problems.push(
      `${name} must be an http(s) URL such as http://otel-collector:4318 (got "${redactURL(value)}").`,
    );
    return undefined;
  };
  if (specific !== undefined) {
    // The signal-specific URL is used as it is (OpenTelemetry's exporter specification).
    endpoint = checkURL('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', specific);
  } else if (base !== undefined) {
    const checked = checkURL('OTEL_EXPORTER_OTLP_ENDPOINT', base);
    if (checked !== undefined) {
      const parsed = new URL(checked);
      parsed.pathname = `${parsed.pathname.replace(/\/+$/, '')}/v1/traces`;
      endpoint = parsed.toString();
    }
  }

  const exporter = (read('OTEL_TRACES_EXPORTER') ?? 'otlp').toLowerCase();
  if (exporter !== 'otlp' && exporter !== 'none') {
    problems.push(`OTEL_TRACES_EXPORTER must be otlp or none (got "${exporter}").`);
  }
  // The traces-specific variable wins over the general one, as the OpenTelemetry spec says.
  let protocol: 'http/json' | 'http/protobuf' = 'http/json';
  for (const name of ['OTEL_EXPORTER_OTLP_PROTOCOL', 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL']) {
    const given = read(name);
    if (given === undefined) continue;
    if (given === 'http/json' || given === 'http/protobuf') protocol = given;
    else {
      problems.push(
        `${name} must be http/json or http/protobuf (OTLP over HTTP, which collectors accept on ` +
          `port 4318; grpc is not supported), or unset for http/json (got "${given}").`,
      );
    }
  }

  const headers: Record<string, string> = {};
  for (const name of ['OTEL_EXPORTER_OTLP_HEADERS', 'OTEL_EXPORTER_OTLP_TRACES_HEADERS']) {
    const raw = read(name);
    if (raw === undefined) continue;
    raw.split(',').forEach((entry, index) => {
      if (entry.trim() === '') return;
      const equals = entry.indexOf('=');
      const key = equals > 0 ? entry.slice(0, equals).trim() : '';
      let value: string | undefined;
      try {
        value = equals > 0 ? decodeURIComponent(entry.slice(equals + 1).trim()) : undefined;
      } catch {
        value = undefined;
      }
      if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(key) || value === undefined) {
        // Never the value in the message: it is usually an API key.
        problems.push(
          `${name} must be comma-separated name=value pairs (values URL-encoded); entry ${index + 1} is not.`,
        );
        return;
      }
      headers[key.toLowerCase()] = value;
    });
  }

  const resourceAttributes: Record<string, string> = {};
  const rawAttributes = read('OTEL_RESOURCE_ATTRIBUTES');
  if (rawAttributes !== undefined) {
    for (const entry of rawAttributes.split(',')) {
      if (entry.trim() === '') continue;
      const equals = entry.indexOf('=');
      const key = equals > 0 ? entry.slice(0, equals).trim() : '';
      let value: string | undefined;
      try {
        value = equals > 0 ? decodeURIComponent(entry.slice(equals + 1).trim()) : undefined;
      } catch {
        value = undefined;
      }
      if (key === '' || value === undefined) {
        problems.push(
          `OTEL_RESOURCE_ATTRIBUTES must be comma-separated key=value pairs, e.g. ` +
            `deployment.environment.name=production (got "${entry.trim()}").`,
        );
        continue;
      }
      resourceAttributes[key] = value;
    }
  }
  const serviceName =
    read('OTEL_SERVICE_NAME') ?? resourceAttributes['service.name'] ?? 'onelogin-events-gateway';
  delete resourceAttributes['service.name'];

  const samplerRaw = (read('OTEL_TRACES_SAMPLER') ?? 'parentbased_always_on').toLowerCase();
  let samplerName: TraceSamplerName = 'parentbased_always_on';
  if ((TRACE_SAMPLERS as readonly string[]).includes(samplerRaw)) {
    samplerName = samplerRaw as TraceSamplerName;
  } else {
    problems.push(
      `OTEL_TRACES_SAMPLER must be one of ${TRACE_SAMPLERS.join(', ')} (got "${samplerRaw}").`,
    );
  }
  let ratio = 1;
  const ratioRaw = read('OTEL_TRACES_SAMPLER_ARG');
  if (ratioRaw !== undefined && samplerName.endsWith('traceidratio')) {
    ratio = Number(ratioRaw);
    if (!/^\d*\.?\d+$/.test(ratioRaw) || !(ratio >= 0 && ratio <= 1)) {
      problems.push(`OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1 (got "${ratioRaw}").`);
      ratio = 1;
    }
  }

  const batch = {
    scheduleDelayMs: integer('OTEL_BSP_SCHEDULE_DELAY', 5000, 0, 600_000),
    exportTimeoutMs: integer('OTEL_BSP_EXPORT_TIMEOUT', 30_000, 1, 600_000),
    maxQueueSize: integer('OTEL_BSP_MAX_QUEUE_SIZE', 2048, 1, 1_000_000),
    maxExportBatchSize: integer('OTEL_BSP_MAX_EXPORT_BATCH_SIZE', 512, 1, 1_000_000),
  };
  if (batch.maxExportBatchSize > batch.maxQueueSize) {
    problems.push(
      `OTEL_BSP_MAX_EXPORT_BATCH_SIZE (${batch.maxExportBatchSize}) must not exceed OTEL_BSP_MAX_QUEUE_SIZE (${batch.maxQueueSize}).`,
    );
  }
  const exportTimeoutMs = integer(
    read('OTEL_EXPORTER_OTLP_TRACES_TIMEOUT') === undefined
      ? 'OTEL_EXPORTER_OTLP_TIMEOUT'
      : 'OTEL_EXPORTER_OTLP_TRACES_TIMEOUT',
    10_000,
    1,
    600_000,
  );

  const continueTraceparent = boolean('TRACING_CONTINUE_TRACEPARENT', false);
  const disabled = boolean('OTEL_SDK_DISABLED', false);
  const offBecause = disabled
    ? 'OTEL_SDK_DISABLED=true'
    : exporter === 'none'
      ? 'OTEL_TRACES_EXPORTER=none'
      : endpoint === undefined
        ? 'no OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set'
        : undefined;
  const frozenHeaders = Object.freeze({ ...headers });
  return {
    enabled: offBecause === undefined,
    offBecause,
    endpoint,
    protocol,
    exportHeaders: () => frozenHeaders,
    exportHeaderNames: Object.keys(headers),
    exportTimeoutMs,
    serviceName,
    resourceAttributes,
    sampler: { name: samplerName, ratio },
    continueTraceparent,
    batch,
  };
}

function isLoopbackURL(value: string): boolean {
  try {
    return ['localhost', '127.0.0.1', '[::1]'].includes(new URL(value).hostname);
  } catch {
    return false;
  }
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
