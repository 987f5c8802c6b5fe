import type { FormattedExecutionResult } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

/** The gateway's WebSocket URL for its GraphQL URL (`http://…/graphql` → `ws://…/graphql`). */
export function webSocketURL(graphqlURL: string): string {
  return graphqlURL.replace(/^http/, 'ws');
}

/** How a subscription ended: `complete`, an `error` message (GraphQL errors), or the socket closed. */
export type SubscriptionEnd =
  | { kind: 'complete' }
  | {
      kind: 'errors';
      errors: ReadonlyArray<{ message: string; extensions?: Record<string, unknown> }>;
    }
  | { kind: 'closed'; code: number; reason: string };

export interface LiveSubscriptionHandle {
  /** Every `next` payload so far, in order. */
  results: FormattedExecutionResult[];
  /** Resolves when the subscription ends, however it ends. */
  ended: Promise<SubscriptionEnd>;
  /** Waits for at least `count` payloads (fails after `timeoutMs`). */
  waitForResults(count: number, timeoutMs?: number): Promise<FormattedExecutionResult[]>;
  /** Unsubscribes (the `complete` message). */
  stop(): void;
}

export interface LiveConnection {
  client: Client;
  /** Resolves with the close code and reason once the socket closes (after it opened). */
  closed: Promise<{ code: number; reason: string }>;
  subscribe(query: string, variables?: Record<string, unknown>): LiveSubscriptionHandle;
  /** Closes the socket. */
  close(): Promise<void>;
}

/**
 * A real graphql-ws client over `ws`, as a browser or router would connect:
 * `connectionParams` carry the credential. No retries: a refused or dropped
 * connection ends its subscriptions with the close code and reason.
 */
export function connectLive(
  graphqlURL: string,
  options: {
    connectionParams?: Record<string, unknown>;
    headers?: Record<string, string>;
  } = {},
): LiveConnection {
  const headers = options.headers;
  let onClosed: (event: { code: number; reason: string }) => void = () => undefined;
  const closed = new Promise<{ code: number; reason: string }>((resolve) => (onClosed = resolve));
  const client = createClient({
    url: webSocketURL(graphqlURL),
    webSocketImpl: headers
      ? class extends WebSocket {
          constructor(address: string, protocols?: string | string[]) {
            super(address, protocols, { headers });
          }
        }
      : WebSocket,
    ...(options.connectionParams ? { connectionParams: options.connectionParams } : {}),
    retryAttempts: 0,
    lazy: true,
    // A test reads every outcome itself: graphql-ws must not log.
    onNonLazyError: () => undefined,
    on: {
      closed: (event) => {
        if (isCloseEvent(event)) onClosed({ code: event.code, reason: event.reason });
      },
    },
  });
  return {
    client,
    closed,
    subscribe(query, variables) {
      const results: FormattedExecutionResult[] = [];
      let settle: (end: SubscriptionEnd) => void = () => undefined;
      const ended = new Promise<SubscriptionEnd>((resolve) => (settle = resolve));
      const stop = client.subscribe(
        { query, ...(variables ? { variables } : {}) },
        {
          next: (value) => void results.push(value as FormattedExecutionResult),
          complete: () => settle({ kind: 'complete' }),
          error: (error: unknown) => {
            if (Array.isArray(error)) {
              settle({ kind: 'errors', errors: error as never });
            } else if (isCloseEvent(error)) {
              settle({ kind: 'closed', code: error.code, reason: error.reason });
            } else {
              settle({ kind: 'closed', code: 0, reason: String(error) });
            }
          },
        },
      );
      return {
        results,
        ended,
        stop,
        async waitForResults(count, timeoutMs = 10_000) {
          await waitFor(
            () => results.length >= count,
            timeoutMs,
            () =>
              `${count} results (got ${results.length}: ${JSON.stringify(results).slice(0, 500)})`,
          );
          return results;
        },
      };
    },
    close: () => client.dispose() as Promise<void>,
  };
}

function isCloseEvent(value: unknown): value is { code: number; reason: string } {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { code?: unknown }).code === 'number' &&
    typeof (value as { reason?: unknown }).reason === 'string'
  );
}

/** Polls `condition` every 20 ms until it holds, or fails with `what` after `timeoutMs`. */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Where the simulator's data set ends for live tests: the wall clock, not
 * TEST_NOW. The live feed starts at the gateway's clock and publishes what
 * OneLogin created after it; a data set anchored ahead of today (TEST_NOW set
 * in the future) would all be "new". Live tests rely on no event of the data
 * set, only on the events they create, so its content may change by the hour.
 */
export function liveDataNow(): number {
  return Date.now();
}

/** The `live` part of a gateway's `/healthz`. */
export interface LiveHealth {
  subscribers: number;
  polling: boolean;
  pollIntervalSeconds: number;
  pollsPerHour: number;
  lastPoll: { at: string; outcome: string; events: number } | null;
}

export async function liveState(gateway: { url: string }): Promise<LiveHealth> {
  const response = await fetch(gateway.url.replace('/graphql', '/healthz'));
  return ((await response.json()) as { live: LiveHealth }).live;
}

/** Waits until the gateway serves `count` subscriptions (each is live from then on). */
export async function subscribersReach(gateway: { url: string }, count: number): Promise<void> {
  await waitFor(
    async () => (await liveState(gateway)).subscribers === count,
    10_000,
    () => `${count} subscribers`,
  );
}
