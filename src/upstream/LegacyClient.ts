import type { Logger } from '../logging/createLogger';
import type { CallAccount, HttpResponse, HttpTransport } from './HttpTransport';
import { retryAfterHeader, UpstreamFailureError } from './HttpTransport';
import type { FailedProvisioningDto, LegacyEventDto } from './legacyDto';
import { legacyEventXml } from './legacyEventXml';
import { parseErrorBody } from './parseErrorBody';
import type { UpstreamFailure } from './upstreamError';
import { upstreamError } from './upstreamError';

export interface LegacyClientOptions {
  /** A transport to the legacy origin (https://api.onelogin.com by default). */
  transport: HttpTransport;
  /** The account's API key, sent as HTTP Basic `api_key:x`. */
  apiKey: string;
  logger: Logger;
}

const FAILED_PROVISIONINGS_ROUTE = 'GET /api/v1/logins/failed_provisioning.json';
const CREATE_EVENT_ROUTE = 'POST /api/v1/events.xml';

/**
 * OneLogin's deprecated v1 API (API.md §8): HTTP Basic with the account's API
 * key, one method per endpoint. Knows the wire formats (JSON in, XML out) and
 * nothing about GraphQL types. Failures leave as GraphQL errors built by
 * `upstreamError('onelogin-legacy', …)`, never with the upstream body.
 */
export class LegacyClient {
  private readonly authorization: string;

  constructor(private readonly options: LegacyClientOptions) {
    this.authorization = `Basic ${Buffer.from(`${options.apiKey}:x`).toString('base64')}`;
  }

  /**
   * `GET /api/v1/logins/failed_provisioning.json`: every failure from
   * `startDate` to `stopDate` (`YYYY-MM-DDThh:mm:ssZ`) in one answer, a bare
   * JSON array (API.md §8.3). Idempotent: retried after a 5xx or a network error.
   */
  async listFailedProvisionings(
    range: { startDate: string; stopDate: string },
    /** The request's budget: charged for each retry, and its deadline bounds the attempts. */
    account?: CallAccount,
  ): Promise<FailedProvisioningDto[]> {
    try {
      return await this.options.transport.request(
        {
          method: 'GET',
          path: '/api/v1/logins/failed_provisioning.json',
          query: { start_date: range.startDate, stop_date: range.stopDate },
          headers: { authorization: this.authorization, accept: 'application/json' },
          idempotent: true,
          route: FAILED_PROVISIONINGS_ROUTE,
          ...(account ? { account } : {}),
        },
        (response) => this.readFailedProvisionings(response),
      );
    } catch (error) {
      throw this.graphQLError(error);
    }
  }

  /**
   * `POST /api/v1/events.xml` (API.md §8.1): 201 with no body. Not idempotent,
   * so never sent twice: a failure after sending is an unknown outcome.
   */
  async createEvent(event: LegacyEventDto, account?: CallAccount): Promise<void> {
    const body = legacyEventXml(event);
    try {
      await this.options.transport.request(
        {
          method: 'POST',
          path: '/api/v1/events.xml',
          headers: {
            authorization: this.authorization,
            'content-type': 'application/xml; charset=utf-8',
            accept: 'application/xml, application/json',
          },
          body,
          idempotent: false,
          route: CREATE_EVENT_ROUTE,
          ...(account ? { account } : {}),
        },
        (response) => this.readCreated(response),
      );
    } catch (error) {
      throw this.graphQLError(error);
    }
  }

  private readFailedProvisionings(response: HttpResponse): FailedProvisioningDto[] {
    const { status } = response;
    if (status !== 200) throw this.statusFailure(FAILED_PROVISIONINGS_ROUTE, response);
    let body: unknown;
    try {
      body = JSON.parse(response.body);
    } catch {
      // Truncated or not JSON: a glitch worth another try.
      throw new UpstreamFailureError({ kind: 'bad-response', status }, true);
    }
    if (!Array.isArray(body)) {
      throw this.badShape(FAILED_PROVISIONINGS_ROUTE, status, 'the answer is not an array');
    }
    for (const [index, item] of (body as unknown[]).entries()) {
      const problem = failedProvisioningProblem(item);
      if (problem !== null) {
        throw this.badShape(FAILED_PROVISIONINGS_ROUTE, status, `item ${index}: ${problem}`);
      }
    }
    return body as FailedProvisioningDto[];
  }

