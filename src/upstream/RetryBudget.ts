/**
 * Retries as a share of all calls over a sliding window (the "retry budget" of
 * gRPC's retry throttling and Envoy's `retry_budget`): while retries would go
 * over `ratio` of the calls made in the last `windowMs` (first attempts and
 * retries together), no more retries are made, so that during an outage
 * retries cannot multiply the load on an upstream that is already failing: at
 * `ratio` 0.25, the upstream sees at most 1.33 calls per request. `minimum`
 * retries per window are always allowed, so that a quiet gateway still retries
 * its occasional glitch.
 *
 * cockatiel (our retry and breaker library) has no such budget; this is the
 * small counter it would be.
 */
export class RetryBudget {
  private readonly calls: number[];
  private readonly retries: number[];
  private readonly bucketMs: number;
  private bucketStart = 0;
  private bucket = 0;

  constructor(
    private readonly options: {
      ratio: number;
      windowMs: number;
      minimum: number;
      buckets?: number;
      now?: () => number;
    },
  ) {
    const buckets = options.buckets ?? 10;
    this.calls = new Array<number>(buckets).fill(0);
    this.retries = new Array<number>(buckets).fill(0);
    this.bucketMs = options.windowMs / buckets;
  }

  /** Counts a first attempt. */
  recordCall(): void {
    this.roll();
    this.calls[this.bucket] = (this.calls[this.bucket] ?? 0) + 1;
  }

  /** Whether one more retry fits the budget; when it does, it is counted. */
  tryRetry(): boolean {
    this.roll();
    const calls = sum(this.calls);
    const retries = sum(this.retries);
    const allowed = Math.max(this.options.minimum, this.options.ratio * (calls + retries + 1));
    if (retries + 1 > allowed) return false;
    this.retries[this.bucket] = (this.retries[this.bucket] ?? 0) + 1;
    return true;
  }

  /** Calls and retries in the window now (for health and tests). */
  snapshot(): { calls: number; retries: number } {
    this.roll();
    return { calls: sum(this.calls), retries: sum(this.retries) };
  }

  private roll(): void {
    const now = (this.options.now ?? performance.now.bind(performance))();
    const passed = Math.floor((now - this.bucketStart) / this.bucketMs);
    if (passed <= 0) return;
    const n = this.calls.length;
    for (let i = 1; i <= Math.min(passed, n); i += 1) {
      const index = (this.bucket + i) % n;
      this.calls[index] = 0;
      this.retries[index] = 0;
    }
    this.bucket = (this.bucket + passed) % n;
    this.bucketStart += passed * this.bucketMs;
  }
}

function sum(values: readonly number[]): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}
