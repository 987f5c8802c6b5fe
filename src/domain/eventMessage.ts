import type { EventDto, EventField } from '../upstream/dto';

/**
 * Placeholders in OneLogin's event-type templates (`%user% logged into OneLogin`)
 * and the event field each stands for. The documented ones name the thing, not
 * the field (`%user%` is the user's display name); any other placeholder that
 * is itself an event field name (`%notes%`, `%ipaddr%`) stands for that field.
 */
const FIELD_BY_PLACEHOLDER: Readonly<Record<string, EventField>> = {
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

/** The placeholders of a template, in order of first appearance, without duplicates. */
export function placeholdersOf(template: string | null): string[] {
  if (!template) return [];
  return [...new Set(Array.from(template.matchAll(PLACEHOLDER), (match) => match[1] as string))];
}

/** The event field a placeholder stands for, if any. */
export function fieldForPlaceholder(
  placeholder: string,
  knownFields: ReadonlySet<string>,
): EventField | undefined {
  const mapped = FIELD_BY_PLACEHOLDER[placeholder];
  if (mapped) return mapped;
  return knownFields.has(placeholder) ? (placeholder as EventField) : undefined;
}

/**
 * Renders a template with one event's own values, e.g. `%user% logged into
 * OneLogin` → `Xavier Wong logged into OneLogin`. A placeholder the event has
 * no value for reads as "an unknown <thing>" rather than leaking `%…%`.
 */
export function renderMessage(
  template: string,
  event: EventDto,
  knownFields: ReadonlySet<string>,
): string {
  return template.replace(PLACEHOLDER, (_match, placeholder: string) => {
    const field = fieldForPlaceholder(placeholder, knownFields);
    const value = field ? event[field] : undefined;
    if (value === null || value === undefined || value === '') {
      return `an unknown ${placeholder.replace(/_/g, ' ')}`;
    }
    return String(value);
  });
}
