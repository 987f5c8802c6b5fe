import { GraphQLError } from 'graphql';

import { ErrorCode } from '../errors/ErrorCode';
import type { EventDto, EventField } from '../upstream/dto';
import { parseOneLoginDateTime } from './oneLoginDateTime';
import { riskLevelOf, riskReasonsOf } from './riskLevel';
import type { UserReferenceModel } from './userReference';
import { encodeLiveCursor } from './liveCursor';

/**
 * The event fields `GET /api/1/events` is known to return (the official sample,
 * API.md §3.3). Only these are ever named in `fields=`: asking for a field
 * OneLogin does not know might be refused.
 */
export const RETURNED_EVENT_FIELDS: readonly EventField[] = [
  'id',
  'created_at',
  'account_id',
  'user_id',
  'event_type_id',
  'notes',
  'ipaddr',
  'actor_user_id',
  'assuming_acting_user_id',
  'role_id',
  'app_id',
  'group_id',
  'otp_device_id',
  'policy_id',
  'actor_system',
  'custom_message',
  'role_name',
  'app_name',
  'group_name',
  'actor_user_name',
  'user_name',
  'policy_name',
  'otp_device_name',
  'operation_name',
  'directory_sync_run_id',
  'directory_id',
  'resolution',
  'client_id',
  'resource_type_id',
  'error_description',
  'proxy_ip',
  'risk_score',
  'risk_reasons',
  'risk_cookie_id',
  'browser_fingerprint',
];

export const RETURNED_EVENT_FIELD_SET: ReadonlySet<string> = new Set(RETURNED_EVENT_FIELDS);

/** An id field: OneLogin sends numbers (sometimes numeric strings); GraphQL gets strings. */
function id(value: unknown): string | null {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value === 'number' || typeof value === 'string') return String(value);
  throw badValue();
}

/** A required id (`id`, `account_id`, `event_type_id`): absent is a bad answer, not null. */
function requiredId(value: unknown): string {
  const result = id(value);
  if (result === null) throw badValue();
  return result;
}

/** Text: OneLogin sends "" where it means "nothing" (e.g. `actor_system`); that is null. */
function text(value: unknown): string | null {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw badValue();
}

/** OneLogin's usual form, passed through untouched (the DateTime scalar reads it). */
const CANONICAL_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/;

function createdAt(value: unknown): Date | string | null {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value === 'string') {
    if (CANONICAL_DATE.test(value)) return value;
    const parsed = parseOneLoginDateTime(value);
    if (parsed) return parsed;
  }
  throw badValue();
}

function riskScore(event: EventDto): number | null {
  const score = event.risk_score;
  if (score === null || score === undefined || score === '') return null;
  const number = Number(score);
  return Number.isFinite(number) ? number : null;
}

/** A `User` entity reference for another subgraph to resolve. */
function userReference(value: unknown): UserReferenceModel | null {
  const userId = id(value);
  return userId === null ? null : { id: userId };
}

/**
 * A value OneLogin sent that the schema cannot carry: UPSTREAM_BAD_RESPONSE on
 * that field's path only; the rest of the event and of the page is intact.
 */
function badValue() {
  return new GraphQLError(
    'OneLogin sent a value for this field in a form the gateway cannot read; the rest of the event is intact.',
    { extensions: { code: ErrorCode.UPSTREAM_BAD_RESPONSE, upstream: { service: 'onelogin' } } },
  );
}

interface EventFieldRule {
  /** The upstream fields the value is computed from (what `fields=` must name). */
  from: readonly EventField[];
  value(event: EventDto): unknown;
}

const rule = <T>(from: readonly EventField[], value: (event: EventDto) => T) => ({ from, value });

/**
 * The one table of `Event` fields: what each is computed from (driving the
 * `fields=` projection) and how (the field resolvers, see resolvers/event/Event.ts).
 * `eventType` and `message` need the catalogue and are resolved there.
 */
