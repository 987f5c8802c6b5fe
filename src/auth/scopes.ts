/**
 * The scopes a caller may hold (a JWT's scope claim, an API key's entry). The
 * README's "Securing the gateway" section has the same table.
 */
export const Scope = {
  /** Every event, event type, and `User.events` of any user. */
  EVENTS_READ: 'events:read',
  /** Only events whose `userId` is the caller's own OneLogin user id; event types. */
  EVENTS_READ_SELF: 'events:read:self',
  /** `failedProvisionings` (the legacy API). */
  PROVISIONING_READ: 'provisioning:read',
  /** `createEvent`. */
  EVENTS_WRITE: 'events:write',
  /** Any document, when trusted documents are enforced (developers in Sandbox). */
  ANY_OPERATION: 'graphql:any-operation',
} as const;

export type Scope = (typeof Scope)[keyof typeof Scope];

export const ALL_SCOPES: readonly Scope[] = Object.values(Scope);

export function isScope(value: unknown): value is Scope {
  return (ALL_SCOPES as readonly unknown[]).includes(value);
}

/**
 * The scopes of a claim: a space-separated string (OAuth 2's `scope`) or an
 * array of strings (`scp`, `scopes`). Scopes the gateway does not know are kept
 * out; anything else yields none.
 */
export function scopesOfClaim(value: unknown): Set<Scope> {
  const items =
    typeof value === 'string'
      ? value.split(/\s+/)
      : Array.isArray(value)
        ? value.filter((item): item is string => typeof item === 'string')
        : [];
  return new Set(items.filter(isScope));
}
