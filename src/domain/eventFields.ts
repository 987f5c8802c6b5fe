import type { EventField } from '../upstream/dto';

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

/** Which upstream fields each `Event` field is computed from. */
const SOURCES: Readonly<Record<string, readonly EventField[] | 'message'>> = {
  id: ['id'],
  createdAt: ['created_at'],
  accountId: ['account_id'],
  eventTypeId: ['event_type_id'],
  eventType: ['event_type_id'],
  message: 'message',
  userId: ['user_id'],
  userName: ['user_name'],
  actorUserId: ['actor_user_id'],
  actorUserName: ['actor_user_name'],
  actorSystem: ['actor_system'],
  assumingActingUserId: ['assuming_acting_user_id'],
  notes: ['notes'],
  ipAddress: ['ipaddr'],
  proxyIpAddress: ['proxy_ip'],
  roleId: ['role_id'],
  roleName: ['role_name'],
  appId: ['app_id'],
  appName: ['app_name'],
  groupId: ['group_id'],
  groupName: ['group_name'],
  otpDeviceId: ['otp_device_id'],
  otpDeviceName: ['otp_device_name'],
  policyId: ['policy_id'],
  policyName: ['policy_name'],
  customMessage: ['custom_message'],
  operationName: ['operation_name'],
  directorySyncRunId: ['directory_sync_run_id'],
  directoryId: ['directory_id'],
  resolution: ['resolution'],
  clientId: ['client_id'],
  resourceTypeId: ['resource_type_id'],
  errorDescription: ['error_description'],
  riskScore: ['risk_score'],
  riskLevel: ['risk_score'],
  riskReasons: ['risk_reasons'],
  riskCookieId: ['risk_cookie_id'],
  browserFingerprint: ['browser_fingerprint'],
  adcId: ['adc_id'],
  assumedBySuperadminOrReseller: ['assumed_by_superadmin_or_reseller'],
  certificateId: ['certificate_id'],
  mappingId: ['mapping_id'],
  objectId: ['object_id'],
  privilegeId: ['privilege_id'],
  radiusConfigId: ['radius_config_id'],
  serviceDirectoryId: ['service_directory_id'],
  trustedIdpId: ['trusted_idp_id'],
  userFieldId: ['user_field_id'],
  param: ['param'],
  policyType: ['policy_type'],
  resolvedAt: ['resolved_at'],
  solved: ['solved'],
  user: ['user_id'],
  actorUser: ['actor_user_id'],
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
