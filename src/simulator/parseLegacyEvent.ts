import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { emptyEventFields } from './data/eventFields';
import type { EventFields } from './data/eventFields';

type IntegerField =
  | 'event_type_id'
  | 'actor_user_id'
  | 'app_id'
  | 'assuming_acting_user_id'
  | 'directory_sync_run_id'
  | 'group_id'
  | 'otp_device_id'
  | 'policy_id'
  | 'role_id'
  | 'user_id';
type StringField =
  | 'actor_system'
  | 'actor_user_name'
  | 'app_name'
  | 'custom_message'
  | 'group_name'
  | 'ipaddr'
  | 'otp_device_name'
  | 'policy_name'
  | 'role_name'
  | 'user_name';

/** The elements of the Create Event doc (seed 000) and the field each one sets. */
const INTEGER_ELEMENTS: Readonly<Record<string, IntegerField | 'account_id'>> = {
  'event-type-id': 'event_type_id',
  'account-id': 'account_id',
  'actor-user-id': 'actor_user_id',
  'app-id': 'app_id',
  'assuming-acting-user-id': 'assuming_acting_user_id',
  'directory-sync-run-id': 'directory_sync_run_id',
  'group-id': 'group_id',
  'otp-device-id': 'otp_device_id',
  'policy-id': 'policy_id',
  'role-id': 'role_id',
  'user-id': 'user_id',
};
const STRING_ELEMENTS: Readonly<Record<string, StringField>> = {
  'actor-system': 'actor_system',
  'actor-user-name': 'actor_user_name',
  'app-name': 'app_name',
  'custom-message': 'custom_message',
  'group-name': 'group_name',
  ipaddr: 'ipaddr',
  'otp-device-name': 'otp_device_name',
  'policy-name': 'policy_name',
  'role-name': 'role_name',
  'user-name': 'user_name',
};

/** A document the legacy API refuses; the message is meant for the client. */
export class LegacyEventError extends Error {}

const MAX_INTEGER = 2_147_483_647;
const MIN_INTEGER = -2_147_483_648;

/**
 * Entities are decoded here, not by the parser, so that the five XML entities and character
 * references are decoded exactly once and nothing else (HTML entities, DOCTYPE declarations) is.
 */
const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseAttributeValue: false,
  parseTagValue: false,
  trimValues: false,
  processEntities: false,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  commentPropName: '#comment',
  cdataPropName: '#cdata',
});

type OrderedNode = Record<string, unknown> & { ':@'?: Record<string, string> };

