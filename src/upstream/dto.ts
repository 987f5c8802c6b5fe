/**
 * Raw OneLogin shapes, exactly as the REST API sends them (snake_case).
 * Not part of the public schema contract: resolvers rename field by field.
 */

/**
 * One event from `GET /api/1/events` or `/api/1/events/{id}` (API.md §3.3).
 * Only `id` is sure to be present: the gateway asks for a subset of fields with
 * `fields=`, and OneLogin leaves out what was not asked for. Everything else may
 * be null, and the documented types are not always what the API sends (ids
 * sometimes arrive as strings, `client_id` as a number), so values stay loose.
 */
export interface EventDto {
  id: number | string;
  created_at?: string | null;
  account_id?: number | string | null;
  user_id?: number | string | null;
  event_type_id?: number | string | null;
  notes?: string | null;
  ipaddr?: string | null;
  actor_user_id?: number | string | null;
  assuming_acting_user_id?: number | string | null;
  role_id?: number | string | null;
  app_id?: number | string | null;
  group_id?: number | string | null;
  otp_device_id?: number | string | null;
  policy_id?: number | string | null;
  actor_system?: string | null;
  custom_message?: string | null;
  role_name?: string | null;
  app_name?: string | null;
  /** The doc table and OpenAPI spell it with a hyphen; the API sends `app_name`. Both are read. */
  'app-name'?: string | null;
  group_name?: string | null;
  'group-name'?: string | null;
  actor_user_name?: string | null;
  user_name?: string | null;
  policy_name?: string | null;
  otp_device_name?: string | null;
  operation_name?: string | null;
  directory_sync_run_id?: number | string | null;
  directory_id?: number | string | null;
  resolution?: string | null;
  client_id?: number | string | null;
  resource_type_id?: number | string | null;
  error_description?: string | null;
  proxy_ip?: string | null;
  risk_score?: number | string | null;
  risk_reasons?: string | null;
  risk_cookie_id?: string | null;
  browser_fingerprint?: string | null;
  // In OneLogin's OpenAPI `event` schema only (API.md §3.3); unverified on /api/1/events.
  adc_id?: number | string | null;
  assumed_by_superadmin_or_reseller?: number | string | null;
  certificate_id?: number | string | null;
  mapping_id?: number | string | null;
  object_id?: number | string | null;
  privilege_id?: number | string | null;
  radius_config_id?: number | string | null;
  service_directory_id?: number | string | null;
  trusted_idp_id?: number | string | null;
  user_field_id?: number | string | null;
  param?: string | null;
  policy_type?: string | null;
  resolved_at?: string | null;
  solved?: boolean | null;
}

/** The upstream field names of an event. */
export type EventField = Exclude<keyof EventDto, 'app-name' | 'group-name'>;

/** One item of `GET /api/1/events/types` (API.md §4). */
export interface EventTypeDto {
  id: number;
  name: string;
  description: string | null;
}

/** `pagination` of a `GET /api/1/events` response (API.md §3.2). */
export interface PaginationDto {
  before_cursor: string | null;
  after_cursor: string | null;
  previous_link?: string | null;
  next_link?: string | null;
}

/** A `GET /api/1/events` page. */
export interface EventsPageDto {
  pagination: PaginationDto;
  data: EventDto[];
}
