import type { Keyv } from 'keyv';

import type { FailedProvisioningConnectionModel } from '../domain/failedProvisioningConnection';
import {
  failedProvisioningConnection,
  sortByCreatedAt,
} from '../domain/failedProvisioningConnection';
import type { FailedProvisioningsQueryInput } from '../domain/failedProvisioningsQuery';
import { planFailedProvisioningsQuery } from '../domain/failedProvisioningsQuery';
import type { CallAccount } from '../upstream/HttpTransport';
import type { UpstreamBudget } from '../domain/UpstreamBudget';
import type { Logger } from '../logging/createLogger';
import type { TraceParent, Tracing } from '../observability/tracing';
import { NO_TRACING } from '../observability/tracing';
import type { LegacyClient } from '../upstream/LegacyClient';
import type { FailedProvisioningDto } from '../upstream/legacyDto';
import { upstreamError } from '../upstream/upstreamError';
import type { CacheLookupObserver } from './EventCache';
import { requireLegacyClient } from './requireLegacyClient';

export interface FailedProvisioningsAPIOptions {
  /** Absent without an API key: the field answers UPSTREAM_NOT_CONFIGURED. */
  client: LegacyClient | undefined;
  /** Shared cache (memory or Redis) of fetched ranges. */
  store: Keyv;
  /** 0 turns the cache off. */
  ttlSeconds: number;
  paging: { defaultPageSize: number; maxPageSize: number };
  maxRangeDays: number;
  logger: Logger;
  /** Told whether each range was cached (metrics). */
  onLookup?: CacheLookupObserver;
  /** A `cache.get` span per range look-up (`cache.name` failed-provisionings); absent: none. */
  tracing?: Tracing;
}

/**
 * OneLogin's failed provisionings (`GET /api/v1/logins/failed_provisioning.json`)
 * as Relay connections. OneLogin answers a whole range at once, so a range is
 * fetched once, kept for a short time (keyed by the range OneLogin was asked
 * for) and paged through in the gateway: walking every page of a range costs
 * one upstream call. Concurrent requests for the same range share that call.
 */
export class FailedProvisioningsAPI {
  private readonly inFlight = new Map<string, Promise<FailedProvisioningDto[]>>();
  private readonly ttlMs: number;

  constructor(private readonly options: FailedProvisioningsAPIOptions) {
    this.ttlMs = options.ttlSeconds * 1000;
  }

  /** One call to OneLogin, charged to `budget`, unless the range is cached or already being fetched. */
  async listFailedProvisionings(
    input: FailedProvisioningsQueryInput,
    budget: UpstreamBudget,
  ): Promise<FailedProvisioningConnectionModel> {
    const client = requireLegacyClient(this.options.client, 'failedProvisionings');
    const plan = planFailedProvisioningsQuery(input, this.options);
    const fetched = await this.range(client, plan.upstream, budget);
    return failedProvisioningConnection(fetched, plan);
  }

  /** The range's failures, oldest first: from the cache, a call in flight, or OneLogin. */
  private async range(
    client: LegacyClient,
    range: { startDate: string; stopDate: string },
    budget: UpstreamBudget,
  ): Promise<FailedProvisioningDto[]> {
    const key = `range:${range.startDate}/${range.stopDate}`;
    const cached = await this.cached(key, budget.trace);
    if (cached !== undefined) return cached;
    const existing = this.inFlight.get(key);
    if (existing) return existing;
    await budget.spend('legacy');
    // Another request may have started the same call while this one was charged.
    const started = this.inFlight.get(key);
    if (started) return started;
    const call = this.fetch(client, range, key, budget.legacy).finally(() =>
      this.inFlight.delete(key),
    );
    this.inFlight.set(key, call);
    return call;
  }

  private async fetch(
    client: LegacyClient,
    range: { startDate: string; stopDate: string },
    key: string,
    account: CallAccount,
  ): Promise<FailedProvisioningDto[]> {
    const sorted = sortByCreatedAt(await client.listFailedProvisionings(range, account));
    if (!sorted.ok) {
      this.options.logger.warn(
        { route: 'GET /api/v1/logins/failed_provisioning.json', index: sorted.index },
        'OneLogin sent a failed provisioning whose created_at the gateway cannot read',
      );
      throw upstreamError('onelogin-legacy', { kind: 'bad-response', status: 200 });
    }
    if (this.ttlMs > 0) {
      // In the background: a slow or failing cache never delays the answer.
      this.options.store.set(key, sorted.items, this.ttlMs).catch((error: unknown) => {
        this.options.logger.warn(
          { error: String(error) },
          'failed-provisioning cache write failed',
        );
      });
    }
    return sorted.items;
  }

  private async cached(
    key: string,
    trace: TraceParent | undefined,
  ): Promise<FailedProvisioningDto[] | undefined> {
    if (this.ttlMs <= 0) return undefined;
    const found = await (this.options.tracing ?? NO_TRACING).cacheLookup(
      'failed-provisionings',
      trace,
      async () => {
        try {
          return (await this.options.store.get(key)) as FailedProvisioningDto[] | undefined;
        } catch (error) {
          this.options.logger.warn(
            { error: String(error) },
            'failed-provisioning cache read failed',
          );
          return undefined;
        }
      },
      (found) => ({ hit: found !== undefined }),
    );
    this.options.onLookup?.(found === undefined ? 'miss' : 'hit', 1);
    return found;
  }
}
