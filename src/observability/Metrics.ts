import type { Counter, Gauge, Histogram } from 'prom-client';
import * as prom from 'prom-client';

/** What the rate-limit gauges read when Prometheus scrapes (see limits/AccountBudget.snapshot). */
export interface RateLimitView {
  limit: number | null;
  remaining: number | null;
  resetSeconds: number | null;
  cooldownSeconds: number;
}

/** The state of each upstream route's circuit breaker (see upstream/HttpTransport). */
export type CircuitView = () => Record<string, 'closed' | 'open' | 'half-open'>;

const CIRCUIT_STATE_VALUE = { closed: 0, 'half-open': 1, open: 2 } as const;

/** Seconds: from a cache hit (well under a millisecond) to a request at its upstream deadline. */
const REQUEST_SECONDS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15,
];
const UPSTREAM_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10];

/**
 * The gateway's Prometheus metrics (prom-client), one registry per gateway so
 * that two gateways in one process (tests) count apart. Labels are bounded by
 * construction: routes are the clients' fixed route names, codes come from the
 * error-code table, operation names pass through OperationNames (at most
 * `maxOperationNames`, the rest folded into `[other]`). No label ever holds a
 * caller's id, a token, a query string or an upstream URL.
 */
export class Metrics {
  readonly registry = new prom.Registry();
  readonly operationNames: OperationNames;

  readonly graphqlRequests: Counter<'operation' | 'type' | 'outcome'>;
  readonly graphqlDuration: Histogram<'operation' | 'type'>;
  readonly upstreamCalls: Counter<'route' | 'status' | 'outcome'>;
  readonly upstreamDuration: Histogram<'route'>;
  readonly upstreamRetries: Counter<'route'>;
  readonly upstreamRefusals: Counter<'reason'>;
  readonly cacheLookups: Counter<'cache' | 'result'>;
  readonly tokenRequests: Counter<'outcome'>;
  readonly callerRefusals: Counter<'limit'>;
  readonly livePolls: Counter<'outcome'>;
  readonly liveEventsPublished: Counter;
  readonly liveSubscriptionsClosed: Counter<'reason'>;

