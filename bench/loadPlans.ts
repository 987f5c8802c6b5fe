/**
 * The HTTP requests autocannon sends for one scenario and contestant: GraphQL
 * POSTs to the gateway (bare or secured) or the floor, or the equivalent
 * OneLogin REST calls straight to the simulator ("direct").
 */
import type autocannon from 'autocannon';

import { projectionFor } from './eventFieldRules';
import type { Scenario } from './scenarios';

export type ContestantId = 'direct' | 'floor' | 'gateway' | 'secured';

/**
 * In the order they are measured. `secured` is the same gateway build as
 * `gateway` with production security on (a JWT on every request, rate limits
 * consumed at production-like values). The prices (security, metrics,
 * tracing, logs) come from the rounds that follow the main runs (see prices.ts).
 */
export const CONTESTANTS: readonly ContestantId[] = ['direct', 'floor', 'gateway', 'secured'];

/** How the tables name each contestant. */
export const CONTESTANT_LABELS: Readonly<Record<ContestantId, string>> = {
  direct: 'direct',
  floor: 'floor',
  gateway: 'gateway',
  secured: 'secured (gateway, production security)',
};

/** OneLogin returns at most 50 events per page. */
export const UPSTREAM_PAGE_SIZE = 50;

export interface Target {
  contestant: ContestantId;
  /** The GraphQL URL (floor, gateway) or OneLogin's origin (direct). */
  url: string;
  /** A OneLogin access token (direct only). */
  token?: string;
  /** The caller's access token for the gateway, sent as `authorization: Bearer …` (secured only). */
  bearer?: string;
}

/** What the requests report back while they run. */
export interface Recorder {
  /** A walk finished, after `ms` (only plans that measure units themselves). */
  unit(ms: number): void;
  /** A 2xx answer that is not a good one (GraphQL errors, a missing cursor). */
  bad(reason: string): void;
}

export interface LoadPlan {
  /**
   * Origin for autocannon; each request carries its own path. Several (replicas
   * of one server): autocannon sends connection i to origin i mod their number.
   */
  origin: string | readonly string[];
  /** HTTP requests per measured unit: 1, or the steps of a walk. */
  stepsPerUnit: number;
  /** True when the plan reports unit latencies itself (walks). */
  measuresUnits: boolean;
  /** A fresh request sequence for one autocannon run. */
  requests(recorder: Recorder): autocannon.Request[];
}

export interface PlanData {
  /** Event ids for `event(id)`, used in turn. */
  ids: readonly string[];
  /** This contestant's cursors to start lists from (null: the newest event), used in turn. */
  starts: ReadonlyArray<string | null>;
}

const END_CURSOR = /"endCursor":"([^"]+)"/;
const AFTER_CURSOR = /"after_cursor":"([^"]+)"/;

/**
 * The load for `scenario` against `target`. Consecutive units (requests or
 * walks), whichever connection sends them, use the next id or start in turn.
 */
export function loadPlanFor(scenario: Scenario, target: Target, data: PlanData): LoadPlan {
  if (scenario.id === 'event-by-id' && data.ids.length === 0) {
    throw new Error('event(id) needs ids from a recent page');
  }
  if (data.starts.length === 0) throw new Error('a list needs at least one place to start');
  return target.contestant === 'direct'
    ? directPlan(scenario, target, data)
    : graphQLPlan(scenario, target, data);
}

/**
 * The requests of one unit: `steps` of them, each built by `build(step, after)`.
 * A unit starts at the next of `starts`; each later step continues from the
 * cursor `cursorOf` read in the previous answer, and is not sent when there
 * was none (autocannon then starts the sequence again). `check` names what is
 * wrong with a 2xx answer, if anything. Walks (steps > 1) report their time.
 */
function sequence(
  recorder: Recorder,
  steps: number,
  starts: ReadonlyArray<string | null>,
  build: (step: number, after: string | null) => autocannon.Request,
  cursorOf: (body: string) => string | undefined,
  check: (body: string) => string | undefined,
): autocannon.Request[] {
  let next = 0;
  return Array.from({ length: steps }, (_, step): autocannon.Request => ({
    ...build(step, null),
    // `request` carries autocannon's defaults (host, port); the built request overrides the rest.
    setupRequest(request, context) {
      if (step === 0) {
        context['started'] = performance.now();
        return { ...request, ...build(0, starts[next++ % starts.length] ?? null) };
      }
      const after = context['cursor'];
      return typeof after === 'string' ? { ...request, ...build(step, after) } : null;
    },
    onResponse(status, body, context) {
      context['cursor'] = steps > 1 ? cursorOf(body) : undefined;
      if (status < 200 || status >= 300) return;
      const problem = check(body);
      if (problem) recorder.bad(problem);
      else if (step < steps - 1 && context['cursor'] === undefined) {
        recorder.bad(`step ${step + 1} of a walk gave no cursor`);
      }
      if (steps > 1 && step === steps - 1) {
        recorder.unit(performance.now() - (context['started'] as number));
      }
    },
  }));
}

