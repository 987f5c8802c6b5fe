import { describe, expect, it } from '@jest/globals';
import { XMLParser, XMLValidator } from 'fast-xml-parser';

import type { LegacyEventDto } from '../../src/upstream/legacyDto';
import { legacyEventXml } from '../../src/upstream/legacyEventXml';

/** A conforming reader: entities and character references decoded once, raw CR/CRLF read as LF. */
const parser = new XMLParser({
  processEntities: true,
  htmlEntities: true,
  trimValues: false,
  parseTagValue: false,
  ignoreDeclaration: true,
});

function readBack(xml: string): Record<string, string> {
  expect(XMLValidator.validate(xml)).toBe(true);
  return (parser.parse(xml) as { event: Record<string, string> }).event;
}

describe('legacyEventXml', () => {
  it("writes the seed's sample request: one element per value, event-type-id first", () => {
    const xml = legacyEventXml({
      'event-type-id': '9',
      'account-id': '123456',
      'actor-user-id': '654321',
      'app-id': '11111',
      'policy-name': 'app-policy',
      ipaddr: '127.0.0.1',
      'user-name': 'Juniper Gonsales',
      'custom-message': 'sales app event',
    });
    expect(xml).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><event>' +
        '<event-type-id>9</event-type-id><account-id>123456</account-id>' +
        '<actor-user-id>654321</actor-user-id><app-id>11111</app-id>' +
        '<custom-message>sales app event</custom-message><ipaddr>127.0.0.1</ipaddr>' +
        '<policy-name>app-policy</policy-name><user-name>Juniper Gonsales</user-name>' +
        '</event>',
    );
  });

  it.each([
    ['markup characters', `a & b < c > d ]]> e "quoted" 'apostrophe'`],
    ['an escaped-looking ampersand', '&amp; is not &'],
    ['entity-looking text', 'AT&T; &copy; &lt;b&gt; &foo;'],
    ['character-reference-looking text', '&#13; &#xD; &#x41; &#65;'],
    ['CDATA and comment markers', '<![CDATA[x]]> <!-- y --> <?pi?>'],
    ['line feeds and tabs', 'line 1\nline 2\n\tindented'],
    ['a lone carriage return', 'before\rafter'],
    ['CRLF', 'line 1\r\nline 2\r\n'],
    ['non-ASCII', 'Zoë Ünal — 東京 Ω'],
    ['emoji (astral plane)', 'deploy 🚀 by 👩🏽‍💻'],
    ['leading and trailing spaces', '  padded  '],
    ['C1 controls and DEL, which XML 1.0 carries', 'a\u007fb\u0085c\u009fd'],
  ])('keeps %s exactly', (_name, text) => {
    const event: LegacyEventDto = {
      'event-type-id': '5',
      'custom-message': text,
      'user-name': text,
    };
    expect(readBack(legacyEventXml(event))).toEqual({
      'event-type-id': '5',
      'custom-message': text,
      'user-name': text,
    });
  });

  it('writes a carriage return as a character reference, since parsers turn a raw one into a line feed', () => {
    const xml = legacyEventXml({ 'event-type-id': '5', 'custom-message': 'a\rb\r\nc' });
    expect(xml).toContain('<custom-message>a&#xD;b&#xD;\nc</custom-message>');
  });

  it('refuses characters XML 1.0 cannot carry instead of writing a broken document', () => {
    expect(() => legacyEventXml({ 'event-type-id': '5', 'custom-message': 'bell\u0007' })).toThrow(
      'Text data contains invalid characters',
    );
  });
});
