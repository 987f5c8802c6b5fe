/**
 * Public types of the OneLogin simulator. The gateway, its tests and the benchmarks depend on
 * these shapes; change them only together with the contract in issue 2.
 */

/** Where the simulator reports what it is doing. The default is silent. */
export interface SimulatorLogger {
  info(message: string): void;
  warn(message: string): void;
}

export interface SimulatorOptions {
  /** Interface to listen on. Default `'127.0.0.1'`. */
  host?: string;
  /** Port to listen on. Default `0` (a free port). */
  port?: number;
  /** Seed of every random choice. Default `1`; all data is deterministic from (seed, now). */
  seed?: number;
  /** Events spread over the 30 days before `now`. Default 20 000. */
  eventCount?: number;
  /** Failed provisionings spread over the same 30 days. Default 300. */
  failedProvisioningCount?: number;
  /** Epoch ms the data is anchored to. Default `Date.now()` at start. */
  now?: number;
  /**
   * The running clock, in epoch ms: token lifetimes, rate-limit windows and the
   * `created_at` of events created through the API. Default `Date.now`; tests
   * inject one instead of sleeping.
   */
  clock?: () => number;
  /**
   * How `GET /api/1/events` reads `since`/`until`. Default what OneLogin's pages
   * say: `{ precision: 'second', bounds: 'exclusive' }`; the others are readings
   * seen elsewhere, for testing a client against each.
   */
  eventWindow?: { precision?: 'second' | 'millisecond'; bounds?: 'exclusive' | 'inclusive' };
  /** Accepted OAuth client id. Default `DEMO_CREDENTIALS.clientId`. */
  clientId?: string;
  /** Accepted OAuth client secret. Default `DEMO_CREDENTIALS.clientSecret`. */
  clientSecret?: string;
  /** Accepted legacy API key (HTTP Basic user name). Default `DEMO_CREDENTIALS.apiKey`. */
  apiKey?: string;
  /** The account every event belongs to. Default 53413 (the account in the live cursor sample). */
  accountId?: number;
  /** Lifetime of an access token. Default 36 000 s (10 h), as documented. */
  tokenLifetimeSeconds?: number;
  /** Account budget of /api/1 calls per hour. Default 5 000, as documented. */
  rateLimitPerHour?: number;
  /** Added to every /api and /auth response (not /__simulator). Default 0. */
  latencyMs?: number;
  /** A uniform random 0..jitterMs added on top of `latencyMs`. Default 0. */
  jitterMs?: number;
  /** Share-based faults from the start. Default none. */
  faults?: FaultRates;
  /**
   * The `iss` of the demo OIDC tokens and the `issuer` of `/oidc/2/.well-known/openid-configuration`.
   * Default `DEMO_OIDC_ISSUER` (`https://demo.onelogin.com/oidc/2`).
   */
  oidcIssuer?: string;
  /**
   * New events per minute the account produces as time passes (logins, failed logins, admin
   * changes drawn from the same scenarios as the data set), each with a new highest id and
   * `created_at` = the clock. 0 to 6 000; default 0 (none: tests add events explicitly with
   * `live.emit` or `createEvent`). Demo mode turns it on, so that a subscriber sees a live feed.
   */
  liveEventsPerMinute?: number;
  /** Default silent. */
  logger?: SimulatorLogger;
}

/**
 * One event exactly as `GET /api/1/events` returns it: the field set of the official sample
 * response (seed 001, API.md §3.3), in the same order.
 */
export interface EventRecord {
  id: number;
  created_at: string;
  account_id: number;
  user_id: number | null;
  event_type_id: number;
  notes: string | null;
  ipaddr: string | null;
  actor_user_id: number | null;
  assuming_acting_user_id: number | null;
  role_id: number | null;
  app_id: number | null;
  group_id: number | null;
  otp_device_id: number | null;
  policy_id: number | null;
  actor_system: string | null;
  custom_message: string | null;
  role_name: string | null;
  app_name: string | null;
  group_name: string | null;
  actor_user_name: string | null;
  user_name: string | null;
  policy_name: string | null;
  otp_device_name: string | null;
  operation_name: string | null;
  directory_sync_run_id: number | null;
  directory_id: number | null;
  resolution: string | null;
  client_id: string | null;
  resource_type_id: number | null;
  error_description: string | null;
  proxy_ip: string | null;
  risk_score: number | null;
  risk_reasons: string | null;
  risk_cookie_id: string | null;
  browser_fingerprint: string | null;
}

/** One row of `GET /api/1/events/types`, in the documented shape. */
export interface EventTypeRecord {
  id: number;
  /** Null only for id 3028, which is in OneLogin's enum but no source names. */
  name: string | null;
  /** `%placeholder%` template; null where nothing is known about the type. */
  description: string | null;
}

/** The user block of a failed provisioning, as in seed 004. */
export interface FailedProvisioningUser {
  email: string;
  username: string;
  id: number;
  lastname: string;
  firstname: string;
}

/**
 * One item of `GET /api/v1/logins/failed_provisioning.json`. Every field is as served except
 * `created_at`, which is kept as an ISO-8601 UTC instant (whole seconds); the wire form is
 * `yyyy\/MM\/dd HH:mm:ss -0700`.
 */
