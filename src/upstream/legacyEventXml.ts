import { create } from 'xmlbuilder2';

import type { LegacyEventDto } from './legacyDto';
import { LEGACY_EVENT_ELEMENTS } from './legacyDto';

/**
 * The body of a legacy Create Event request (API.md §8.1): `<event>` with one
 * element per given value, built by xmlbuilder2 so that any text arrives at
 * OneLogin exactly as given.
 *
 * xmlbuilder2 (4.0.x) needs help with two characters:
 * - `&`: it leaves an ampersand unescaped when what follows looks like a
 *   reference (`&amp;`, `&#13;`, `AT&T;`), taking the text to be escaped
 *   already (its issues #105, #110, #117). Text here is never pre-escaped, so
 *   each `&` goes in as a text node of its own: nothing follows it there, and
 *   it is always written as `&amp;`.
 * - carriage return: it writes a CR as it is, and every XML parser reads a raw
 *   CR or CRLF as a line feed (XML 1.0 §2.11). Text is the only place a CR can
 *   occur in this document (no pretty printing, no attributes), so each CR of
 *   the output becomes the character reference `&#xD;`.
 *
 * Characters XML 1.0 cannot carry make it throw (`wellFormed`); the caller
 * checks text first (see createEventInput) so that the error names the field.
 */
export function legacyEventXml(event: LegacyEventDto): string {
  const root = create({ version: '1.0', encoding: 'UTF-8' }).ele('event');
  for (const element of LEGACY_EVENT_ELEMENTS) {
    const value = event[element];
    if (value === undefined) continue;
    const node = root.ele(element);
    for (const part of value.split(/(&)/)) {
      if (part !== '') node.txt(part);
    }
  }
  return root.end({ prettyPrint: false, wellFormed: true }).replace(/\r/g, '&#xD;');
}
