/**
 * GRAPHQL_EXPLORER over HTTP: what a browser's GET of the GraphQL URL gets
 * (Sandbox, GraphiQL or no page), and GraphiQL's files. The page running in a
 * browser is test/e2e/explorerBrowser.test.ts.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { startSimulator, type SimulatorHandle } from '../../src/simulator';
import { exampleDocument } from '../../src/server/explorer/exampleOperations';
import { cost } from '../helpers/cost';
import { startTestGateway, type TestGateway } from '../helpers/startTestGateway';
import { TEST_NOW } from '../helpers/testClock';
import {
  startTestIdentityProvider,
  type TestIdentityProvider,
} from '../helpers/testIdentityProvider';

const NODE_MODULES = path.resolve(__dirname, '../../node_modules');
const BROWSER = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };

const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; " +
  "form-action 'none'; frame-ancestors 'none'";

/** The `src`/`href` of the page's scripts and stylesheets, resolved against its URL. */
function linkedFiles(html: string, pageURL: string): { scripts: string[]; styles: string[] } {
  const resolve = (relative: string) => new URL(relative, pageURL).href;
  return {
    scripts: [...html.matchAll(/<script defer src="([^"]+)"><\/script>/g)].map((match) =>
      resolve(match[1] as string),
    ),
    styles: [...html.matchAll(/<link rel="stylesheet" href="([^"]+)" \/>/g)].map((match) =>
      resolve(match[1] as string),
    ),
  };
}