export interface FailedProvisioningRecord {
  login_id: number;
  id: number;
  created_at: string;
  error_description: string | null;
  description: string;
  user: FailedProvisioningUser;
}

/** Live read access to the data set, for tests. */
export interface SimulatorData {
  /** Every event, ascending id (includes events created through the legacy API). */
  events(): ReadonlyArray<EventRecord>;
  /** As served by `/api/1/events/types`. */
  eventTypes(): ReadonlyArray<EventTypeRecord>;
  /** Ascending `created_at`. */
  failedProvisionings(): ReadonlyArray<FailedProvisioningRecord>;
}

export type CounterSnapshot = {
  total: number;
  byRoute: Record<string, { total: number; byStatus: Record<string, number> }>;
};

/**
 * Shares 0..1 of the /api and /auth requests that fail (their sum must not exceed 1), and
 * two settings that are not shares: how long a hang lasts, and 429 bursts by the clock.
 */
export interface FaultRates {
  /** 500, 502 or 503, chosen at random. */
  errorRate?: number;
  /** 429 with Retry-After. */
  rateLimitRate?: number;
  /** Not answered: for `hangMs`, or never (until the simulator closes). */
  hangRate?: number;
  /** 200 with the JSON body cut in half. */
  truncateRate?: number;
  /** Socket destroyed without an answer. */
  dropRate?: number;
  /**
   * Not a share: how long a request hung by `hangRate` waits before it is answered after all
   * (late, as it would have been). Default: never answered.
   */
  hangMs?: number;
  /** Not a share: 429 bursts by the clock (see RateLimitBurst). */
  rateLimitBurst?: RateLimitBurst;
}

/**
 * OneLogin's short-term limiter as seen from outside: a burst of `forMs` every `everyMs`,
 * the first one `firstAfterMs` after the rates are set, in which every /api and /auth
 * request is answered 429 with `Retry-After: retryAfterSeconds`. Outside the bursts the
 * shares apply.
 */
export interface RateLimitBurst {
  /** From the start of one burst to the start of the next, 1 to 3 600 000 ms. */
  everyMs: number;
  /** How long each burst lasts, 1 ms to `everyMs`. */
  forMs: number;
  /** The `Retry-After` of the 429s, 0 to 3 600 s. Default 1. */
  retryAfterSeconds?: number;
  /** When the first burst starts, 0 to 3 600 000 ms after the rates are set. Default 0: at once. */
  firstAfterMs?: number;
}

export type FaultKind =
  | { kind: 'status'; status: 500 | 502 | 503 }
  /** `Retry-After: retryAfterSeconds` (default 1). */
  | { kind: 'rateLimit429'; retryAfterSeconds?: number }
  | { kind: 'rateLimit400' }
  /** Not answered for `ms`, then answered as it would have been; without `ms`, never answered. */
  | { kind: 'hang'; ms?: number }
  | { kind: 'truncate' }
  | { kind: 'drop' }
  | { kind: 'delay'; ms: number }
  /**
   * The request is served (a write is recorded), then the answer is replaced by a
   * server error, as from a proxy that failed on the way back.
   */
  | { kind: 'afterWrite'; status: 500 | 502 | 504 };

export type FaultInjection = FaultKind & {
  /** A counter route key; default any /api or /auth request. */
  route?: string;
  /** How many matching requests it hits. Default 1. */
  times?: number;
};

export interface FaultController {
  /** Replaces the shares (and `hangMs`, `rateLimitBurst`); bursts count from now. */
  set(rates: FaultRates): void;
  inject(fault: FaultInjection): void;
  /**
   * OneLogin is down: from now on every /api and /auth request fails with `fault` (e.g.
   * `{ kind: 'drop' }`, a reset connection, or `{ kind: 'status', status: 503 }`), before
   * injections and shares, which wait meanwhile, until `endOutage()` or `clear()`.
   */
  startOutage(fault: FaultKind): void;
  endOutage(): void;
  /** No shares, no injections, no outage. */
  clear(): void;
}

export interface SimulatorHandle {
  /** e.g. `http://127.0.0.1:40123`, no trailing slash; serves modern and legacy endpoints. */
  url: string;
  port: number;
  /** The issuer of the demo OIDC tokens (the `oidcIssuer` option). */
  oidcIssuer: string;
  /** The demo JWKS, e.g. `http://127.0.0.1:40123/oidc/2/certs`: the public demo signing key. */
  jwksURL: string;
  data: SimulatorData;
  counters: { snapshot(): CounterSnapshot; reset(): void };
  faults: FaultController;
  tokens: { expireAll(): void; revokeAll(): void; issued(): number };
  rateLimit: { reset(): void; setRemaining(n: number): void };
  /**
   * New events, as `liveEventsPerMinute` makes them: `emit(n)` records `n` at once (created_at
   * = the clock) and returns them; `userId` makes them about that user.
   */
  live: { emit(count?: number, fields?: { userId?: number; eventTypeId?: number }): EventRecord[] };
  /** Stops listening and closes every socket, hung ones included. */
  close(): Promise<void>;
}
