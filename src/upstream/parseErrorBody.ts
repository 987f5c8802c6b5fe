/**
 * Reads any of OneLogin's error shapes (API.md §7.1: the /1 status envelope, its
 * structured-message variant, the unwrapped OpenAPI `Error`, the /2 `altErr`,
 * field and list variants, and the OAuth-ish one) into the two facts the
 * gateway acts on. The text is for the gateway's log only; clients never see it.
 */
export interface UpstreamErrorBody {
  message: string | undefined;
  rateLimited: boolean;
}

export function parseErrorBody(body: string): UpstreamErrorBody {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { message: undefined, rateLimited: false };
  }
  const message = messageOf(parsed);
  return { message, rateLimited: message?.toLowerCase().includes('rate_limit_exceeded') ?? false };
}

function messageOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  if (typeof record['status'] === 'object' && record['status'] !== null) {
    return messageOf(record['status']); // A, A': {"status": {...}}
  }
  const message = record['message'];
  if (typeof message === 'string') return message; // B, C, C', D
  if (typeof message === 'object' && message !== null) {
    const description = (message as Record<string, unknown>)['description'];
    if (typeof description === 'string') return description; // A': {"description", "attribute"}
  }
  if (typeof record['description'] === 'string') return record['description']; // E
  if (typeof record['error'] === 'string') return record['error'];
  return undefined;
}
