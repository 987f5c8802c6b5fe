/**
 * Raw shapes of OneLogin's legacy v1 API (API.md §8), exactly as it sends or
 * takes them. Not part of the public schema contract: resolvers rename field
 * by field.
 */

/** The `user` block of a failed provisioning. */
export interface FailedProvisioningUserDto {
  id: number | string;
  email?: string | null;
  username?: string | null;
  firstname?: string | null;
  lastname?: string | null;
}

/**
 * One item of `GET /api/v1/logins/failed_provisioning.json` (API.md §8.3).
 * `created_at` is `yyyy/MM/dd HH:mm:ss ±hhmm` (JSON-escaped as `2014\/09\/08 …`
 * on the wire). The doc's field table lost its names: by position `login_id` is
 * "the user's ID in the app" and `id` "the ID of the app". Neither is unique.
 */
export interface FailedProvisioningDto {
  login_id?: number | string | null;
  id?: number | string | null;
  created_at: string;
  error_description?: string | null;
  description?: string | null;
  user?: FailedProvisioningUserDto | null;
}

/**
 * The elements of the legacy Create Event request (`POST /api/v1/events.xml`,
 * API.md §8.1), hyphenated as OneLogin names them, in the order the gateway
 * writes them (the order of OneLogin's cURL sample).
 */
export const LEGACY_EVENT_ELEMENTS = [
  'event-type-id',
  'account-id',
  'actor-system',
  'actor-user-id',
  'actor-user-name',
  'app-id',
  'app-name',
  'assuming-acting-user-id',
  'custom-message',
  'directory-sync-run-id',
  'group-id',
  'group-name',
  'ipaddr',
  'otp-device-id',
  'otp-device-name',
  'policy-id',
  'policy-name',
  'role-id',
  'role-name',
  'user-id',
  'user-name',
] as const;

export type LegacyEventElement = (typeof LEGACY_EVENT_ELEMENTS)[number];

/**
 * The `<event>` document of a Create Event request: element → text. Integers
 * are decimal strings. Leave an element out to leave it out of the document.
 */
export type LegacyEventDto = { 'event-type-id': string } & Partial<
  Record<Exclude<LegacyEventElement, 'event-type-id'>, string>
>;