export const EVENT_FIELD_VALUES = {
  id: rule(['id'], (e) => requiredId(e.id)),
  createdAt: rule(['created_at'], (e) => createdAt(e.created_at)),
  accountId: rule(['account_id'], (e) => requiredId(e.account_id)),
  eventTypeId: rule(['event_type_id'], (e) => requiredId(e.event_type_id)),
  userId: rule(['user_id'], (e) => id(e.user_id)),
  user: rule(['user_id'], (e) => userReference(e.user_id)),
  userName: rule(['user_name'], (e) => text(e.user_name)),
  actorUserId: rule(['actor_user_id'], (e) => id(e.actor_user_id)),
  actorUser: rule(['actor_user_id'], (e) => userReference(e.actor_user_id)),
  actorUserName: rule(['actor_user_name'], (e) => text(e.actor_user_name)),
  actorSystem: rule(['actor_system'], (e) => text(e.actor_system)),
  assumingActingUserId: rule(['assuming_acting_user_id'], (e) => id(e.assuming_acting_user_id)),
  notes: rule(['notes'], (e) => text(e.notes)),
  ipAddress: rule(['ipaddr'], (e) => text(e.ipaddr)),
  proxyIpAddress: rule(['proxy_ip'], (e) => text(e.proxy_ip)),
  roleId: rule(['role_id'], (e) => id(e.role_id)),
  roleName: rule(['role_name'], (e) => text(e.role_name)),
  appId: rule(['app_id'], (e) => id(e.app_id)),
  appName: rule(['app_name'], (e) => text(e.app_name ?? e['app-name'])),
  groupId: rule(['group_id'], (e) => id(e.group_id)),
  groupName: rule(['group_name'], (e) => text(e.group_name ?? e['group-name'])),
  otpDeviceId: rule(['otp_device_id'], (e) => id(e.otp_device_id)),
  otpDeviceName: rule(['otp_device_name'], (e) => text(e.otp_device_name)),
  policyId: rule(['policy_id'], (e) => id(e.policy_id)),
  policyName: rule(['policy_name'], (e) => text(e.policy_name)),
  customMessage: rule(['custom_message'], (e) => text(e.custom_message)),
  operationName: rule(['operation_name'], (e) => text(e.operation_name)),
  directorySyncRunId: rule(['directory_sync_run_id'], (e) => id(e.directory_sync_run_id)),
  directoryId: rule(['directory_id'], (e) => id(e.directory_id)),
  resolution: rule(['resolution'], (e) => text(e.resolution)),
  clientId: rule(['client_id'], (e) => id(e.client_id)),
  resourceTypeId: rule(['resource_type_id'], (e) => id(e.resource_type_id)),
  errorDescription: rule(['error_description'], (e) => text(e.error_description)),
  riskScore: rule(['risk_score'], (e) => riskScore(e)),
  riskLevel: rule(['risk_score'], (e) => riskLevelOf(riskScore(e))),
  riskReasons: rule(['risk_reasons'], (e) => riskReasonsOf(e.risk_reasons)),
  riskCookieId: rule(['risk_cookie_id'], (e) => text(e.risk_cookie_id)),
  browserFingerprint: rule(['browser_fingerprint'], (e) => text(e.browser_fingerprint)),
  adcId: rule(['adc_id'], (e) => id(e.adc_id)),
  assumedBySuperadminOrReseller: rule(['assumed_by_superadmin_or_reseller'], (e) =>
    id(e.assumed_by_superadmin_or_reseller),
  ),
  certificateId: rule(['certificate_id'], (e) => id(e.certificate_id)),
  mappingId: rule(['mapping_id'], (e) => id(e.mapping_id)),
  objectId: rule(['object_id'], (e) => id(e.object_id)),
  privilegeId: rule(['privilege_id'], (e) => id(e.privilege_id)),
  radiusConfigId: rule(['radius_config_id'], (e) => id(e.radius_config_id)),
  serviceDirectoryId: rule(['service_directory_id'], (e) => id(e.service_directory_id)),
  trustedIdpId: rule(['trusted_idp_id'], (e) => id(e.trusted_idp_id)),
  userFieldId: rule(['user_field_id'], (e) => id(e.user_field_id)),
  param: rule(['param'], (e) => text(e.param)),
  policyType: rule(['policy_type'], (e) => text(e.policy_type)),
  resolvedAt: rule(['resolved_at'], (e) => text(e.resolved_at)),
  solved: rule(['solved'], (e) => (typeof e.solved === 'boolean' ? e.solved : null)),
  liveCursor: rule(['id', 'created_at'], (e) => encodeLiveCursor(e)),
} satisfies Record<string, EventFieldRule>;

/** Which upstream fields each `Event` field is computed from. */
const SOURCES: Readonly<Record<string, readonly EventField[] | 'message'>> = {
  ...Object.fromEntries(Object.entries(EVENT_FIELD_VALUES).map(([name, { from }]) => [name, from])),
  eventType: ['event_type_id'],
  message: 'message',
};

/**
 * The upstream fields a selection of `Event` fields needs.
 * `undefined` means "everything": the selection names a field OneLogin may not
 * know in `fields=` (the OpenAPI-only ones), so nothing is projected.
 * `messageFields` are the fields the catalogue's templates use (see EventTypeCatalog).
 */
export function upstreamFieldsFor(
  selection: Iterable<string>,
  messageFields: () => readonly EventField[],
): EventField[] | undefined {
  const fields = new Set<EventField>(['id']);
  for (const name of selection) {
    const sources = SOURCES[name];
    if (sources === undefined) continue; // __typename and the like
    const needed = sources === 'message' ? ['event_type_id' as const, ...messageFields()] : sources;
    for (const field of needed) {
      if (!RETURNED_EVENT_FIELD_SET.has(field)) return undefined;
      fields.add(field);
    }
  }
  return [...fields];
}

/** Whether a selection needs the catalogue's template fields. */
export function selectsMessage(selection: Iterable<string>): boolean {
  for (const name of selection) if (name === 'message') return true;
  return false;
}
