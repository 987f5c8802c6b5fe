import { describe, expect, it } from '@jest/globals';
import { spawnGateway, waitFor, exitCode } from '../helpers/gatewayProcess';

describe('npm start', () => {
  it('runs in demo mode on the embedded simulator without credentials, says so first, and serves Sandbox', async () => {
    const { child, lines } = spawnGateway({ PORT: '0', DEMO_EVENTS: '300' });
    try {
      const ready = await waitFor(() =>
        lines.map((line) => JSON.parse(line) as { msg: string; url?: string }).find((l) => l.url),
      );
      const first = JSON.parse(lines[0] as string) as { msg: string; simulator: string };
      expect(first.msg).toMatch(
        /^DEMO MODE: no OneLogin credentials are configured, so the gateway serves the embedded OneLogin simulator at http:\/\/127\.0\.0\.1:\d+\./,
      );
      expect(ready.msg).toBe(
        `GraphQL gateway ready at ${ready.url} (open it in a browser for Apollo Sandbox)`,
      );

      const page = await fetch(ready.url as string, { headers: { accept: 'text/html' } });
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain('embeddable-sandbox');

      const response = await fetch(ready.url as string, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ events(first: 2) { nodes { id message } } }' }),
      });
      const body = (await response.json()) as { data: { events: { nodes: unknown[] } } };
      expect(body.data.events.nodes).toHaveLength(2);

      child.kill('SIGTERM');
      expect(await exitCode(child)).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('refuses half a configuration with a message that says what to set', async () => {
    const { child, stderr } = spawnGateway({ PORT: '0', ONELOGIN_CLIENT_ID: 'abc' });
    expect(await exitCode(child)).toBe(1);
    expect(stderr.join('')).toBe(
      'Invalid configuration:\n- OneLogin is partly configured: also set ONELOGIN_BASE_URL, ONELOGIN_CLIENT_SECRET ' +
        '(or unset every ONELOGIN_* variable to run in demo mode on the embedded simulator).\n',
    );
  });
});