describe('GRAPHQL_EXPLORER', () => {
  let simulator: SimulatorHandle;

  beforeAll(async () => {
    simulator = await startSimulator({ now: TEST_NOW, eventCount: 200 });
  });
  afterAll(async () => {
    await simulator.close();
  });

  describe('sandbox (the default outside production)', () => {
    let gateway: TestGateway;
    beforeAll(async () => {
      gateway = await startTestGateway({ simulator });
    });
    afterAll(async () => {
      await gateway.stop();
    });

    it('serves Apollo Sandbox, opening with the README’s examples', async () => {
      const response = await fetch(gateway.url, { headers: BROWSER });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/html');
      const html = await response.text();
      expect(html).toContain('https://embeddable-sandbox.cdn.apollographql.com/');
      // Apollo writes the initial state as JSON, escaping the first `<`, `>`, `&` and `'` only.
      const document = JSON.stringify(exampleDocument())
        .replace('<', '\\u003c')
        .replace('>', '\\u003e')
        .replace('&', '\\u0026')
        .replace("'", '\\u0027');
      expect(html).toContain(`"initialState":{"document":${document}`);
    });

    it('serves none of GraphiQL’s files', async () => {
      const response = await fetch(new URL('/explorer/graphiql-boot.js', gateway.url));
      expect(response.status).toBe(404);
    });
  });

  describe('graphiql', () => {
    let gateway: TestGateway;
    beforeAll(async () => {
      gateway = await startTestGateway({ simulator, env: { GRAPHQL_EXPLORER: 'graphiql' } });
    });
    afterAll(async () => {
      await gateway.stop();
    });

    it('serves its page at the GraphQL URL, with a policy that allows nothing from elsewhere', async () => {
      const response = await fetch(gateway.url, { headers: BROWSER });
      expect(response.status).toBe(200);
      expect(Object.fromEntries(response.headers)).toMatchObject({
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy': CSP,
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
      });
      const html = await response.text();
      expect(html).toContain('<title>GraphiQL · onelogin-events-gateway</title>');
      // No inline script: every <script> loads a file, but the JSON data block, which is not run.
      const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
      expect(scripts.map((match) => match[1])).toEqual([
        ' type="application/json" id="graphiql-config"',
        expect.stringMatching(
          /^ defer src="\.\/explorer\/react-18\.3\.1\/react\.production\.min\.js"$/,
        ),
        ' defer src="./explorer/react-dom-18.3.1/react-dom.production.min.js"',
        ' defer src="./explorer/graphiql-4.1.2/graphiql.min.js"',
        expect.stringMatching(/^ defer src="\.\/explorer\/graphiql-boot\.[0-9a-f]{12}\.js"$/),
      ]);
      expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org)/);
    });

    it('opens with the README’s examples, one per tab, the variables filled in', async () => {
      const html = await (await fetch(gateway.url, { headers: BROWSER })).text();
      const data = /<script type="application\/json" id="graphiql-config">([^<]*)<\/script>/.exec(
        html,
      )?.[1];
      const config = JSON.parse(data as string) as {
        tabs: Array<{ query: string; variables: string | null }>;
      };
      expect(config.tabs.map((tab) => tab.query).join('\n')).toBe(exampleDocument());
      expect(config.tabs.map((tab) => tab.variables && JSON.parse(tab.variables))).toEqual([
        null,
        { userId: '42230016', since: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/) },
        null,
        {
          startDate: expect.stringMatching(/Z$/),
          stopDate: expect.stringMatching(/Z$/),
        },
        null,
      ]);
      // The customMessage's `<sales>` and `&` are escaped in the page, and read back as written.
      expect(data).toContain('missing \\u003csales\\u003e role \\u0026 expired badge');
    });

    it('serves the files the page loads, from the npm packages, cached for good', async () => {
      const html = await (await fetch(gateway.url, { headers: BROWSER })).text();
      const { scripts, styles } = linkedFiles(html, gateway.url);
      const npmFiles: Record<string, string> = {
        '/explorer/react-18.3.1/react.production.min.js': 'react/umd/react.production.min.js',
        '/explorer/react-dom-18.3.1/react-dom.production.min.js':
          'react-dom/umd/react-dom.production.min.js',
        '/explorer/graphiql-4.1.2/graphiql.min.js': 'graphiql/graphiql.min.js',
        '/explorer/graphiql-4.1.2/graphiql.min.css': 'graphiql/graphiql.min.css',
      };
      for (const url of [...scripts, ...styles]) {
        const response = await fetch(url, { headers: { 'accept-encoding': 'identity' } });
        const { pathname } = new URL(url);
        expect({
          pathname,
          status: response.status,
          headers: Object.fromEntries(response.headers),
        }).toMatchObject({
          pathname,
          status: 200,
          headers: {
            'content-type': pathname.endsWith('.css')
              ? 'text/css; charset=utf-8'
              : 'text/javascript; charset=utf-8',
            'cache-control': 'public, max-age=31536000, immutable',
            'x-content-type-options': 'nosniff',
          },
        });
        const body = Buffer.from(await response.arrayBuffer());
        const npmFile = npmFiles[pathname];
        if (npmFile) expect(body.equals(readFileSync(path.join(NODE_MODULES, npmFile)))).toBe(true);
        else expect(pathname).toMatch(/^\/explorer\/graphiql-(boot|page)\.[0-9a-f]{12}\.(js|css)$/);
      }
      expect(scripts).toHaveLength(4);
      expect(styles).toHaveLength(2);
    });

    it('sends a file gzipped to a browser that takes gzip, and answers HEAD', async () => {
      const url = new URL('/explorer/graphiql-4.1.2/graphiql.min.js', gateway.url);
      // node:http, not fetch: fetch would decode the body and drop the length.
      const http = await import('node:http');
      const { headers, body } = await new Promise<{
        headers: Record<string, unknown>;
        body: Buffer;
      }>((resolve, reject) => {
        http
          .get(url, { headers: { 'accept-encoding': 'gzip, deflate, br' } }, (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
          })
          .on('error', reject);
      });
      expect(headers).toMatchObject({
        'content-encoding': 'gzip',
        'content-length': String(body.length),
        vary: 'accept-encoding',
      });
      const original = readFileSync(path.join(NODE_MODULES, 'graphiql/graphiql.min.js'));
      expect(gunzipSync(body).equals(original)).toBe(true);
      expect(body.length).toBeLessThan(original.length / 2);

      const head = await fetch(url, { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(head.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    });

    it('answers 404 for a file it does not have, and leaves GraphQL requests alone', async () => {
      expect((await fetch(new URL('/explorer/graphiql-4.1.2/other.js', gateway.url))).status).toBe(
        404,
      );
      const posted = await gateway.execute('{ eventType(id: "5") { id name } }');
      expect(posted).toEqual({
        data: { eventType: { id: '5', name: 'USER_LOGGED_INTO_ONELOGIN' } },
        extensions: cost(1, 1),
      });
      const query = encodeURIComponent('{ eventType(id: "6") { id name } }');
      const got = await fetch(`${gateway.url}?query=${query}`, {
        headers: { ...BROWSER, 'apollo-require-preflight': 'true' },
      });
      expect(await got.json()).toEqual({
        data: { eventType: { id: '6', name: 'USER_FAILED_ONELOGIN_LOGIN' } },
        extensions: cost(0, 0),
      });
    });
  });

  describe('off', () => {
    let gateway: TestGateway;
    beforeAll(async () => {
      gateway = await startTestGateway({ simulator, env: { GRAPHQL_EXPLORER: 'off' } });
    });
    afterAll(async () => {
      await gateway.stop();
    });

    it('serves no page: a browser’s GET is a GraphQL GET, which Apollo refuses (no query, CSRF)', async () => {
      const response = await fetch(gateway.url, { headers: BROWSER });
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await response.json()).toEqual({
        errors: [
          {
            message: expect.stringContaining(
              'This operation has been blocked as a potential Cross-Site Request Forgery (CSRF).',
            ),
            extensions: { code: 'BAD_REQUEST' },
          },
        ],
      });
      expect(
        (await fetch(new URL('/explorer/graphiql-4.1.2/graphiql.min.js', gateway.url))).status,
      ).toBe(404);
    });
  });

  describe('in production', () => {
    let idp: TestIdentityProvider;
    beforeAll(async () => {
      idp = await startTestIdentityProvider();
    });
    afterAll(async () => {
      await idp.close();
    });

    it('serves no page by default (405: GraphQL runs over POST only there)', async () => {
      const gateway = await startTestGateway({
        simulator,
        env: idp.env({ NODE_ENV: 'production' }),
      });
      try {
        const response = await fetch(gateway.url, { headers: BROWSER });
        expect(response.status).toBe(405);
        expect(await response.json()).toEqual({
          errors: [
            {
              message: 'This gateway runs GraphQL over POST only (GRAPHQL_GET_QUERIES is off).',
              extensions: { code: 'BAD_REQUEST' },
            },
          ],
        });
      } finally {
        await gateway.stop();
      }
    });

    it('serves GraphiQL when asked to, without credentials for the page (its queries need them)', async () => {
      const gateway = await startTestGateway({
        simulator,
        env: idp.env({ NODE_ENV: 'production', GRAPHQL_EXPLORER: 'graphiql' }),
      });
      try {
        const page = await fetch(gateway.url, { headers: BROWSER });
        expect(page.status).toBe(200);
        expect(page.headers.get('content-security-policy')).toBe(CSP);
        const anonymous = await gateway.post({ query: '{ eventType(id: "5") { id } }' });
        expect(anonymous.status).toBe(401);
      } finally {
        await gateway.stop();
      }
    });
  });
});
