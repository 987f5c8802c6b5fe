import { GraphQLError } from 'graphql';

import { ErrorCode } from '../errors/ErrorCode';
import type { Caller } from './Caller';
import { Scope } from './scopes';

/** Which events a caller may read: all of them, or only its own user's. */
export type EventAccess = { kind: 'all' } | { kind: 'self'; userId: string };

/**
 * The events `caller` may read, for `what` (a field, for the message); throws
 * FORBIDDEN when it may read none.
 */
export function eventAccess(caller: Caller, what: string): EventAccess {
  if (caller.scopes.has(Scope.EVENTS_READ)) return { kind: 'all' };
  if (caller.scopes.has(Scope.EVENTS_READ_SELF)) {
    if (caller.userId === undefined) {
      throw forbidden(
        `\`${what}\` needs a OneLogin user id for the scope ${Scope.EVENTS_READ_SELF}, and this caller's credential names none.`,
      );
    }
    return { kind: 'self', userId: caller.userId };
  }
  throw missingScope(caller, what, [Scope.EVENTS_READ, Scope.EVENTS_READ_SELF]);
}

/**
 * Throws FORBIDDEN unless `caller` may read event types: with `events:read` or
 * `events:read:self` (event types belong to no user, so no user id is needed).
 */
export function requireEventTypeAccess(caller: Caller, what: string): void {
  if (caller.scopes.has(Scope.EVENTS_READ) || caller.scopes.has(Scope.EVENTS_READ_SELF)) return;
  throw missingScope(caller, what, [Scope.EVENTS_READ, Scope.EVENTS_READ_SELF]);
}

/** Throws FORBIDDEN unless `caller` holds `scope`. */
export function requireScope(caller: Caller, scope: Scope, what: string): void {
  if (!caller.scopes.has(scope)) throw missingScope(caller, what, [scope]);
}

/** A self-scoped caller asking for another user's events. */
export function otherUsersEvents(what: string, access: { userId: string }): GraphQLError {
  return forbidden(
    `\`${what}\`: this caller may only read its own events (OneLogin user ${access.userId}), with the scope ${Scope.EVENTS_READ_SELF}.`,
  );
}

function missingScope(caller: Caller, what: string, anyOf: readonly Scope[]): GraphQLError {
  const held = [...caller.scopes];
  return forbidden(
    `\`${what}\` needs the scope ${anyOf.join(' or ')}; this caller has ${held.length ? held.join(', ') : 'no scope'}.`,
  );
}

function forbidden(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.FORBIDDEN } });
}
