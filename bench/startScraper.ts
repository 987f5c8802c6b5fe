/**
 * Prometheus, as far as the gateway can tell: `GET /metrics` every
 * `intervalMs` from the bench's process, for as long as the gateway runs. The
 * scrapes' CPU is the gateway's, so it counts in the gateway's CPU per
 * request, as it does in production; the answers are counted, not kept.
 */
export interface Scraper {
  /** Scrapes since the last reset: answered 200, and not (with the first failure). */
  counts(): { ok: number; failed: number; firstFailure?: string };
  reset(): void;
  /** No scrape until `resume` (while the gateway restarts); resolves when none is in flight. */
  pause(): Promise<void>;
  resume(): void;
  stop(): Promise<void>;
}

export function startScraper(url: string, intervalMs = 1000): Scraper {
  let ok = 0;
  let failed = 0;
  let firstFailure: string | undefined;
  let inFlight: Promise<void> = Promise.resolve();
  let paused = false;
  const scrape = async () => {
    try {
      const response = await fetch(url, { headers: { accept: 'text/plain' } });
      const body = await response.text();
      if (response.status === 200 && body.includes('# TYPE ')) ok += 1;
      else {
        failed += 1;
        firstFailure ??= `HTTP ${response.status}`;
      }
    } catch (error) {
      failed += 1;
      firstFailure ??= error instanceof Error ? error.message : String(error);
    }
  };
  const timer = setInterval(() => {
    if (paused) return;
    inFlight = scrape();
  }, intervalMs);
  return {
    counts: () => ({ ok, failed, ...(firstFailure !== undefined ? { firstFailure } : {}) }),
    reset() {
      ok = 0;
      failed = 0;
      firstFailure = undefined;
    },
    async pause() {
      paused = true;
      await inFlight;
    },
    resume() {
      paused = false;
    },
    async stop() {
      clearInterval(timer);
      await inFlight;
    },
  };
}
