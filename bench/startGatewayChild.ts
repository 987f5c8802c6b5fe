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
