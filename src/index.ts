/**
 * Process entry: configuration → (demo: the embedded OneLogin simulator) →
 * gateway → listen. Stops cleanly on SIGINT/SIGTERM.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

import type { Config, ExplorerKind } from './config/loadConfig';
import { ConfigError, loadConfig } from './config/loadConfig';
import { createLogger } from './logging/createLogger';
import { startGateway } from './server/startGateway';
import {
  DEMO_CREDENTIALS,
  DEMO_OIDC_AUDIENCE,
  DEMO_OIDC_ISSUER,
  startSimulator,
} from './simulator';

/** What the ready line says a browser finds at the GraphQL URL. */
const EXPLORER_HINT: Record<ExplorerKind, string> = {
  sandbox: ' (open it in a browser for Apollo Sandbox)',
  graphiql: ' (open it in a browser for GraphiQL)',
  off: '',
};

/**
 * Reads `.env` from the working directory when there is one, with Node's own
 * loader: a variable already set in the environment wins over the file.
 * Returns the names it set (never the values: some are secrets).
 */
function loadDotEnv(): { file: string; names: string[] } | undefined {
  const file = path.resolve('.env');
  if (!existsSync(file)) return undefined;
  const before = new Set(Object.keys(process.env));
  process.loadEnvFile(file);
  return { file, names: Object.keys(process.env).filter((name) => !before.has(name)) };
}

async function main(): Promise<void> {
  let config: Config;
  let dotEnv: ReturnType<typeof loadDotEnv>;
  try {
    dotEnv = loadDotEnv();
  } catch (error) {
    process.stderr.write(`Could not read .env: ${String(error)}\n`);
    process.exit(1);
  }
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger({ level: config.logLevel, format: config.logFormat });
  if (dotEnv)
    logger.info({ file: dotEnv.file, variables: dotEnv.names }, 'read settings from .env');

  let simulator: Awaited<ReturnType<typeof startSimulator>> | undefined;
  if (config.demo) {
    simulator = await startSimulator({
      seed: config.demoSimulator.seed,
      eventCount: config.demoSimulator.events,
      liveEventsPerMinute: config.demoSimulator.liveEventsPerMinute,
    });
    logger.warn(
      {
        simulator: simulator.url,
        seed: config.demoSimulator.seed,
        events: config.demoSimulator.events,
      },
      `DEMO MODE: no OneLogin credentials are configured, so the gateway serves the embedded OneLogin simulator at ${simulator.url}. ` +
        'Set ONELOGIN_BASE_URL, ONELOGIN_CLIENT_ID and ONELOGIN_CLIENT_SECRET to use a real OneLogin account.',
    );
    config = {
      ...config,
      oneLogin: {
        baseURL: simulator.url,
        clientId: DEMO_CREDENTIALS.clientId,
        clientSecret: DEMO_CREDENTIALS.clientSecret,
      },
      legacy: { baseURL: simulator.url, apiKey: DEMO_CREDENTIALS.apiKey },
      // Anonymous callers keep every scope; a demo token (`npm run token`) is
      // checked against the simulator's OIDC keys, so self-scoped access can be tried.
      auth:
        config.auth.methods.length === 0 && !config.auth.explicitNone
          ? {
              ...config.auth,
              methods: ['jwt'],
              jwt: {
                jwksURL: simulator.jwksURL,
                issuer: DEMO_OIDC_ISSUER,
                audience: [DEMO_OIDC_AUDIENCE],
                scopesClaim: 'scope',
                userIdClaim: 'sub',
                algorithms: ['RS256'],
                clockToleranceSeconds: 30,
                jwksCacheSeconds: 600,
                jwksCooldownSeconds: 30,
              },
            }
          : config.auth,
    };
  }

  const gateway = await startGateway({ config, logger });
  logger.info(
    { url: gateway.url, demo: config.demo, cache: config.cache.redisURL ? 'redis' : 'memory' },
    `GraphQL gateway ready at ${gateway.url}${EXPLORER_HINT[config.graphql.explorer]}`,
  );

  // SIGTERM (an orchestrator or load balancer): not ready at once, keep serving for the drain
  // delay while load balancers take the replica out, then let requests in flight finish and
  // exit 0. SIGINT (Ctrl-C at a terminal) skips the delay, and a second signal ends the wait.
  let stopping = false;
  let endDelay: (() => void) | undefined;
  const stop = (signal: string) => {
    if (stopping) {
      endDelay?.();
      return;
    }
    stopping = true;
    gateway.drain();
    const delayMs = signal === 'SIGTERM' ? config.shutdown.drainDelayMs : 0;
    logger.info(
      { signal, drainDelayMs: delayMs, graceMs: config.shutdown.graceMs },
      delayMs > 0
        ? `stopping: /readyz answers 503, requests are served for ${delayMs / 1000} s more, then those in flight finish`
        : 'stopping: requests in flight finish',
    );
    const delay = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, delayMs);
      endDelay = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    void delay
      .then(() => Promise.all([gateway.stop(), simulator?.close()]))
      .then(() => {
        logger.info('stopped');
        process.exit(0);
      })
      .catch((error: unknown) => {
        logger.error({ err: error }, 'error while stopping');
        process.exit(1);
      });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(
    `Failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
