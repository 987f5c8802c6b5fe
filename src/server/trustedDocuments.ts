import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

import type { Caller } from '../auth/Caller';
import { Scope } from '../auth/scopes';
import { LruMap } from '../cache/LruMap';
import type { RedisClient } from '../cache/createCacheStores';
import type { TrustedDocumentsConfig } from '../config/loadConfig';
import { ErrorCode } from '../errors/ErrorCode';
import type { Logger } from '../logging/createLogger';

/** A request the trusted-documents check refuses, before Apollo parses anything. */
export class TrustedDocumentError extends Error {
  override name = 'TrustedDocumentError';

  constructor(
    message: string,
    readonly code: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const HASH = /^[0-9a-f]{64}$/;

/**
 * Trusted documents (persisted operations) for first-party frontends, in the
 * format GraphQL Code Generator's client preset writes (`persisted-documents.json`:
 * `{ "<sha256 of the document>": "<document>" }`), from a file or a Redis hash.
 * A client sends `documentId` (with or without a `sha256:` prefix), or the same
 * hash as `extensions.persistedQuery.sha256Hash`, instead of the document.
 * With TRUSTED_DOCUMENTS=enforce any other document is refused before it is
 * parsed, PERSISTED_QUERY_NOT_ALLOWED, unless the caller holds
 * `graphql:any-operation` (developers in Sandbox).
 */
export class TrustedDocuments {
  private readonly fromFile = new Map<string, string>();
  /** Documents read from Redis (a hash names one document for ever); misses briefly. */
  private readonly fromRedis = new LruMap<string, { text: string | null; until: number }>(10_000);

  constructor(
    private readonly config: TrustedDocumentsConfig,
    private readonly options: { redis?: RedisClient; logger: Logger },
  ) {
    if (config.file) this.loadFile(config.file);
  }

  get size(): number {
    return this.fromFile.size;
  }

  /** A POST body with the document filled in from its id, or refused. */
  async resolveBody(body: unknown, caller: Caller): Promise<unknown> {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return body;
    const request = body as Record<string, unknown>;
    const extensions = request['extensions'] as Record<string, unknown> | undefined;
    const persisted = extensions?.['persistedQuery'] as { sha256Hash?: unknown } | undefined;
    const id = request['documentId'] ?? persisted?.sha256Hash;
    const text = await this.check(id, request['query'], caller);
    if (text === undefined) return body;
    const { documentId: _id, extensions: _extensions, ...rest } = request;
    const { persistedQuery: _persisted, ...otherExtensions } = extensions ?? {};
    return {
      ...rest,
      query: text,
      ...(Object.keys(otherExtensions).length > 0 ? { extensions: otherExtensions } : {}),
    };
  }

  /** A GET request's query string with the document filled in from its id, or refused. */
  async resolveSearch(search: string, caller: Caller): Promise<string> {
    const params = new URLSearchParams(search);
    let id: unknown = params.get('documentId') ?? undefined;
    const extensions = params.get('extensions');
    if (id === undefined && extensions) {
      try {
        id = (JSON.parse(extensions) as { persistedQuery?: { sha256Hash?: unknown } })
          .persistedQuery?.sha256Hash;
      } catch {
        // Apollo answers a malformed `extensions` itself.
      }
    }
    const text = await this.check(id, params.get('query') ?? undefined, caller);
    if (text === undefined) return search;
    params.delete('documentId');
    params.delete('extensions');
    params.set('query', text);
    return `?${params.toString()}`;
  }

  /** The document for `id`, or undefined to go on with `query` as sent; throws when refused. */
  private async check(id: unknown, query: unknown, caller: Caller): Promise<string | undefined> {
    if (id !== undefined && id !== null) {
      const hash = typeof id === 'string' ? id.replace(/^sha256:/, '').toLowerCase() : '';
      if (!HASH.test(hash)) {
        throw new TrustedDocumentError(
          '`documentId` must be the SHA-256 of a trusted document, in hex (optionally prefixed `sha256:`).',
          'BAD_REQUEST',
        );
      }
      const text = await this.lookup(hash);
      if (text === undefined && typeof query === 'string') {
        // A client's own hash with its document (Apollo Client's persisted-queries
        // link does this): not a listed document, so it is judged as the text alone.
        await this.check(undefined, query, caller);
        return query;
      }
      if (text === undefined) {
        throw new TrustedDocumentError(
          `No trusted document has the id ${hash}: deploy the client's persisted-documents.json with the gateway.`,
          'PERSISTED_QUERY_NOT_FOUND',
        );
      }
      if (typeof query === 'string' && query !== text) {
        throw new TrustedDocumentError(
          'Send either `documentId` or `query`, not both with different documents.',
          'BAD_REQUEST',
        );
      }
      return text;
    }
    if (this.config.mode !== 'enforce' || typeof query !== 'string') return undefined;
    if (caller.scopes.has(Scope.ANY_OPERATION)) return undefined;
    const hash = createHash('sha256').update(query, 'utf8').digest('hex');
    if ((await this.lookup(hash)) !== undefined) return undefined;
    throw new TrustedDocumentError(
      'This gateway only runs trusted documents: send the `documentId` of a document your client was built with ' +
        `(or use a credential with the scope ${Scope.ANY_OPERATION}).`,
      ErrorCode.PERSISTED_QUERY_NOT_ALLOWED,
    );
  }

  private async lookup(hash: string): Promise<string | undefined> {
    const known = this.fromFile.get(hash);
    if (known !== undefined || !this.config.redisKey || !this.options.redis) return known;
    const cached = this.fromRedis.get(hash);
    if (cached && (cached.text !== null || Date.now() < cached.until))
      return cached.text ?? undefined;
    let text: string | null;
    try {
      text = await this.options.redis.hGet(this.config.redisKey, hash);
    } catch (error) {
      this.options.logger.warn(
        { reason: (error as Error).message },
        'trusted documents: Redis unavailable',
      );
      throw new TrustedDocumentError(
        'Trusted documents cannot be read right now: try again shortly.',
        ErrorCode.TRUSTED_DOCUMENTS_UNAVAILABLE,
        503,
      );
    }
    this.fromRedis.set(hash, { text, until: Date.now() + 10_000 });
    return text ?? undefined;
  }

  private loadFile(file: string): void {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new Error(
        `TRUSTED_DOCUMENTS_FILE cannot be read as JSON (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`,
      );
    }
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
      throw new Error('TRUSTED_DOCUMENTS_FILE must hold { "<sha256>": "<document>", … }.');
    }
    let mismatched = 0;
    for (const [hash, text] of Object.entries(json)) {
      if (!HASH.test(hash.toLowerCase()) || typeof text !== 'string') {
        throw new Error(
          'TRUSTED_DOCUMENTS_FILE must map SHA-256 hashes (hex) to documents, as the client preset writes it.',
        );
      }
      if (createHash('sha256').update(text, 'utf8').digest('hex') !== hash.toLowerCase())
        mismatched += 1;
      this.fromFile.set(hash.toLowerCase(), text);
    }
    if (mismatched > 0) {
      this.options.logger.warn(
        { mismatched },
        'TRUSTED_DOCUMENTS_FILE: some ids are not the SHA-256 of their document; they are served by id only',
      );
    }
  }
}
