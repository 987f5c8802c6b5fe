/**
 * GRAPHQL_EXPLORER=graphiql in a real browser: headless Chromium (Debian's
 * `chromium`, driven by playwright-core) loads the page with every request
 * to anything but this machine refused, and a query typed into GraphiQL, with
 * a token pasted into its headers editor, answers in the result pane.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { BrowserContext, Page } from 'playwright-core';
import { chromium } from 'playwright-core';

import { EXAMPLE_OPERATIONS } from '../../src/server/explorer/exampleOperations';
import { cost } from '../helpers/cost';
import { liveDataNow, subscribersReach } from '../helpers/liveClient';
import { startTestGateway, type TestGateway } from '../helpers/startTestGateway';
import {
  startTestIdentityProvider,
  type TestIdentityProvider,
} from '../helpers/testIdentityProvider';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) {
  // Printed once per run so a skipped suite is never silent.
  process.stdout.write(
    `explorerBrowser.test.ts: there is no Chromium at ${CHROMIUM} (apt-get install chromium, or set ` +
      'CHROMIUM_PATH), so GraphiQL is not tested in a browser.\n',
  );
}
const describeWithChromium = haveChromium ? describe : describe.skip;

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** The text of a GraphiQL editor (CodeMirror 5 keeps its instance on its element). */
function editorValue(page: Page, selector: string): Promise<string> {
  return page.evaluate(`document.querySelector(${JSON.stringify(selector)}).CodeMirror.getValue()`);
}

/**
 * Waits for the result pane to show an answer other than `previous`, and parses
 * it. Polled from here: waitForFunction evaluates a string in the page, which
 * the page's policy (no 'unsafe-eval') refuses.
 */
