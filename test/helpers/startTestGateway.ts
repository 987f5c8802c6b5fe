import { Writable } from 'node:stream';

import { loadConfig } from '../../src/config/loadConfig';
import { createLogger, type Logger } from '../../src/logging/createLogger';
import { startGateway, type Gateway } from '../../src/server/startGateway';
import { DEMO_CREDENTIALS, startSimulator } from '../../src/simulator';
import type { SimulatorHandle, SimulatorOptions } from '../../src/simulator';
import { TEST_NOW } from './testClock';

export interface GraphQLResponse<TData = Record<string, unknown>> {
  data?: TData | null;
  errors?: Array<{
    message: string;
    path?: Array<string | number>;
    extensions?: Record<string, unknown>;
  }>;
  /** `cost` (see server/plugins/costPlugin.ts), and `ftv1` when a router asks for a trace. */
  extensions?: Record<string, unknown>;
}

export interface TestGateway {
  /** The gateway's GraphQL URL. */
  url: string;
  gateway: Gateway;
  simulator: SimulatorHandle;
  /** Every log line the gateway wrote (JSON), to assert on, e.g. that no secret is logged. */
  logs: string[];
  /** POSTs a GraphQL operation over real HTTP and returns the parsed body. */
  execute<TData = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
  ): Promise<GraphQLResponse<TData>>;
  /** POSTs a GraphQL operation with extra headers (e.g. `authorization`) and returns the parsed body. */
  executeAs<TData = Record<string, unknown>>(
    headers: Record<string, string>,
    query: string,
    variables?: Record<string, unknown>,
  ): Promise<GraphQLResponse<TData>>;
  /** POSTs and returns the HTTP status and raw text as well. */
  post(
    body: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; text: string; headers: Headers }>;
  /** Upstream calls per simulator route since the last reset. */
  upstreamCalls(): Record<string, number>;
  resetUpstreamCalls(): void;
  stop(): Promise<void>;
}

export interface StartTestGatewayOptions {
  /** Extra environment for loadConfig (e.g. EVENTS_MAX_PAGE_SIZE). */
  env?: Record<string, string>;
  /** Options for a new simulator (ignored with `simulator`). */
  simulatorOptions?: SimulatorOptions;
  /** Reuse a running simulator; the caller closes it. */
  simulator?: SimulatorHandle;
  /** Leave the legacy API key out of the configuration. */
  withoutApiKey?: boolean;
  /**
   * One clock for the gateway and the simulator it starts (token lifetimes,
   * cache ages), so a test moves time instead of sleeping (see createTestClock).
   */
  clock?: () => number;
}

/**
 * The real gateway, listening on a free port, against the OneLogin simulator
 * (a new one unless one is passed in, its data generated around TEST_NOW), configured as in production except for
 * the URLs and a recording logger.
 */
export async function startTestGateway(
  options: StartTestGatewayOptions = {},
): Promise<TestGateway> {
  const ownSimulator = options.simulator === undefined;
  const simulator =
    options.simulator ??
    (await startSimulator({
      now: TEST_NOW,
      eventCount: 2000,
      ...(options.clock ? { clock: options.clock } : {}),
      ...options.simulatorOptions,
    }));
  const logs: string[] = [];
  const logger: Logger = createLogger({
    level: 'debug',
    destination: new Writable({
      write(chunk: Buffer, _encoding, callback) {
        logs.push(chunk.toString('utf8'));
        callback();
      },
    }),
  });
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    ONELOGIN_BASE_URL: simulator.url,
    ONELOGIN_CLIENT_ID: DEMO_CREDENTIALS.clientId,
    ONELOGIN_CLIENT_SECRET: DEMO_CREDENTIALS.clientSecret,
    ONELOGIN_LEGACY_BASE_URL: simulator.url,
    ...(options.withoutApiKey ? {} : { ONELOGIN_API_KEY: DEMO_CREDENTIALS.apiKey }),
    UPSTREAM_TIMEOUT_MS: '2000',
    // Tests send many requests from one address; the limits' own tests set them.
    RATE_LIMIT_REQUESTS_PER_MINUTE: '1000000',
    RATE_LIMIT_UPSTREAM_CALLS_PER_HOUR: '1000000',
    // Tests inject runs of failures to see each one reported; the circuit breakers
    // (which open on the failure rate over time) stay out of the way unless a test
    // sets UPSTREAM_BREAKER_MIN_CALLS_PER_SECOND itself, as the breaker's tests do.
    UPSTREAM_BREAKER_MIN_CALLS_PER_SECOND: '100000',
    // Likewise the retry budget (retries as a share of calls), which its own tests set.
    UPSTREAM_RETRY_BUDGET_MIN_PER_10S: '100000',
    // Two retries, not production's four: tests inject runs of three failures to see
    // a failure outlast the retries (accountBudget.test.ts runs the defaults).
    UPSTREAM_RETRIES: '2',
    ...options.env,
  });
  const gateway = await startGateway({ config, logger, clock: options.clock });

  const post = async (body: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: response.status, text: await response.text(), headers: response.headers };
  };
  return {
    url: gateway.url,
    gateway,
    simulator,
    logs,
    post,
    async execute<TData>(query: string, variables?: Record<string, unknown>) {
      const { text } = await post({ query, variables });
      return JSON.parse(text) as GraphQLResponse<TData>;
    },
    async executeAs<TData>(
      headers: Record<string, string>,
      query: string,
      variables?: Record<string, unknown>,
    ) {
      const { text } = await post({ query, variables }, headers);
      return JSON.parse(text) as GraphQLResponse<TData>;
    },
    upstreamCalls() {
      const snapshot = simulator.counters.snapshot();
      return Object.fromEntries(
        Object.entries(snapshot.byRoute).map(([route, counts]) => [route, counts.total]),
      );
    },
    resetUpstreamCalls: () => simulator.counters.reset(),
    async stop() {
      await gateway.stop();
      if (ownSimulator) await simulator.close();
    },
  };
}
