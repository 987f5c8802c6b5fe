/**
 * A build of the gateway (bench/buildGateway.ts) in a child process, as
 * `npm start` runs it, on 127.0.0.1:`port`, its OneLogin the simulator at
 * `simulatorURL` with the demo credentials, ready once `/healthz` answers: how
 * every harness (the bench, its scale part, the fault goals, the live bench)
 * starts its gateways. `env` holds the gateway's settings; where it listens and
 * its upstream are always these.
 */
import { DEMO_CREDENTIALS } from '../src/simulator';
import type { Child, StartChildOptions } from './startChild';
import { startChild } from './startChild';

/**
 * Rate limits, per caller: consumed on every request and every OneLogin call
 * (the limiter always runs), at the highest values loadConfig accepts
 * (1,000,000), which the benches' loads never reach (a few thousand requests a
 * second at most, and far fewer than a million OneLogin calls in an hour). A
 * refusal would show as HTTP 429 errors in the warnings.
 */
export const UNLIMITED_RATE_LIMITS: Readonly<Record<string, string>> = {
  RATE_LIMIT_REQUESTS_PER_MINUTE: '1000000',
  RATE_LIMIT_UPSTREAM_CALLS_PER_HOUR: '1000000',
};

/** No caller authentication: every request is a trusted anonymous caller, as behind a router. */
export const ANONYMOUS_SECURITY: Readonly<Record<string, string>> = {
  AUTH_MODE: 'none',
  ...UNLIMITED_RATE_LIMITS,
};

/**
 * Observability off: no metrics (they are on by default), warnings and errors
 * only in the log, no tracing (no OTEL_* variable; children inherit nothing).
 * Every gateway of the benches has this but the one whose price is that observability.
 */
export const BARE_OBSERVABILITY: Readonly<Record<string, string>> = {
  METRICS_ENABLED: 'false',
  LOG_LEVEL: 'warn',
};

/** The bare gateway of the benches: anonymous callers, unlimited rate limits, observability off. */
export const BARE_GATEWAY_ENV: Readonly<Record<string, string>> = {
  ...ANONYMOUS_SECURITY,
  ...BARE_OBSERVABILITY,
};

export interface GatewayChildOptions {
  name: string;
  /** The built entry, relative to the repository (buildGateway's answer). */
  entry: string;
  port: number;
  simulatorURL: string;
  /** Its settings, on top of NODE_ENV=production and no shutdown drain delay. */
  env: Readonly<Record<string, string>>;
  /** Node flags (default `--enable-source-maps`, as `npm start` has it). */
  nodeFlags?: readonly string[];
  stdoutFile?: StartChildOptions['stdoutFile'];
  appendStdout?: StartChildOptions['appendStdout'];
}

export function startGatewayChild(options: GatewayChildOptions): Promise<Child> {
  const { port, simulatorURL } = options;
  return startChild({
    name: options.name,
    entry: options.entry,
    nodeFlags: options.nodeFlags ?? ['--enable-source-maps'],
    ...(options.stdoutFile !== undefined
      ? { stdoutFile: options.stdoutFile, appendStdout: options.appendStdout ?? false }
      : {}),
    env: {
      NODE_ENV: 'production',
      // The harnesses stop and start gateways: no load balancer to drain from.
      SHUTDOWN_DRAIN_DELAY_SECONDS: '0',
      ...options.env,
      HOST: '127.0.0.1',
      PORT: String(port),
      ONELOGIN_BASE_URL: simulatorURL,
      ONELOGIN_CLIENT_ID: DEMO_CREDENTIALS.clientId,
      ONELOGIN_CLIENT_SECRET: DEMO_CREDENTIALS.clientSecret,
      ONELOGIN_API_KEY: DEMO_CREDENTIALS.apiKey,
      ONELOGIN_LEGACY_BASE_URL: simulatorURL,
    },
    ready: {
      kind: 'http',
      healthURL: `http://127.0.0.1:${port}/healthz`,
      url: `http://127.0.0.1:${port}/graphql`,
    },
  });
}
