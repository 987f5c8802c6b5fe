/**
 * Trusted documents (TRUSTED_DOCUMENTS=allow|enforce): a persisted-documents.json
 * as GraphQL Code Generator's client preset writes it (keys: the SHA-256 of the
 * document text, in hex), or a Redis hash of the same.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createClient } from '@keyv/redis';

import { startSimulator, type SimulatorHandle } from '../../src/simulator';
import { cost } from '../helpers/cost';
import { startTestGateway, type TestGateway } from '../helpers/startTestGateway';
import { TEST_NOW } from '../helpers/testClock';
import {
  startTestIdentityProvider,
  type TestIdentityProvider,
} from '../helpers/testIdentityProvider';

const redisURL = process.env['REDIS_URL'];
if (!redisURL) {
  // Printed once per run so a skipped suite is never silent.
  process.stdout.write(
    'trustedDocuments.test.ts: REDIS_URL is not set, so the trusted documents in a Redis hash are not tested.\n',
  );
}
const describeWithRedis = redisURL ? describe : describe.skip;

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

const EVENT_TYPE = 'query EventTypeName($id: ID!) { eventType(id: $id) { id name } }';
const LATEST = 'query LatestEventIds { events(first: 2) { nodes { id } } }';
/** A document no client was built with. */
const ARBITRARY = '{ eventTypes { id } }';

const NOT_ALLOWED = {
  status: 400,
  body: {
    errors: [
      {
        message:
          'This gateway only runs trusted documents: send the `documentId` of a document your client was built with ' +
          '(or use a credential with the scope graphql:any-operation).',
        extensions: { code: 'PERSISTED_QUERY_NOT_ALLOWED' },
      },
    ],
  },
};

const notFound = (hash: string) => ({
  status: 400,
  body: {
    errors: [
      {
        message: `No trusted document has the id ${hash}: deploy the client's persisted-documents.json with the gateway.`,
        extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' },
      },
    ],
  },
});

