/**
 * The bench's own map from GraphQL `Event` fields to OneLogin's snake_case
 * fields, written from schema/events.graphql and not from the gateway's
 * resolvers: the floor shapes its answers with it and direct REST builds its
 * `fields=` projection with it. Not part of the gateway.
 */

/** One event as OneLogin sends it (snake_case, values loose). */
export type UpstreamEvent = Record<string, unknown> & { id: number | string };

/** One row of OneLogin's event-type catalogue, as the floor keeps it. */
export interface CatalogType {
  name: string;
  description: string | null;
}

export type Catalog = ReadonlyMap<string, CatalogType>;

/** The fields `GET /api/1/events` returns, the only ones worth naming in `fields=`. */
export const RETURNED_FIELDS: readonly string[] = [
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
const RETURNED = new Set(RETURNED_FIELDS);

/** Template placeholders that name a thing rather than a field (`%user%` is the user's name). */
const FIELD_BY_PLACEHOLDER: Readonly<Record<string, string>> = {
  user: 'user_name',
  actor_user: 'actor_user_name',
  app: 'app_name',
  role: 'role_name',
  group: 'group_name',
  policy: 'policy_name',
  otp_device: 'otp_device_name',
  directory: 'directory_id',
  ip: 'ipaddr',
  client: 'client_id',
};
const PLACEHOLDER = /%([A-Za-z_]+)%/g;

const idValue = (value: unknown): string | null =>
  value === null || value === undefined || value === '' ? null : String(value);
const textValue = (value: unknown): string | null =>
  value === null || value === undefined || value === '' ? null : String(value);
const scoreValue = (value: unknown): number | null => {
  if (value === null || value === undefined || value === '') return null;
  const score = Number(value);
  return Number.isFinite(score) ? score : null;
};

export interface FieldRule {
  /** The OneLogin fields the value is computed from; `message` adds the templates' fields. */
  sources: readonly string[];
  value(event: UpstreamEvent, catalog: Catalog): unknown;
}

const id = (source: string): FieldRule => ({
  sources: [source],
  value: (event) => idValue(event[source]),
});
const text = (source: string): FieldRule => ({
  sources: [source],
  value: (event) => textValue(event[source]),
});
/** A `User` entity reference, selected as `{ id }`. */
const userReference = (source: string): FieldRule => ({
  sources: [source],
  value: (event) => {
    const id = idValue(event[source]);
    return id === null ? null : { id };
  },
});

/**
 * Every `Event` field of schema/events.graphql and schema/users.graphql; object
 * fields as scenarios.ts selects them: `eventType { name }`, `user { id }`.
 */
export const EVENT_FIELD_RULES: Readonly<Record<string, FieldRule>> = {
  id: { sources: ['id'], value: (event) => String(event.id) },
  createdAt: { sources: ['created_at'], value: (event) => event['created_at'] },
  accountId: { sources: ['account_id'], value: (event) => String(event['account_id']) },
  eventTypeId: { sources: ['event_type_id'], value: (event) => String(event['event_type_id']) },
  eventType: {
    sources: ['event_type_id'],
    value: (event, catalog) => {
      const type = catalog.get(String(event['event_type_id']));
      return type ? { name: type.name } : null;
    },
  },
  message: {
    sources: ['event_type_id'],
    value: (event, catalog) => {
      const template = catalog.get(String(event['event_type_id']))?.description;
      return template ? renderMessage(template, event) : null;
    },
  },
  userId: id('user_id'),
  user: userReference('user_id'),
  userName: text('user_name'),
  actorUserId: id('actor_user_id'),
  actorUser: userReference('actor_user_id'),
  actorUserName: text('actor_user_name'),
  actorSystem: text('actor_system'),
  assumingActingUserId: id('assuming_acting_user_id'),
  notes: text('notes'),
  ipAddress: text('ipaddr'),
  proxyIpAddress: text('proxy_ip'),
  roleId: id('role_id'),
  roleName: text('role_name'),
  appId: id('app_id'),
  appName: text('app_name'),
  groupId: id('group_id'),
  groupName: text('group_name'),
  otpDeviceId: id('otp_device_id'),
  otpDeviceName: text('otp_device_name'),
  policyId: id('policy_id'),
  policyName: text('policy_name'),
  customMessage: text('custom_message'),
  operationName: text('operation_name'),
  directorySyncRunId: id('directory_sync_run_id'),
  directoryId: id('directory_id'),
  resolution: text('resolution'),
  clientId: id('client_id'),
  resourceTypeId: id('resource_type_id'),
  errorDescription: text('error_description'),
  riskScore: { sources: ['risk_score'], value: (event) => scoreValue(event['risk_score']) },
  riskLevel: {
    sources: ['risk_score'],
    value: (event) => {
      const score = scoreValue(event['risk_score']);
      if (score === null) return null;
      return score <= 5 ? 'NONE' : score <= 25 ? 'LOW' : score <= 50 ? 'MEDIUM' : 'HIGH';
    },
  },
  riskReasons: {
    sources: ['risk_reasons'],
    value: (event) => {
      const raw = event['risk_reasons'];
      if (typeof raw !== 'string' || raw === '') return null;
      const reasons = raw
        .split(/\r?\n/)
        .map((reason) => reason.trim())
        .filter((reason) => reason !== '');
      return reasons.length > 0 ? reasons : null;
    },
  },
  riskCookieId: text('risk_cookie_id'),
  browserFingerprint: text('browser_fingerprint'),
  adcId: id('adc_id'),
  assumedBySuperadminOrReseller: id('assumed_by_superadmin_or_reseller'),
  certificateId: id('certificate_id'),
  mappingId: id('mapping_id'),
  objectId: id('object_id'),
  privilegeId: id('privilege_id'),
  radiusConfigId: id('radius_config_id'),
  serviceDirectoryId: id('service_directory_id'),
  trustedIdpId: id('trusted_idp_id'),
  userFieldId: id('user_field_id'),
  param: text('param'),
  policyType: text('policy_type'),
  resolvedAt: text('resolved_at'),
  solved: {
    sources: ['solved'],
    value: (event) => (typeof event['solved'] === 'boolean' ? event['solved'] : null),
  },
  // The live feed's cursor as README describes it: base64url JSON of the id and created_at (ms).
  liveCursor: {
    sources: ['id', 'created_at'],
    value: (event) => {
      const at = Date.parse(String(event['created_at'] ?? ''));
      if (Number.isNaN(at)) return null;
      const cursor = { v: 1, h: 'live', i: String(event.id), t: at };
      return Buffer.from(JSON.stringify(cursor)).toString('base64url');
    },
  },
};

/** The rule of a selected field; throws for a field the bench does not know. */
export function ruleFor(field: string): FieldRule {
  const rule = EVENT_FIELD_RULES[field];
  if (!rule)
    throw new Error(`The bench has no rule for Event.${field}: add it to eventFieldRules.ts`);
  return rule;
}

/**
 * The `fields=` value for a selection, in the order the gateway builds it (`id`
 * first, then each selected field's sources), or undefined when a selected
 * field is one OneLogin may not know in `fields=` (then nothing is projected).
 */
export function projectionFor(
  selection: readonly string[],
  messageFields: readonly string[],
): string[] | undefined {
  const fields = new Set<string>(['id']);
  for (const name of selection) {
    const rule = ruleFor(name);
    const sources = name === 'message' ? [...rule.sources, ...messageFields] : rule.sources;
    for (const source of sources) {
      if (!RETURNED.has(source)) return undefined;
      fields.add(source);
    }
  }
  return [...fields];
}

/** The event fields the catalogue's templates use. */
export function messageFieldsOf(catalog: Catalog): string[] {
  const fields = new Set<string>();
  for (const type of catalog.values()) {
    if (!type.description) continue;
    for (const match of type.description.matchAll(PLACEHOLDER)) {
      const field = fieldOfPlaceholder(match[1] as string);
      if (field) fields.add(field);
    }
  }
  return [...fields];
}

/** `GET /api/1/events/types` → id → type; rows without a name are not event types. */
export function catalogFrom(body: unknown): Map<string, CatalogType> {
  const data = (body as { data?: unknown } | null)?.data;
  if (!Array.isArray(data)) throw new Error('GET /api/1/events/types answered without `data`');
  const catalog = new Map<string, CatalogType>();
  for (const row of data as Array<Record<string, unknown>>) {
    if (typeof row['name'] !== 'string') continue;
    const description = row['description'];
    catalog.set(String(row['id']), {
      name: row['name'],
      description: typeof description === 'string' && description !== '' ? description : null,
    });
  }
  return catalog;
}

function fieldOfPlaceholder(placeholder: string): string | undefined {
  return FIELD_BY_PLACEHOLDER[placeholder] ?? (RETURNED.has(placeholder) ? placeholder : undefined);
}

/** `%user% logged into OneLogin` → `Xavier Wong logged into OneLogin` (schema: `Event.message`). */
function renderMessage(template: string, event: UpstreamEvent): string {
  return template.replace(PLACEHOLDER, (_match, placeholder: string) => {
    const field = fieldOfPlaceholder(placeholder);
    const value = field ? event[field] : undefined;
    if (value === null || value === undefined || value === '') {
      return `an unknown ${placeholder.replace(/_/g, ' ')}`;
    }
    return String(value);
  });
}