function graphQLPlan(scenario: Scenario, target: Target, data: PlanData): LoadPlan {
  const url = new URL(target.url);
  const { query } = scenario.operation;
  const headers = graphQLHeaders(target);
  const post = (variables: Record<string, unknown>): autocannon.Request => ({
    method: 'POST',
    path: url.pathname,
    headers,
    body: JSON.stringify({ query, variables }),
  });
  const check = (body: string) =>
    body.includes('"errors":') ? `GraphQL errors: ${body.slice(0, 300)}` : undefined;
  const cursorOf = (body: string) => END_CURSOR.exec(body)?.[1];

  if (scenario.id === 'event-by-id') {
    const { ids } = data;
    return {
      origin: url.origin,
      stepsPerUnit: 1,
      measuresUnits: false,
      requests(recorder) {
        let next = 0;
        return sequence(
          recorder,
          1,
          [null],
          () => post({ id: ids[next++ % ids.length] }),
          cursorOf,
          check,
        );
      },
    };
  }
  const first = scenario.first ?? 20;
  const steps = scenario.walkSteps ?? 1;
  return {
    origin: url.origin,
    stepsPerUnit: steps,
    measuresUnits: steps > 1,
    requests: (recorder) =>
      sequence(
        recorder,
        steps,
        data.starts,
        (_step, after) => post({ first, after }),
        cursorOf,
        check,
      ),
  };
}

/** The headers of a GraphQL POST to `target`: its bearer token, if it has one. */
export function graphQLHeaders(target: Target): Record<string, string> {
  return {
    'content-type': 'application/json',
    ...(target.bearer !== undefined ? { authorization: `Bearer ${target.bearer}` } : {}),
  };
}

function directPlan(scenario: Scenario, target: Target, data: PlanData): LoadPlan {
  const headers = { authorization: `Bearer ${target.token ?? ''}`, accept: 'application/json' };
  const get = (path: string): autocannon.Request => ({ method: 'GET', path, headers });
  const check = () => undefined;
  const cursorOf = (body: string) => AFTER_CURSOR.exec(body)?.[1];

  if (scenario.id === 'event-by-id') {
    const { ids } = data;
    return {
      origin: target.url,
      stepsPerUnit: 1,
      measuresUnits: false,
      requests(recorder) {
        let next = 0;
        return sequence(
          recorder,
          1,
          [null],
          () => get(`/api/1/events/${ids[next++ % ids.length]}`),
          cursorOf,
          check,
        );
      },
    };
  }
  // The events one unit covers, 50 per call at most, following after_cursor.
  const unitEvents = (scenario.first ?? 20) * (scenario.walkSteps ?? 1);
  const limit = Math.min(UPSTREAM_PAGE_SIZE, unitEvents);
  const steps = Math.ceil(unitEvents / limit);
  const { selection } = scenario.operation;
  return {
    origin: target.url,
    stepsPerUnit: steps,
    measuresUnits: steps > 1,
    requests: (recorder) =>
      sequence(
        recorder,
        steps,
        data.starts,
        (_step, after) => get(directListPath(selection, limit, after)),
        cursorOf,
        check,
      ),
  };
}

/**
 * The `GET /api/1/events` a direct client sends for a selection: newest first,
 * projected to the fields the selection needs, as the gateway asks. The
 * catalogue is not fetched per request: a direct client keeps it, as the
 * gateway does.
 */
export function directListPath(
  selection: readonly string[],
  limit: number,
  after?: string | null,
): string {
  const projection = projectionFor(selection, []);
  return (
    `/api/1/events?limit=${limit}&sort=-created_at` +
    (projection ? `&fields=${projection.join(',')}` : '') +
    (after ? `&after_cursor=${encodeURIComponent(after)}` : '')
  );
}
