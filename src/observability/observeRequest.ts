import { errorKind } from '../errors/formatError';
import type { Logger } from '../logging/createLogger';
import type { RequestFacts } from '../server/requestFacts';
import type { Metrics } from './Metrics';
import { traceLogFields } from './tracing';

/** How an HTTP request ended, as the HTTP server saw it. */
export interface RequestEnd {
  method: string;
  /** The path only: a query string (GET /graphql?query=…) may hold variables. */
  path: string;
  status: number;
  /** From arrival to the last byte written (or the connection closing). */
  seconds: number;
  /** A GraphQL request (counted in the GraphQL metrics), not a probe or a page. */
  graphql: boolean;
  /** The client went away before the response was complete. */
  aborted: boolean;
}

/**
 * Writes a request's access-log line and counts it in the metrics: one line per
 * request, with its id, the operation, duration, outcome codes, OneLogin calls
 * and the caller's name (never a credential). The level says whose fault a
 * failure is: the gateway's own (5xx, INTERNAL_SERVER_ERROR) at error, an
 * upstream failure at warn, everything else, client mistakes included, at info;
 * health probes and metric scrapes at debug.
 */
export function requestObserver(options: {
  logger: Logger;
  metrics?: Metrics;
}): (facts: RequestFacts, end: RequestEnd) => void {
  const { logger, metrics } = options;
  // The access line is built here from the request's facts alone (ids, names, codes, counts: no
  // header, token or body can reach it, and a test asserts its every field), so it skips the
  // logger's redaction paths, which cost 4x the rest of the line (~15 µs against ~4 µs a line).
  const accessLog = logger.child({}, { redact: [] });
  return (facts, end) => {
    try {
      log(facts, end);
      if (metrics && end.graphql) count(metrics, facts, end);
    } catch (error) {
      // Called from the response's 'close' event: a throw here would end the process.
      logger.error({ err: error, requestId: facts.id }, 'recording a request failed');
    }
  };

  function log(facts: RequestFacts, end: RequestEnd): void {
    const kinds = facts.codes.map(errorKind);
    const level = !end.graphql
      ? 'debug'
      : kinds.includes('internal') || (kinds.length === 0 && end.status >= 500)
        ? 'error'
        : kinds.includes('upstream')
          ? 'warn'
          : 'info';
    // Production runs at info; a bench or a quiet deployment at warn skips building the line.
    if (!accessLog.isLevelEnabled(level)) return;
    accessLog[level](
      {
        requestId: facts.id,
        method: end.method,
        path: end.path,
        status: end.status,
        ms: Math.round(end.seconds * 10_000) / 10,
        ...(end.graphql
          ? {
              operation: facts.validated ? (facts.operationName ?? '<anonymous>') : undefined,
              operationType: facts.operationType ?? 'unknown',
              codes: facts.codes,
              upstreamCalls: facts.upstreamCalls,
            }
          : {}),
        caller: facts.caller,
        ...(end.aborted ? { aborted: true } : {}),
        ...traceLogFields(facts.trace),
      },
      'request',
    );
  }
}

function count(metrics: Metrics, facts: RequestFacts, end: RequestEnd): void {
  const type = facts.operationType ?? 'unknown';
  const operation = metrics.operationNames.label(facts.operationName, facts.validated);
  const outcome = facts.codes.length === 0 ? 'OK' : outcomeCode(facts.codes[0]);
  metrics.graphqlRequests.inc({ operation, type, outcome });
  metrics.graphqlDuration.observe({ operation, type }, end.seconds);
  // RATE_LIMITED before validation can only be the caller's request rate (the HTTP server's
  // admit); its hourly share of OneLogin calls is counted where calls are charged.
  if (!facts.validated && facts.codes[0] === 'RATE_LIMITED') {
    metrics.callerRefusals.inc({ limit: 'requests' });
  }
}

/** A code as a label: the error-code table's and Apollo's request codes; anything else is internal. */
function outcomeCode(code: string | undefined): string {
  return code !== undefined && errorKind(code) !== 'internal' ? code : 'INTERNAL_SERVER_ERROR';
}
