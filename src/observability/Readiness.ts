import type { Logger } from '../logging/createLogger';

/** One thing a replica needs before it should get traffic; throws (with a reason to show) when it is missing. */
export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}

/** A reason an operator can act on, safe to show on `/readyz` (no secret, no upstream body or URL). */
export class NotReadyError extends Error {
  override name = 'NotReadyError';
}

export interface ReadinessResult {
  ready: boolean;
  body: {
    status: 'ready' | 'not ready' | 'draining';
    checks: Record<string, 'ok' | string>;
    reasons?: string[];
  };
}

/**
 * `GET /readyz`: whether a load balancer should send this replica requests.
 * Each check (a OneLogin token can be obtained, the event-type catalogue is
 * loaded or loadable, Redis answers when configured) runs with a time limit;
 * the answer is kept for `cacheMs`, and probes arriving together share one run,
 * so that frequent probes from several load balancers cost OneLogin nothing more.
 * Once the gateway is draining (after SIGTERM), it answers 503 at once.
 */
export class Readiness {
  private last: { at: number; result: ReadinessResult } | undefined;
  private running: Promise<ReadinessResult> | undefined;
  private draining = false;

  constructor(
    private readonly checks: readonly ReadinessCheck[],
    private readonly options: { logger: Logger; timeoutMs?: number; cacheMs?: number },
  ) {}

  /** From now on, not ready: the gateway is shutting down. */
  drain(): void {
    this.draining = true;
  }

  get isDraining(): boolean {
    return this.draining;
  }

  async result(): Promise<ReadinessResult> {
    if (this.draining) {
      return {
        ready: false,
        body: {
          status: 'draining',
          checks: {},
          reasons: [
            'the gateway is shutting down (SIGTERM): requests still in flight are finishing',
          ],
        },
      };
    }
    const cacheMs = this.options.cacheMs ?? 2000;
    if (this.last && performance.now() - this.last.at < cacheMs) return this.last.result;
    this.running ??= this.run().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async run(): Promise<ReadinessResult> {
    const timeoutMs = this.options.timeoutMs ?? 3000;
    const outcomes = await Promise.all(
      this.checks.map(async ({ name, check }) => {
        let timer: NodeJS.Timeout | undefined;
        try {
          await Promise.race([
            check(),
            new Promise<never>((_, reject) => {
              timer = setTimeout(
                () => reject(new NotReadyError(`${name} did not answer within ${timeoutMs} ms`)),
                timeoutMs,
              );
            }),
          ]);
          return [name, 'ok'] as const;
        } catch (error) {
          if (error instanceof NotReadyError) return [name, error.message] as const;
          this.options.logger.error({ err: error, check: name }, 'readiness check failed');
          return [name, `${name}: the check failed unexpectedly (see the log)`] as const;
        } finally {
          clearTimeout(timer);
        }
      }),
    );
    const checks = Object.fromEntries(outcomes);
    const reasons = outcomes.filter(([, outcome]) => outcome !== 'ok').map(([, reason]) => reason);
    const result: ReadinessResult =
      reasons.length === 0
        ? { ready: true, body: { status: 'ready', checks } }
        : { ready: false, body: { status: 'not ready', checks, reasons } };
    this.last = { at: performance.now(), result };
    return result;
  }
}