  constructor(
    options: {
      rateLimit?: () => RateLimitView;
      circuits?: CircuitView;
      /** The live feed on this replica (see live/LiveFeed.state). */
      live?: () => { polling: boolean; subscribers: number; lastPoll: { at: string } | null };
      maxOperationNames?: number;
      /** Node's process metrics (CPU, memory, event-loop lag, GC); default true. */
      processMetrics?: boolean;
    } = {},
  ) {
    const registers = [this.registry];
    this.operationNames = new OperationNames(options.maxOperationNames ?? 100);
    this.graphqlRequests = new prom.Counter({
      name: 'gateway_graphql_requests_total',
      help:
        'GraphQL requests by operation name (unknown names folded into [other]), operation type and ' +
        'outcome: OK, or the first error code (UNAUTHENTICATED, RATE_LIMITED, BAD_USER_INPUT, UPSTREAM_…).',
      labelNames: ['operation', 'type', 'outcome'],
      registers,
    });
    this.graphqlDuration = new prom.Histogram({
      name: 'gateway_graphql_request_duration_seconds',
      help: 'Time from the request arriving to its response being written, by operation and type.',
      labelNames: ['operation', 'type'],
      buckets: REQUEST_SECONDS,
      registers,
    });
    this.upstreamCalls = new prom.Counter({
      name: 'gateway_upstream_calls_total',
      help:
        'HTTP calls to OneLogin (each attempt, retries included) by route, status (none when no answer came) ' +
        'and outcome: ok, rate_limited (429), client_error, server_error, timeout, network.',
      labelNames: ['route', 'status', 'outcome'],
      registers,
    });
    this.upstreamDuration = new prom.Histogram({
      name: 'gateway_upstream_call_duration_seconds',
      help: 'Time of one HTTP call to OneLogin, by route.',
      labelNames: ['route'],
      buckets: UPSTREAM_SECONDS,
      registers,
    });
    this.upstreamRetries = new prom.Counter({
      name: 'gateway_upstream_retries_total',
      help: 'Calls to OneLogin made again after a 5xx, a timeout, a network error or a short 429 burst.',
      labelNames: ['route'],
      registers,
    });
    this.upstreamRefusals = new prom.Counter({
      name: 'gateway_upstream_refusals_total',
      help:
        'OneLogin calls the gateway refused to make (or whole requests, refused by their estimate), by reason: ' +
        'request_budget (UPSTREAM_BUDGET_EXCEEDED), ' +
        'deadline (UPSTREAM_TIMEOUT), account_reserve (UPSTREAM_BUDGET_LOW), account_cooldown ' +
        "(UPSTREAM_RATE_LIMITED), caller_quota (the caller's hourly share) and circuit_open.",
      labelNames: ['reason'],
      registers,
    });
    this.cacheLookups = new prom.Counter({
      name: 'gateway_cache_lookups_total',
      help: 'Cache look-ups that decide an upstream call, by cache and result (hit or miss).',
      labelNames: ['cache', 'result'],
      registers,
    });
    this.tokenRequests = new prom.Counter({
      name: 'gateway_token_requests_total',
      help: 'OAuth2 client-credentials token requests to OneLogin, by outcome (ok or failed).',
      labelNames: ['outcome'],
      registers,
    });
    this.callerRefusals = new prom.Counter({
      name: 'gateway_caller_refusals_total',
      help:
        "Requests refused by a caller's own limits: requests (RATE_LIMIT_REQUESTS_PER_MINUTE) or " +
        'upstream_calls (RATE_LIMIT_UPSTREAM_CALLS_PER_HOUR).',
      labelNames: ['limit'],
      registers,
    });

    this.livePolls = new prom.Counter({
      name: 'gateway_live_polls_total',
      help:
        "The live feed's polls of OneLogin made by this replica (as the cluster's poller), by outcome: published " +
        '(new events), empty, failed (OneLogin or the budget refused; retried at the next interval), lost_lease.',
      labelNames: ['outcome'],
      registers,
    });
    this.liveEventsPublished = new prom.Counter({
      name: 'gateway_live_events_published_total',
      help: 'New events this replica published to the live feed (each once for the whole cluster).',
      registers,
    });
    this.liveSubscriptionsClosed = new prom.Counter({
      name: 'gateway_live_subscriptions_closed_total',
      help:
        '`eventAdded` subscriptions ended on this replica, by reason: completed (the client ended it), ' +
        'too_slow (LIVE_SUBSCRIBER_BUFFER), shutdown.',
      labelNames: ['reason'],
      registers,
    });
    const live = options.live;
    if (live) {
      new prom.Gauge({
        name: 'gateway_live_subscriptions',
        help: '`eventAdded` subscriptions this replica serves now.',
        registers,
        collect() {
          this.set(live().subscribers);
        },
      });
      new prom.Gauge({
        name: 'gateway_live_poller',
        help: "1 when this replica is the cluster's live-feed poller (it holds the lease), 0 otherwise.",
        registers,
        collect() {
          this.set(live().polling ? 1 : 0);
        },
      });
      new prom.Gauge({
        name: 'gateway_live_last_poll_timestamp_seconds',
        help: "When this replica's last poll of OneLogin for the live feed ended (Unix time); absent before one.",
        registers,
        collect() {
          const last = live().lastPoll;
          if (last === null) this.reset();
          else this.set(Date.parse(last.at) / 1000);
        },
      });
    }

    const rateLimit = options.rateLimit;
    if (rateLimit) {
      const gauge = (name: string, help: string, read: (view: RateLimitView) => number | null) =>
        new prom.Gauge({
          name,
          help,
          registers,
          collect() {
            const value = read(rateLimit());
            // No answer from OneLogin yet: say nothing rather than a made-up number.
            if (value === null) this.reset();
            else this.set(value);
          },
        });
      gauge(
        'gateway_onelogin_rate_limit_limit',
        "OneLogin's hourly call budget for the account (X-RateLimit-Limit), as the cluster last saw it.",
        (view) => view.limit,
      );
      gauge(
        'gateway_onelogin_rate_limit_remaining',
        'Calls left in the current hour for the account (X-RateLimit-Remaining), shared by every client.',
        (view) => view.remaining,
      );
      gauge(
        'gateway_onelogin_rate_limit_reset_seconds',
        'Seconds until OneLogin resets the hourly budget (X-RateLimit-Reset).',
        (view) => view.resetSeconds,
      );
      gauge(
        'gateway_onelogin_rate_limit_cooldown_seconds',
        'Seconds the gateway makes no OneLogin calls because the account budget ran out (0: none).',
        (view) => view.cooldownSeconds,
      );
    }
    const circuits = options.circuits;
    if (circuits) {
      const circuitGauge: Gauge<'route'> = new prom.Gauge({
        name: 'gateway_upstream_circuit_state',
        help: "Each upstream route's circuit breaker: 0 closed, 1 half-open (one probe), 2 open (failing fast).",
        labelNames: ['route'],
        registers,
        collect() {
          for (const [route, state] of Object.entries(circuits())) {
            circuitGauge.set({ route }, CIRCUIT_STATE_VALUE[state]);
          }
        },
      });
    }
    if (options.processMetrics ?? true) prom.collectDefaultMetrics({ register: this.registry });
  }

  /** The text Prometheus scrapes. */
  async text(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

/**
 * Operation names as metric labels: the first `max` distinct names of operations
 * that passed validation keep their own label; later ones are `[other]`, so a
 * client that makes up a name per request cannot grow the metrics without end.
 * Requests that name no operation are `[anonymous]`; those that never reached a
 * valid operation (unauthenticated, unparsable, invalid) are `[none]`.
 */
export class OperationNames {
  private readonly known = new Set<string>();

  constructor(private readonly max: number) {}

  label(name: string | null | undefined, validated: boolean): string {
    if (!validated) return '[none]';
    if (!name) return '[anonymous]';
    if (this.known.has(name)) return name;
    if (this.known.size >= this.max) return '[other]';
    this.known.add(name);
    return name;
  }
}

/** The `outcome` label of an upstream call. */
export function upstreamOutcome(
  status: number | undefined,
  failure?: 'timeout' | 'network',
): string {
  if (status === undefined) return failure ?? 'network';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'server_error';
  if (status >= 400) return 'client_error';
  return 'ok';
}

/** The `reason` label of a refused upstream call, from the refusal's error code. */
export function refusalReason(code: unknown): string {
  switch (code) {
    case 'UPSTREAM_BUDGET_EXCEEDED':
      return 'request_budget';
    case 'UPSTREAM_TIMEOUT':
      return 'deadline';
    case 'UPSTREAM_BUDGET_LOW':
      return 'account_reserve';
    case 'UPSTREAM_RATE_LIMITED':
      return 'account_cooldown';
    case 'RATE_LIMITED':
      return 'caller_quota';
    default:
      return 'other';
  }
}
