/**
 * The bench's checking requests (not its load: that is autocannon's), shared
 * by the checks before the timed runs.
 */
import type { Target } from './loadPlans';
import { graphQLHeaders } from './loadPlans';

/** A GraphQL POST to `target`: its `data`, or an error naming the contestant and the answer. */
export async function graphQL(
  target: Target,
  query: string,
  variables: Record<string, unknown>,
): Promise<unknown> {
  const response = await fetch(target.url, {
    method: 'POST',
    headers: graphQLHeaders(target),
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  const body = JSON.parse(text) as { data?: unknown; errors?: unknown[] };
  if (response.status !== 200 || body.errors || !body.data) {
    throw new Error(`The ${target.contestant} answered ${response.status}: ${text.slice(0, 500)}`);
  }
  return body.data;
}

/** A GET of OneLogin's REST API at `target` (direct, with its token): the parsed answer. */
export async function rest(target: Target, path: string): Promise<unknown> {
  const response = await fetch(target.url + path, {
    headers: { authorization: `Bearer ${target.token ?? ''}`, accept: 'application/json' },
  });
  const text = await response.text();
  if (response.status !== 200) {
    throw new Error(`GET ${path} answered ${response.status}: ${text.slice(0, 500)}`);
  }
  return JSON.parse(text);
}