const PREDEFINED: Readonly<Record<string, string>> = {
  lt: '<',
  gt: '>',
  amp: '&',
  apos: "'",
  quot: '"',
};
const REFERENCE = /&(?:(lt|gt|amp|apos|quot)|#([0-9]+)|#x([0-9a-fA-F]+));/g;

function isXmlChar(code: number): boolean {
  return (
    code === 0x9 ||
    code === 0xa ||
    code === 0xd ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    (code >= 0x10000 && code <= 0x10ffff)
  );
}

/** The first `&` that does not start a well-formed XML reference, outside CDATA and comments. */
function findBadReference(xml: string): string | null {
  const outside = xml.replace(/<!\[CDATA\[[\s\S]*?\]\]>|<!--[\s\S]*?-->/g, '');
  for (const match of outside.matchAll(/&[^;&<\s]{0,12};?/g)) {
    REFERENCE.lastIndex = 0;
    const reference = REFERENCE.exec(match[0]);
    if (!reference || reference.index !== 0 || reference[0] !== match[0]) return match[0];
    const code = reference[2]
      ? Number(reference[2])
      : reference[3]
        ? parseInt(reference[3], 16)
        : 0;
    if (!reference[1] && !isXmlChar(code)) return match[0];
  }
  return null;
}

function decodeText(text: string): string {
  return text.replace(REFERENCE, (_whole, name?: string, decimal?: string, hex?: string) =>
    name
      ? (PREDEFINED[name] as string)
      : String.fromCodePoint(decimal ? Number(decimal) : parseInt(hex as string, 16)),
  );
}

function nodeName(node: OrderedNode): string {
  return Object.keys(node).find((key) => key !== ':@') ?? '';
}

function children(node: OrderedNode, name: string): OrderedNode[] {
  const value = node[name];
  return Array.isArray(value) ? (value as OrderedNode[]) : [];
}

/** The text of a leaf element: decoded text and verbatim CDATA, comments dropped. */
function leafText(element: string, nodes: OrderedNode[]): string {
  let text = '';
  for (const node of nodes) {
    const name = nodeName(node);
    if (name === '#text') text += decodeText(String(node['#text']));
    else if (name === '#cdata') {
      for (const part of children(node, '#cdata')) text += String(part['#text'] ?? '');
    } else if (name !== '#comment') {
      throw new LegacyEventError(`<${element}> must not contain <${name}>`);
    }
  }
  return text;
}

export interface LegacyEvent {
  fields: EventFields;
  /** The `account-id` sent, if any; the account is the API key's whatever it says. */
  accountId: number | null;
}

/**
 * Reads the `<event>` document of the legacy Create Event API (seed 000). Values are kept exactly
 * as sent: no trimming, entities and character references decoded, CDATA verbatim. (Like every
 * conforming XML parser, a raw CR or CRLF in the document reads as LF; `&#13;` keeps a CR.)
 * Throws LegacyEventError with a message fit for the client.
 */
export function parseLegacyEvent(xml: string, knownEventTypeIds: ReadonlySet<number>): LegacyEvent {
  if (/<!DOCTYPE/i.test(xml)) throw new LegacyEventError('DOCTYPE declarations are not allowed');
  const validation = XMLValidator.validate(xml);
  if (validation !== true) {
    const { msg, line } = validation.err;
    throw new LegacyEventError(`Malformed XML: ${msg} (line ${line})`);
  }
  const badReference = findBadReference(xml);
  if (badReference !== null) {
    throw new LegacyEventError(`Malformed XML: invalid entity reference ${badReference}`);
  }

  const roots = (parser.parse(xml) as OrderedNode[]).filter((node) => {
    const name = nodeName(node);
    return name !== '#comment' && !(name === '#text' && String(node['#text']).trim() === '');
  });
  const root = roots[0];
  if (roots.length !== 1 || root === undefined || nodeName(root) !== 'event') {
    throw new LegacyEventError('The document must have a single <event> root element');
  }

  const fields = emptyEventFields(0);
  let accountId: number | null = null;
  let eventTypeId: number | null = null;
  const seen = new Set<string>();
  for (const node of children(root, 'event')) {
    const name = nodeName(node);
    if (name === '#comment') continue;
    if (name === '#text' || name === '#cdata') {
      const text = name === '#text' ? String(node['#text']) : leafText('event', [node]);
      if (text.trim() !== '') throw new LegacyEventError('<event> must contain only elements');
      continue;
    }
    const integerField = INTEGER_ELEMENTS[name];
    const stringField = STRING_ELEMENTS[name];
    if (integerField === undefined && stringField === undefined) {
      throw new LegacyEventError(`Unknown element <${name}>`);
    }
    if (seen.has(name)) throw new LegacyEventError(`<${name}> is given more than once`);
    seen.add(name);
    const text = leafText(name, children(node, name));
    // Rails' XML parameters mark an explicit null with nil="true" (the legacy GET shows it).
    const isNil = node[':@']?.nil === 'true';
    if (stringField !== undefined) {
      fields[stringField] = isNil ? null : text;
      continue;
    }
    if (isNil || text.trim() === '') continue;
    const value = text.trim();
    if (!/^[+-]?\d+$/.test(value)) throw new LegacyEventError(`<${name}> must be an integer`);
    const number = Number(value);
    if (number > MAX_INTEGER) throw new LegacyEventError(`Integer value must be <= ${MAX_INTEGER}`);
    if (number < MIN_INTEGER) throw new LegacyEventError(`Integer value must be >= ${MIN_INTEGER}`);
    if (integerField === 'account_id') accountId = number;
    else if (integerField === 'event_type_id') eventTypeId = number;
    else if (integerField !== undefined) fields[integerField] = number;
  }
  if (eventTypeId === null) throw new LegacyEventError('<event-type-id> is required');
  if (!knownEventTypeIds.has(eventTypeId)) {
    throw new LegacyEventError(`<event-type-id> ${eventTypeId} is not a known event type`);
  }
  fields.event_type_id = eventTypeId;
  return { fields, accountId };
}
