/**
 * The fault goals' load: reads started on a fixed schedule, `ratePerSecond`
 * of them a second, whether or not the earlier ones have finished (an open
 * loop, as from many independent clients: a slow or failing upstream does
 * not slow the arrivals down). At the default rate and a healthy upstream
 * about seven reads are in flight; `maxInFlight` only bounds the worst case.
 * Every read is recorded with its start, end and outcome.
 *
 * The reads are what a client of the gateway sends most: `events(first: 20)`
 * pages, each with its own `until` (no two alike, so the gateway cannot share
 * one upstream call between them), the next page of a list after its
 * `endCursor`, and `event(id)` of ids that no page has shown (so each one is an
 * upstream look-up, not a cache hit).
 */

/** One read as the load generator saw it; times in ms from the fault's onset (negative before). */
export interface ReadRecord {
  kind: 'page' | 'next-page' | 'event';
  startMs: number;
  endMs: number;
  ok: boolean;
  /** Why it failed: the first error's `extensions.code`, or what went wrong over HTTP. */
  failure?: string;
}

export interface FaultLoadPlan {
  /** The gateway's `/graphql` URL. */
  graphqlURL: string;
  /** Reads started per second. */
  ratePerSecond: number;
  /** A read due while this many are in flight waits for one of them. */
  maxInFlight: number;
  /** Event ids for `event(id)`, each used once; none of them is on any page the load reads. */
  eventIds: readonly string[];
  /** The `until` of the `i`-th fresh page (an ISO instant), different for every `i`. */
  pageUntil(i: number): string;
  /** How long one read may take before it counts as failed. */
  readTimeoutMs: number;
}

export interface FaultLoadResult {
  records: ReadRecord[];
  /** The most reads in flight at once. */
  peakInFlight: number;
}

const EVENT_SELECTION = 'id createdAt eventTypeId userId userName ipAddress eventType { name }';

const PAGE_QUERY = `query FaultGoalsPage($filter: EventFilter, $after: String) {
  events(filter: $filter, first: 20, after: $after) {
    edges { cursor node { ${EVENT_SELECTION} } }
    pageInfo { hasNextPage endCursor }
  }
}`;

const EVENT_QUERY = `query FaultGoalsEvent($id: ID!) {
  event(id: $id) { ${EVENT_SELECTION} }
}`;

interface GraphQLAnswer {
  data?: Record<string, unknown> | null;
  errors?: Array<{ extensions?: { code?: unknown } }>;
}

/** A list whose next page is still to be read. */
interface OpenList {
  filter: { until: string };
  endCursor: string;
}

/**
 * Drives the load from `times.startAt` until `times.stopAt` (`performance.now()`
 * values), recording times from `times.origin`; resolves with every read, those
 * in flight at `stopAt` included once they end. The reads cycle: a fresh page, a look-up, the next page of an earlier
 * page's list (a fresh page when none is open), a look-up.
 */
export async function driveFaultLoad(
  plan: FaultLoadPlan,
  times: { startAt: number; origin: number; stopAt: number },
): Promise<FaultLoadResult> {
  const { startAt, stopAt, origin } = times;
  const records: ReadRecord[] = [];
  const running = new Set<Promise<void>>();
  const openLists: OpenList[] = [];
  let nextPage = 0;
  let nextEvent = 0;
  let peakInFlight = 0;
  const intervalMs = 1000 / plan.ratePerSecond;

  const startRead = (step: number): Promise<void> => {
    if (step % 2 === 1) {
      const id = plan.eventIds[nextEvent];
      if (id === undefined) {
        throw new Error(`the load ran out of unseen event ids after ${nextEvent} look-ups`);
      }
      nextEvent += 1;
      return read(plan, origin, 'event', EVENT_QUERY, { id }, 'event').then((record) => {
        records.push(record);
      });
    }
    const list = step % 4 === 2 ? openLists.shift() : undefined;
    if (list) {
      return read(
        plan,
        origin,
        'next-page',
        PAGE_QUERY,
        { filter: list.filter, after: list.endCursor },
        'events',
      ).then((record) => {
        records.push(record);
      });
    }
    const filter = { until: plan.pageUntil(nextPage) };
    nextPage += 1;
    return read(plan, origin, 'page', PAGE_QUERY, { filter }, 'events', (data) => {
      const pageInfo = (data as { pageInfo?: { hasNextPage?: boolean; endCursor?: string } })
        .pageInfo;
      if (pageInfo?.hasNextPage && pageInfo.endCursor) {
        openLists.push({ filter, endCursor: pageInfo.endCursor });
      }
    }).then((record) => {
      records.push(record);
    });
  };

  for (let step = 0; ; step += 1) {
    const due = startAt + step * intervalMs;
    if (due >= stopAt) break;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    while (running.size >= plan.maxInFlight) await Promise.race(running);
    const reading = startRead(step).finally(() => running.delete(reading));
    running.add(reading);
    peakInFlight = Math.max(peakInFlight, running.size);
  }
  await Promise.all(running);
  return { records, peakInFlight };
}

/** One read: success means HTTP 200, no `errors`, and a non-null `field`. */
async function read(
  plan: FaultLoadPlan,
  origin: number,
  kind: ReadRecord['kind'],
  query: string,
  variables: Record<string, unknown>,
  field: string,
  onData?: (data: unknown) => void,
): Promise<ReadRecord> {
  const start = performance.now();
  const done = (failure?: string): ReadRecord => ({
    kind,
    startMs: start - origin,
    endMs: performance.now() - origin,
    ok: failure === undefined,
    ...(failure === undefined ? {} : { failure }),
  });
  let response: Response;
  let answer: GraphQLAnswer;
  try {
    response = await fetch(plan.graphqlURL, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(plan.readTimeoutMs),
    });
    answer = (await response.json()) as GraphQLAnswer;
  } catch (error) {
    const name = error instanceof Error ? error.name : 'error';
    return done(name === 'TimeoutError' ? 'client timeout' : `HTTP ${name}`);
  }
  const code = answer.errors?.[0]?.extensions?.code;
  if (answer.errors && answer.errors.length > 0) {
    return done(typeof code === 'string' ? code : 'error without a code');
  }
  if (response.status !== 200) return done(`HTTP ${response.status}`);
  const value = answer.data?.[field];
  if (value === null || value === undefined) return done(`null ${field}`);
  onData?.(value);
  return done();
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
