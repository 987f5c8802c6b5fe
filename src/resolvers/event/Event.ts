import { RETURNED_EVENT_FIELD_SET } from '../../domain/eventFields';
import { oneLoginInteger } from '../../domain/eventQuery';
import { renderMessage } from '../../domain/eventMessage';
import { riskLevelOf, riskReasonsOf } from '../../domain/riskLevel';
import type { EventResolvers } from '../../__generated__/resolvers-types';
import type { EventDto, EventTypeDto } from '../../upstream/dto';
import { selectedFields } from '../selection';

/** An id field: OneLogin sends numbers (sometimes numeric strings); GraphQL gets strings. */
const id = (value: number | string | null | undefined): string | null =>
  value === null || value === undefined || value === '' ? null : String(value);
/** Text: OneLogin sends "" where it means "nothing" (e.g. `actor_system`); that is null. */
const text = (value: string | null | undefined): string | null =>
  value === null || value === undefined || value === '' ? null : value;
const riskScore = (event: EventDto): number | null => {
  const score = event.risk_score;
  if (score === null || score === undefined || score === '') return null;
  const number = Number(score);
  return Number.isFinite(number) ? number : null;
};

const isPromiseLike = <T>(value: T | PromiseLike<T>): value is PromiseLike<T> =>
  typeof (value as { then?: unknown }).then === 'function';

/** A `User` entity reference for another subgraph to resolve. */
const userReference = (value: number | string | null | undefined) => {
  const userId = id(value);
  return userId === null ? null : { id: userId };
};

/** `parent` is the upstream EventDto (see `mappers` in codegen.yml). */
export const Event: EventResolvers = {
  /** Federation: events referenced by other subgraphs, batched and cache-first (see DataSources.loadEvent). */
  __resolveReference: (reference, { dataSources }, info) =>
    dataSources.loadEvent(oneLoginInteger(String(reference.id), 'Event.id'), selectedFields(info)),
  id: (event) => String(event.id),
  createdAt: (event) => event.created_at as string,
  accountId: (event) => String(event.account_id),
  eventTypeId: (event) => String(event.event_type_id),
  eventType: (event, _args, { dataSources }) => {
    const typeId = id(event.event_type_id);
    return typeId === null ? null : dataSources.loadEventType(typeId);
  },
  message: (event, _args, { dataSources }) => {
    const typeId = id(event.event_type_id);
    if (typeId === null) return null;
    const render = (type: EventTypeDto | null) =>
      type?.description ? renderMessage(type.description, event, RETURNED_EVENT_FIELD_SET) : null;
    // Synchronous when the catalogue is in memory: no promise per event on the hot path.
    const type = dataSources.loadEventType(typeId);
    return isPromiseLike(type) ? type.then(render) : render(type);
  },
  userId: (event) => id(event.user_id),
  user: (event) => userReference(event.user_id),
  userName: (event) => text(event.user_name),
  actorUserId: (event) => id(event.actor_user_id),
  actorUser: (event) => userReference(event.actor_user_id),
  actorUserName: (event) => text(event.actor_user_name),
  actorSystem: (event) => text(event.actor_system),
  assumingActingUserId: (event) => id(event.assuming_acting_user_id),
  notes: (event) => text(event.notes),
  ipAddress: (event) => text(event.ipaddr),
  proxyIpAddress: (event) => text(event.proxy_ip),
  roleId: (event) => id(event.role_id),
  roleName: (event) => text(event.role_name),
  appId: (event) => id(event.app_id),
  appName: (event) => text(event.app_name ?? event['app-name']),
  groupId: (event) => id(event.group_id),
  groupName: (event) => text(event.group_name ?? event['group-name']),
  otpDeviceId: (event) => id(event.otp_device_id),
  otpDeviceName: (event) => text(event.otp_device_name),
  policyId: (event) => id(event.policy_id),
  policyName: (event) => text(event.policy_name),
  customMessage: (event) => text(event.custom_message),
  operationName: (event) => text(event.operation_name),
  directorySyncRunId: (event) => id(event.directory_sync_run_id),
  directoryId: (event) => id(event.directory_id),
  resolution: (event) => text(event.resolution),
  clientId: (event) => id(event.client_id),
  resourceTypeId: (event) => id(event.resource_type_id),
  errorDescription: (event) => text(event.error_description),
  riskScore: (event) => riskScore(event),
  riskLevel: (event) => riskLevelOf(riskScore(event)),
  riskReasons: (event) => riskReasonsOf(event.risk_reasons),
  riskCookieId: (event) => text(event.risk_cookie_id),
  browserFingerprint: (event) => text(event.browser_fingerprint),
  adcId: (event) => id(event.adc_id),
  assumedBySuperadminOrReseller: (event) => id(event.assumed_by_superadmin_or_reseller),
  certificateId: (event) => id(event.certificate_id),
  mappingId: (event) => id(event.mapping_id),
  objectId: (event) => id(event.object_id),
  privilegeId: (event) => id(event.privilege_id),
  radiusConfigId: (event) => id(event.radius_config_id),
  serviceDirectoryId: (event) => id(event.service_directory_id),
  trustedIdpId: (event) => id(event.trusted_idp_id),
  userFieldId: (event) => id(event.user_field_id),
  param: (event) => text(event.param),
  policyType: (event) => text(event.policy_type),
  resolvedAt: (event) => text(event.resolved_at),
  solved: (event) => (typeof event.solved === 'boolean' ? event.solved : null),
};
