import type { GraphiQLAssets } from './graphiqlAssets';
import { EXAMPLE_OPERATIONS } from './exampleOperations';

/**
 * The GraphiQL page's policy: everything from the gateway itself, nothing from
 * anywhere else, no inline script (the page's data is a JSON block, which is
 * not run), not framed. `style-src` allows inline styles because GraphiQL's
 * dialogs (Radix UI) add a `<style>` element as they open, whose text depends
 * on the scrollbar's width (so no fixed hash fits); scripts stay strict: no
 * inline script, no eval.
 */
export const GRAPHIQL_CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The HTML of the GraphiQL page, served at the GraphQL URL: asset URLs are
 * relative to it, and the examples' variables are dated `now`.
 */
export function renderGraphiQLPage(assets: GraphiQLAssets, now: Date): string {
  const config = {
    tabs: EXAMPLE_OPERATIONS.map((example) => ({
      query: example.document,
      variables: example.variables ? JSON.stringify(example.variables(now), null, 2) : null,
    })),
  };
  const relative = (asset: { path: string }) => `.${asset.path}`;
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="robots" content="noindex" />
    <title>GraphiQL · onelogin-events-gateway</title>
    <link rel="icon" href="data:," />
    <link rel="stylesheet" href="${relative(assets.graphiqlStyle)}" />
    <link rel="stylesheet" href="${relative(assets.pageStyle)}" />
    <script type="application/json" id="graphiql-config">${scriptSafeJSON(config)}</script>
    <script defer src="${relative(assets.react)}"></script>
    <script defer src="${relative(assets.reactDOM)}"></script>
    <script defer src="${relative(assets.graphiqlScript)}"></script>
    <script defer src="${relative(assets.bootScript)}"></script>
  </head>
  <body>
    <div id="graphiql">Loading GraphiQL…</div>
    <noscript>GraphiQL needs JavaScript. The GraphQL endpoint is this URL (POST).</noscript>
  </body>
</html>
`;
}

/**
 * JSON that cannot end the `<script>` element it sits in: `<`, `>` and `&`
 * become \u escapes, which JSON.parse reads back as they were.
 */
export function scriptSafeJSON(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}
