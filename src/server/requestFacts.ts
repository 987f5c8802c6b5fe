import { randomUUID } from 'node:crypto';

import type { TraceParent } from '../observability/tracing';

/**
 * What the gateway learns about one HTTP request as it is served, for its
 * access-log line and its metrics (see observability/observeRequest). Created
 * when the request arrives; Apollo's plugins fill in the operation and the
 * outcome, the HTTP server the refusals that happen before Apollo.
 */
export interface RequestFacts {
  /** The client's or router's `x-request-id` when well-formed, a new UUID otherwise. */
  readonly id: string;
  /** The operation's name once it passed validation (null: anonymous). */
  operationName?: string | null;
  /** `query` or `mutation`, once validated. */
  operationType?: string;
  /** Whether the document parsed and validated, so the name is one the schema accepted. */
  validated: boolean;
  /** The error codes of the response, in order (empty: no error). */
  codes: string[];
  /** OneLogin calls the request made (see UpstreamBudget.count). */
  upstreamCalls: number;
  /** Who asked (a key's name, a token's subject), never a credential. */
  caller?: string;
  /** The request's server span, when it is traced (a GraphQL request with tracing on). */
  trace?: TraceParent;
}

/** Request ids a client may choose: letters, digits and `._:-`, at most 128 (UUIDs, ULIDs, Envoy's, AWS's). */
const REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

export function newRequestFacts(given: string | string[] | undefined): RequestFacts {
  const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
  return { id, validated: false, codes: [], upstreamCalls: 0 };
}