describe('trusted documents from persisted-documents.json', () => {
  let idp: TestIdentityProvider;
  let simulator: SimulatorHandle;
  let dir: string;
  let allow: TestGateway;
  let enforce: TestGateway;
  let reader: Record<string, string>;
  let developer: Record<string, string>;
  let eventTypeFive: { id: string; name: string };
  let latest: { events: { nodes: { id: string }[] } };

  async function send(gateway: TestGateway, body: unknown, headers = reader) {
    const { status, text } = await gateway.post(body, headers);
    return { status, body: JSON.parse(text) as unknown };
  }

  beforeAll(async () => {
    idp = await startTestIdentityProvider();
    simulator = await startSimulator({ now: TEST_NOW, eventCount: 500 });
    dir = mkdtempSync(path.join(tmpdir(), 'trusted-documents-'));
    const file = path.join(dir, 'persisted-documents.json');
    writeFileSync(
      file,
      JSON.stringify({ [sha256(EVENT_TYPE)]: EVENT_TYPE, [sha256(LATEST)]: LATEST }, null, 2),
    );
    const env = (mode: string) =>
      idp.env({ NODE_ENV: 'production', TRUSTED_DOCUMENTS: mode, TRUSTED_DOCUMENTS_FILE: file });
    allow = await startTestGateway({ simulator, env: env('allow') });
    enforce = await startTestGateway({ simulator, env: env('enforce') });
    reader = { authorization: `Bearer ${await idp.sign({ sub: 'reader', scope: 'events:read' })}` };
    developer = {
      authorization: `Bearer ${await idp.sign({
        sub: 'developer',
        scope: 'events:read graphql:any-operation',
      })}`,
    };
    const type = simulator.data.eventTypes().find((t) => t.id === 5)!;
    eventTypeFive = { id: '5', name: type.name! };
    const newest = [...simulator.data.events()]
      .sort((a, b) => b.created_at.localeCompare(a.created_at) || b.id - a.id)
      .slice(0, 2);
    latest = { events: { nodes: newest.map((event) => ({ id: String(event.id) })) } };
  });
  afterAll(async () => {
    await allow.stop();
    await enforce.stop();
    await simulator.close();
    await idp.close();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => simulator.counters.reset());

  describe('TRUSTED_DOCUMENTS=allow', () => {
    it('runs a document by documentId, with or without the sha256: prefix, in any case', async () => {
      const ids = [
        sha256(EVENT_TYPE),
        `sha256:${sha256(EVENT_TYPE)}`,
        sha256(EVENT_TYPE).toUpperCase(),
      ];
      for (const [i, documentId] of ids.entries()) {
        expect(await send(allow, { documentId, variables: { id: '5' } })).toEqual({
          status: 200,
          // The first request of this gateway loads the catalogue.
          body: {
            data: { eventType: eventTypeFive },
            extensions: i === 0 ? cost(1, 1) : cost(0, 0),
          },
        });
      }
      expect(await send(allow, { documentId: sha256(LATEST) })).toEqual({
        status: 200,
        body: { data: latest, extensions: cost(1, 1) },
      });
    });

    it('runs a document by its hash in extensions.persistedQuery (APQ style)', async () => {
      expect(
        await send(allow, {
          variables: { id: '5' },
          extensions: { persistedQuery: { version: 1, sha256Hash: sha256(EVENT_TYPE) } },
        }),
      ).toEqual({
        status: 200,
        body: { data: { eventType: eventTypeFive }, extensions: cost(0, 0) },
      });
    });

    it('answers an unknown id PERSISTED_QUERY_NOT_FOUND, without calling OneLogin', async () => {
      const unknown = sha256('query Nobody { eventTypes { name } }');
      expect(await send(allow, { documentId: unknown })).toEqual(notFound(unknown));
      expect(
        await send(allow, { extensions: { persistedQuery: { version: 1, sha256Hash: unknown } } }),
      ).toEqual(notFound(unknown));
      expect(simulator.counters.snapshot().total).toBe(0);
    });

    it('refuses an id that is no SHA-256, and an id with a different query', async () => {
      const badRequest = (message: string) => ({
        status: 400,
        body: { errors: [{ message, extensions: { code: 'BAD_REQUEST' } }] },
      });
      expect(await send(allow, { documentId: 'EventTypeName' })).toEqual(
        badRequest(
          '`documentId` must be the SHA-256 of a trusted document, in hex (optionally prefixed `sha256:`).',
        ),
      );
      expect(
        await send(allow, {
          documentId: sha256(EVENT_TYPE),
          query: ARBITRARY,
          variables: { id: '5' },
        }),
      ).toEqual(
        badRequest('Send either `documentId` or `query`, not both with different documents.'),
      );
      expect(simulator.counters.snapshot().total).toBe(0);
    });

    it('still runs any other document', async () => {
      expect(await send(allow, { query: 'query { eventType(id: "5") { id name } }' })).toEqual({
        status: 200,
        body: { data: { eventType: eventTypeFive }, extensions: cost(0, 0) },
      });
    });

    it("does not let Apollo's automatic persisted queries register a document", async () => {
      const document = 'query Registered { eventType(id: "5") { name } }';
      const hash = sha256(document);
      await send(allow, {
        query: document,
        extensions: { persistedQuery: { version: 1, sha256Hash: hash } },
      });
      expect(
        await send(allow, { extensions: { persistedQuery: { version: 1, sha256Hash: hash } } }),
      ).toEqual(notFound(hash));
      expect(await send(allow, { documentId: hash })).toEqual(notFound(hash));
    });

    it('runs a document sent with its own, unlisted APQ hash, as any other document (without registering it)', async () => {
      // What Apollo Client's persisted-query link sends after PERSISTED_QUERY_NOT_FOUND:
      // the query and its hash. In allow mode any document runs.
      const document = 'query WithItsHash { eventType(id: "5") { id name } }';
      expect(
        await send(allow, {
          query: document,
          extensions: { persistedQuery: { version: 1, sha256Hash: sha256(document) } },
        }),
      ).toEqual({
        status: 200,
        body: { data: { eventType: eventTypeFive }, extensions: cost(0, 0) },
      });
    });
  });

  describe('TRUSTED_DOCUMENTS=enforce', () => {
    it('refuses any other document before it is parsed: 400 PERSISTED_QUERY_NOT_ALLOWED, no OneLogin call', async () => {
      expect(await send(enforce, { query: ARBITRARY })).toEqual(NOT_ALLOWED);
      // Not even parsed: a document that does not parse is refused the same way.
      expect(await send(enforce, { query: '{ events(' })).toEqual(NOT_ALLOWED);
      expect(simulator.counters.snapshot().total).toBe(0);
    });

    it('runs a listed document by id, and the same text sent as a query', async () => {
      expect(await send(enforce, { documentId: sha256(LATEST) })).toEqual({
        status: 200,
        body: { data: latest, extensions: cost(1, 1) },
      });
      expect(await send(enforce, { query: EVENT_TYPE, variables: { id: '5' } })).toEqual({
        status: 200,
        // This gateway's first look at the catalogue.
        body: { data: { eventType: eventTypeFive }, extensions: cost(1, 1) },
      });
      // The text must be exactly the listed one.
      expect(await send(enforce, { query: `${EVENT_TYPE} `, variables: { id: '5' } })).toEqual(
        NOT_ALLOWED,
      );
    });

    it('lets a caller with graphql:any-operation send any document', async () => {
      expect(
        await send(enforce, { query: 'query { eventType(id: "5") { id name } }' }, developer),
      ).toEqual({
        status: 200,
        body: { data: { eventType: eventTypeFive }, extensions: cost(0, 0) },
      });
    });

    it("does not let Apollo's automatic persisted queries register a document", async () => {
      const hash = sha256(ARBITRARY);
      expect(
        await send(enforce, {
          query: ARBITRARY,
          extensions: { persistedQuery: { version: 1, sha256Hash: hash } },
        }),
      ).toEqual(NOT_ALLOWED);
      expect(
        await send(enforce, { extensions: { persistedQuery: { version: 1, sha256Hash: hash } } }),
      ).toEqual(notFound(hash));
      expect(await send(enforce, { query: ARBITRARY })).toEqual(NOT_ALLOWED);
      expect(simulator.counters.snapshot().total).toBe(0);
    });

    it('does not run documents in a batch', async () => {
      expect(await send(enforce, [{ query: ARBITRARY }, { query: ARBITRARY }])).toEqual({
        status: 400,
        body: {
          errors: [
            { message: 'Operation batching disabled.', extensions: { code: 'BAD_REQUEST' } },
          ],
        },
      });
      expect(simulator.counters.snapshot().total).toBe(0);
    });
  });
});

describeWithRedis('trusted documents in a Redis hash', () => {
  const key = `trusted-documents-test-${process.pid}-${Date.now()}`;
  const namespace = `test-trusted-${process.pid}-${Date.now()}`;
  const document = 'query FromRedis { eventType(id: "5") { id name } }';
  let idp: TestIdentityProvider;
  let gateway: TestGateway;
  let redis: ReturnType<typeof createClient>;

  beforeAll(async () => {
    redis = createClient({ url: redisURL });
    await redis.connect();
    idp = await startTestIdentityProvider();
    gateway = await startTestGateway({
      simulatorOptions: { eventCount: 100 },
      env: idp.env({
        NODE_ENV: 'production',
        REDIS_URL: redisURL as string,
        CACHE_NAMESPACE: namespace,
        TRUSTED_DOCUMENTS: 'enforce',
        TRUSTED_DOCUMENTS_REDIS_KEY: key,
      }),
    });
  });
  afterAll(async () => {
    await gateway.stop();
    await idp.close();
    const keys = await redis.keys(`${namespace}*`);
    await redis.del([key, ...keys]);
    await redis.quit();
  });

  it('serves a document HSET in the hash by its id, and refuses others', async () => {
    await redis.hSet(key, sha256(document), document);
    const reader = {
      authorization: `Bearer ${await idp.sign({ sub: 'reader', scope: 'events:read' })}`,
    };
    const type = gateway.simulator.data.eventTypes().find((t) => t.id === 5)!;
    const served = await gateway.post({ documentId: `sha256:${sha256(document)}` }, reader);
    expect({ status: served.status, body: JSON.parse(served.text) as unknown }).toEqual({
      status: 200,
      body: { data: { eventType: { id: '5', name: type.name } }, extensions: cost(1, 1) },
    });
    const sameText = await gateway.post({ query: document }, reader);
    expect(sameText.status).toBe(200);

    gateway.resetUpstreamCalls();
    const other = await gateway.post({ query: ARBITRARY }, reader);
    expect({ status: other.status, body: JSON.parse(other.text) as unknown }).toEqual(NOT_ALLOWED);
    const unknown = sha256('query NotInRedis { eventTypes { id } }');
    const missing = await gateway.post({ documentId: unknown }, reader);
    expect({ status: missing.status, body: JSON.parse(missing.text) as unknown }).toEqual(
      notFound(unknown),
    );
    expect(gateway.upstreamCalls()).toEqual({});
  });
});
