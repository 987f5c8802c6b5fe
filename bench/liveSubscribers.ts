/**
 * Subscribers of `eventAdded` for the live bench: each a graphql-ws client of
 * its own over its own WebSocket (as a browser or a router would connect),
 * noting when each event arrived by the wall clock, the clock the simulator
 * stamps `created_at` with on the same machine.
 */
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

export const EVENT_ADDED = 'subscription { eventAdded { id createdAt } }';

export interface LiveSubscriber {
  /** Event id → `Date.now()` when its `next` message was handled. */
  received: Map<string, number>;
  /** Set once the subscription ends (it should not during a run). */
  ended: string | undefined;
  close(): Promise<void>;
}

export function subscribe(graphqlURL: string): Promise<LiveSubscriber> {
  const client = createClient({
    url: graphqlURL.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    lazy: true,
    retryAttempts: 0,
    onNonLazyError: () => undefined,
  });
  const subscriber: LiveSubscriber = {
    received: new Map(),
    ended: undefined,
    close: () => client.dispose() as Promise<void>,
  };
  return new Promise((resolve, reject) => {
    const off = client.on('connected', () => {
      off();
      resolve(subscriber);
    });
    client.subscribe(
      { query: EVENT_ADDED },
      {
        next: (result) => {
          const id = (result.data as { eventAdded?: { id?: string } } | undefined)?.eventAdded?.id;
          if (id !== undefined) subscriber.received.set(id, Date.now());
          else subscriber.ended = `an event without an id: ${JSON.stringify(result)}`;
        },
        complete: () => (subscriber.ended ??= 'completed'),
        error: (error: unknown) => {
          subscriber.ended ??= describe(error);
          reject(new Error(`subscription refused: ${describe(error)}`));
        },
      },
    );
  });
}

/** `count` subscribers, `concurrency` connecting at a time. */
export async function subscribeMany(
  graphqlURL: string,
  count: number,
  concurrency = 50,
): Promise<LiveSubscriber[]> {
  const subscribers: LiveSubscriber[] = [];
  for (let start = 0; start < count; start += concurrency) {
    const batch = Math.min(concurrency, count - start);
    subscribers.push(
      ...(await Promise.all(Array.from({ length: batch }, () => subscribe(graphqlURL)))),
    );
  }
  return subscribers;
}

export async function closeAll(subscribers: readonly LiveSubscriber[]): Promise<void> {
  await Promise.all(subscribers.map((subscriber) => subscriber.close()));
}

function describe(error: unknown): string {
  if (Array.isArray(error)) return JSON.stringify(error);
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const { code, reason } = error as { code: unknown; reason?: unknown };
    return `closed ${String(code)} ${String(reason ?? '')}`;
  }
  return String(error);
}
