/**
 * The part of autocannon 8's API the bench uses (autocannon ships no types and
 * the project does not depend on @types/autocannon). See its README.
 */
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';

  namespace autocannon {
    /** Shared by the requests of one connection; reset to `initialContext` when its sequence restarts. */
    type Context = Record<string, unknown>;

    interface Request {
      method?: string;
      path?: string;
      headers?: Record<string, string>;
      body?: string;
      /** Called before the request is sent; a falsy result restarts the connection's sequence. */
      setupRequest?(request: Request, context: Context): Request | null | undefined;
      onResponse?(
        status: number,
        body: string,
        context: Context,
        headers: Record<string, string | string[]>,
      ): void;
    }

    interface Options {
      /** Several URLs: connection i goes to URL i mod their number. */
      url: string | readonly string[];
      connections?: number;
      /** Seconds; autocannon stops at the first sample tick (`sampleInt`) after it. */
      duration?: number;
      /** Milliseconds between samples (default 1000), which is also how often it checks for the end. */
      sampleInt?: number;
      /** Seconds without an answer before a request counts as timed out. */
      timeout?: number;
      pipelining?: number;
      method?: string;
      headers?: Record<string, string>;
      body?: string;
      requests?: Request[];
      initialContext?: Context;
    }

    interface Histogram {
      average: number;
      mean: number;
      stddev: number;
      min: number;
      max: number;
      p50: number;
      p99: number;
      total: number;
      sent?: number;
    }

    interface Result {
      /** Seconds the run lasted. */
      duration: number;
      errors: number;
      timeouts: number;
      mismatches: number;
      resets: number;
      non2xx: number;
      '2xx': number;
      requests: Histogram;
      latency: Histogram;
      throughput: Histogram;
    }

    interface Instance extends EventEmitter, PromiseLike<Result> {
      stop(): void;
      on(
        event: 'response',
        listener: (client: unknown, status: number, bytes: number, responseTimeMs: number) => void,
      ): this;
      on(event: string, listener: (...args: unknown[]) => void): this;
    }
  }

  function autocannon(options: autocannon.Options): autocannon.Instance;
  export = autocannon;
}