  /**
   * 2xx: written. 4xx: refused, so nothing was written (OneLogin checks the key,
   * the rate limit and the body before it records anything; HTTP's client-error
   * class says the request was not acted on as sent. OneLogin documents no error
   * answers here, API.md §8.1, so this is an inference). 5xx, from OneLogin or
   * from any proxy or load balancer in front of it (a 502 after the write was
   * recorded has been observed): the outcome is unknown, never "failed".
   */
  private readCreated(response: HttpResponse): void {
    if (response.status >= 200 && response.status < 300) return;
    if (response.status >= 500) {
      this.options.logger.warn(
        { route: CREATE_EVENT_ROUTE, status: response.status },
        'the legacy API answered a write with a server error: it may have been recorded',
      );
      throw new UpstreamFailureError({ kind: 'outcome-unknown', status: response.status }, false);
    }
    throw this.statusFailure(CREATE_EVENT_ROUTE, response);
  }

  private statusFailure(route: string, response: HttpResponse): UpstreamFailureError {
    const { status } = response;
    const parsed = parseErrorBody(response.body);
    // The message is for the gateway's log only; clients get the status and its meaning.
    this.options.logger.warn(
      { route, status, upstreamMessage: parsed.message },
      "OneLogin's legacy API answered with an error",
    );
    const failure: UpstreamFailure =
      status === 429 || parsed.rateLimited
        ? {
            kind: 'status',
            status,
            rateLimited: true,
            retryAfterSeconds: retryAfterHeader(response),
          }
        : { kind: 'status', status, rateLimited: false };
    return new UpstreamFailureError(failure, false);
  }

  private badShape(route: string, status: number, problem: string): UpstreamFailureError {
    this.options.logger.warn(
      { route, status, problem },
      "OneLogin's legacy API sent an unexpected answer",
    );
    return new UpstreamFailureError({ kind: 'bad-response', status }, false);
  }

  private graphQLError(error: unknown): unknown {
    return error instanceof UpstreamFailureError
      ? upstreamError('onelogin-legacy', error.failure)
      : error;
  }
}

const isId = (value: unknown) =>
  (typeof value === 'number' && Number.isSafeInteger(value)) ||
  (typeof value === 'string' && /^\d{1,19}$/.test(value));
const isOptionalId = (value: unknown) => value === undefined || value === null || isId(value);
const isOptionalText = (value: unknown) =>
  value === undefined || value === null || typeof value === 'string';

/** What is wrong with one failed-provisioning item, or null when it can be read. */
function failedProvisioningProblem(item: unknown): string | null {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return 'not an object';
  const record = item as Record<string, unknown>;
  if (typeof record['created_at'] !== 'string') return '`created_at` is not a string';
  if (!isOptionalId(record['login_id'])) return '`login_id` is not an id';
  if (!isOptionalId(record['id'])) return '`id` is not an id';
  for (const field of ['description', 'error_description']) {
    if (!isOptionalText(record[field])) return `\`${field}\` is not text`;
  }
  const user = record['user'];
  if (user === undefined || user === null) return null;
  if (typeof user !== 'object' || Array.isArray(user)) return '`user` is not an object';
  const userRecord = user as Record<string, unknown>;
  if (!isId(userRecord['id'])) return '`user.id` is not an id';
  for (const field of ['email', 'username', 'firstname', 'lastname']) {
    if (!isOptionalText(userRecord[field])) return `\`user.${field}\` is not text`;
  }
  return null;
}
