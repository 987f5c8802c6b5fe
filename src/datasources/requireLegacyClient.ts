import { upstreamNotConfigured } from '../errors/errors';
import type { LegacyClient } from '../upstream/LegacyClient';

/**
 * The legacy API client, or UPSTREAM_NOT_CONFIGURED naming what to set: the
 * gateway runs without an API key, and only the fields that need it fail.
 */
export function requireLegacyClient(client: LegacyClient | undefined, field: string): LegacyClient {
  if (client !== undefined) return client;
  throw upstreamNotConfigured(
    `\`${field}\` uses OneLogin's legacy API, which needs the account's API key: set ONELOGIN_API_KEY ` +
      '(and ONELOGIN_LEGACY_BASE_URL when the account is not served from https://api.onelogin.com), then restart the gateway.',
  );
}
