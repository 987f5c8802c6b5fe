/**
 * graphql-cop's 13 checks (the port in test/helpers/graphqlCop.ts) against the
 * gateway in its production configuration: NODE_ENV=production, callers
 * authenticated by JWT. Run without credentials and with a token holding every
 * scope, none of them finds anything.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { ALL_SCOPES } from '../../src/auth/scopes';
import { GRAPHQL_COP_CHECKS, GraphqlCopError, runGraphqlCop } from '../helpers/graphqlCop';
import type { CopCheckId } from '../helpers/graphqlCop';
import { startTestGateway, type TestGateway } from '../helpers/startTestGateway';
import {
  startTestIdentityProvider,
  type TestIdentityProvider,
} from '../helpers/testIdentityProvider';

/**
 * What each check saw (a part of its `detail`): every one is refused by a limit of the
 * gateway's, or finds no trace of what it looks for.
 */
const EVIDENCE: Record<CopCheckId, string> = {
  alias_overloading:
    "-> 400: KeyError: 'data' (errors[0].message = 'Aliases limit of 15 exceeded, found 101.')",
  batch_query: '-> 400: len(response) = 1',
  directive_overloading: '-> 400: len(errors) = 6',
  field_duplication:
    "-> 400: KeyError: 'data' (errors[0].message = 'The field `__typename` is repeated more than 3 times in one selection set; name it once.')",
  field_suggestions:
    "-> 400: errors[0].message = 'GraphQL introspection is not allowed by Apollo Server",
  get_method_support: '-> 405: status >= 400',
  detect_graphiql: '-> 405: no IDE marker',
  introspection:
    "-> 400: KeyError: 'data' (errors[0].message = 'GraphQL introspection is not allowed by Apollo Server",
  circular_query_introspection:
    "-> 400: KeyError: 'data' (errors[0].message = 'Maximum introspection depth exceeded')",
  get_based_mutation: '-> 405: status >= 400',
  post_based_csrf: '-> 400: status >= 400',
  trace_mode: "-> 200: KeyError: 'errors'",
  unhandled_error_detection:
    "-> 400: KeyError: 'exception' (errors[0].message = 'Syntax Error: Unexpected Name \"qwerty\".')",
};

/** Every check, not vulnerable, in graphql-cop's output order (by title). */
const NOTHING_FOUND = [...GRAPHQL_COP_CHECKS]
  .sort((a, b) => (a.title < b.title ? -1 : a.title > b.title ? 1 : 0))
  .map((check) => ({
    id: check.id,
    title: check.title,
    severity: check.severity,
    vulnerable: false,
    detail: expect.stringContaining(EVIDENCE[check.id]),
  }));

describe('graphql-cop against the production configuration', () => {
  let idp: TestIdentityProvider;
  let gateway: TestGateway;

  beforeAll(async () => {
    idp = await startTestIdentityProvider();
    gateway = await startTestGateway({ env: idp.env({ NODE_ENV: 'production' }) });
  });
  afterAll(async () => {
    await gateway.stop();
    await idp.close();
  });

  it('lists the 13 checks', () => {
    expect(NOTHING_FOUND).toHaveLength(13);
  });

  it('finds nothing with a valid token holding every scope', async () => {
    const token = await idp.sign({ sub: '1001', scope: ALL_SCOPES.join(' ') });
    const findings = await runGraphqlCop({
      url: gateway.url,
      headers: { authorization: `Bearer ${token}` },
    });
    expect(findings).toEqual(NOTHING_FOUND);
  });

  it('finds nothing without credentials: every request is refused before GraphQL', async () => {
    // Each answer is 401 UNAUTHENTICATED without `data`, which graphql-cop's pre-flight
    // (is_graphql) does not take for GraphQL: it scans nothing and reports nothing.
    await expect(runGraphqlCop({ url: gateway.url })).rejects.toThrow(
      new GraphqlCopError(
        `${gateway.url} does not seem to be running GraphQL. (graphql-cop skips such an endpoint unless -f)`,
      ),
    );
  });
});