async function nextResult(page: Page, previous: string): Promise<unknown> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await editorValue(page, '.result-window .CodeMirror');
    if (value !== '' && value !== previous) return JSON.parse(value);
    if (Date.now() > deadline) throw new Error(`no new answer in the result pane: ${value}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Replaces the text of the editor under `selector` as a user would: click, select all, type. */
async function typeInto(page: Page, selector: string, text: string): Promise<void> {
  await page.click(`${selector} .CodeMirror-lines`);
  await page.keyboard.press('Control+A');
  // insertText, not type: CodeMirror would close each bracket typed.
  await page.keyboard.insertText(text);
}

describeWithChromium('GraphiQL in Chromium, with nothing outside the gateway reachable', () => {
  let idp: TestIdentityProvider;
  let gateway: TestGateway;
  /** The default explorer, to show that an outside request would be seen. */
  let sandbox: TestGateway;
  let userDataDir: string;
  let context: BrowserContext;
  /** Requests the browser tried to make to anything but this machine (refused). */
  const refused: string[] = [];
  /** Every request the browser made. */
  const requested: string[] = [];
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    idp = await startTestIdentityProvider();
    gateway = await startTestGateway({
      // Data anchored at the wall clock, so that an event created now is new to the live feed.
      simulatorOptions: { now: liveDataNow(), eventCount: 200 },
      env: idp.env({
        GRAPHQL_EXPLORER: 'graphiql',
        LIVE_POLL_INTERVAL_SECONDS: '0.2',
        LIVE_LEASE_SECONDS: '2',
      }),
    });
    sandbox = await startTestGateway({ simulator: gateway.simulator });
    userDataDir = mkdtempSync(path.join(tmpdir(), 'explorer-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    await context.route('**/*', async (route) => {
      const url = new URL(route.request().url());
      if (LOOPBACK.has(url.hostname)) {
        await route.continue();
      } else {
        refused.push(url.href);
        await route.abort('blockedbyclient');
      }
    });
    context.on('request', (request) => requested.push(`${request.method()} ${request.url()}`));
    // Outside the page's CSP: Playwright's init scripts are not the page's.
    await context.addInitScript(`
      window.__cspViolations = [];
      document.addEventListener('securitypolicyviolation', (event) =>
        window.__cspViolations.push(event.violatedDirective + ' ' + event.blockedURI));
    `);
  }, 60_000);
  afterAll(async () => {
    await context?.close();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
    // After the browser: its keep-alive connections would hold a stopping gateway up.
    await sandbox?.stop();
    await gateway?.stop();
    await idp?.close();
  });

  it('opens with the examples, and answers a query sent with the pasted token', async () => {
    const page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(error.message));

    await page.goto(gateway.url);
    await page.waitForSelector('.graphiql-container');
    // One tab per README example, the first one open.
    const tabs = await page.locator('.graphiql-tab').allInnerTexts();
    expect(tabs.map((tab) => tab.trim())).toEqual([
      'LatestFailedLogins',
      'UserRiskThisWeek',
      'Forwards',
      'FailedProvisionings',
      'RecordDenial',
    ]);
    expect(await editorValue(page, '.graphiql-query-editor .CodeMirror')).toBe(
      EXAMPLE_OPERATIONS[0]?.document,
    );

    const query = '{ eventType(id: "5") { id name } }';
    await typeInto(page, '.graphiql-query-editor', query);
    await page.click('.graphiql-execute-button');
    // Without a token the gateway refuses, and GraphiQL shows its answer whole.
    const anonymous = await gateway.post({ query });
    expect(anonymous.status).toBe(401);
    const refusal = await nextResult(page, '');
    expect(refusal).toEqual(JSON.parse(anonymous.text));

    const token = await idp.sign({ sub: '1001', scope: 'events:read' });
    await page.getByRole('button', { name: 'Headers', exact: true }).click();
    await typeInto(
      page,
      '.graphiql-editor-tool .graphiql-editor:not(.hidden)',
      JSON.stringify({ authorization: `Bearer ${token}` }),
    );
    await page.click('.graphiql-execute-button');
    expect(await nextResult(page, JSON.stringify(refusal, null, 2))).toEqual({
      data: { eventType: { id: '5', name: 'USER_LOGGED_INTO_ONELOGIN' } },
      extensions: cost(1, 1),
    });

    // A dialog (GraphiQL adds a <style> element for it) breaks no policy either.
    await page.click('[aria-label="Open settings dialog"]');
    await page.waitForSelector('.graphiql-dialog');

    expect(refused).toEqual([]);
    const origin = new URL(gateway.url).origin;
    expect(requested.filter((request) => !request.split(' ')[1]?.startsWith(`${origin}/`))).toEqual(
      [],
    );
    expect(requested).toEqual(
      expect.arrayContaining([
        `GET ${gateway.url}`,
        `GET ${origin}/explorer/graphiql-4.1.2/graphiql.min.js`,
        `POST ${gateway.url}`,
      ]),
    );
    expect(await page.evaluate('window.__cspViolations')).toEqual([]);
    // Chromium logs each 401 (GraphiQL's introspection and the query sent without a token).
    expect(
      consoleErrors.filter(
        (error) =>
          error !==
          'Failed to load resource: the server responded with a status of 401 (Unauthorized)',
      ),
    ).toEqual([]);
  }, 60_000);

  it('runs a subscription over the gateway’s WebSocket, with the pasted token, and shows each event', async () => {
    const page = await context.newPage();
    page.on('pageerror', (error) => consoleErrors.push(error.message));
    const sockets: string[] = [];
    page.on('websocket', (socket) => sockets.push(socket.url()));
    await page.goto(gateway.url);
    await page.waitForSelector('.graphiql-container');
    const token = await idp.sign({ sub: '1001', scope: 'events:read' });
    await page.getByRole('button', { name: 'Headers', exact: true }).click();
    await typeInto(
      page,
      '.graphiql-editor-tool .graphiql-editor:not(.hidden)',
      JSON.stringify({ authorization: `Bearer ${token}` }),
    );
    await typeInto(
      page,
      '.graphiql-query-editor',
      'subscription { eventAdded { id eventTypeId } }',
    );
    // GraphiQL parses the edited document a moment after the last keystroke, and picks the
    // transport from that parse: a click at once would still see the example's query.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await page.click('.graphiql-execute-button');
    await subscribersReach(gateway, 1);
    const [first] = gateway.simulator.live.emit(1);
    expect(await nextResult(page, '')).toEqual({
      data: { eventAdded: { id: String(first?.id), eventTypeId: String(first?.event_type_id) } },
    });
    const [second] = gateway.simulator.live.emit(1);
    expect(
      await nextResult(
        page,
        JSON.stringify(
          {
            data: {
              eventAdded: { id: String(first?.id), eventTypeId: String(first?.event_type_id) },
            },
          },
          null,
          2,
        ),
      ),
    ).toEqual({
      data: { eventAdded: { id: String(second?.id), eventTypeId: String(second?.event_type_id) } },
    });
    // Stopping it in GraphiQL ends the subscription at the gateway.
    await page.click('.graphiql-execute-button');
    await subscribersReach(gateway, 0);
    expect(refused).toEqual([]);
    // One WebSocket, to the gateway's own URL (GraphiQL bundles the graphql-ws client).
    expect(sockets).toEqual([gateway.url.replace(/^http/, 'ws')]);
    expect(await page.evaluate('window.__cspViolations')).toEqual([]);
    await page.close();
  }, 60_000);

  it('would catch an outside request: Sandbox, the default, asks Apollo’s servers', async () => {
    const page = await context.newPage();
    refused.length = 0;
    await page.goto(sandbox.url);
    await page.waitForLoadState('load');
    expect(refused).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^https:\/\/embeddable-sandbox\.cdn\.apollographql\.com\//),
      ]),
    );
  }, 60_000);
});
