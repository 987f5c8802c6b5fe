import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { create } from 'xmlbuilder2';
import { DEMO_CREDENTIALS, startSimulator } from '../../src/simulator';
import type { EventRecord, SimulatorHandle } from '../../src/simulator';
import {
  FIXED_NOW,
  LEGACY_AUTH,
  basic,
  call,
  getEvents,
  getToken,
  postLegacyEvent,
} from './helpers/simulatorClient';

/** Builds `<event>` with xmlbuilder2, the way a client library would. */
function eventXml(elements: Record<string, string>): string {
  const event = create({ version: '1.0', encoding: 'UTF-8' }).ele('event');
  for (const [name, value] of Object.entries(elements)) {
    // xmlbuilder2 writes a carriage return raw, and XML parsers must read a raw CR as LF
    // (XML 1.0 §2.11); a client that means CR sends the character reference.
    event.ele(name).txt(value.replace(/\r/g, '&#13;'));
  }
  return event.end({ prettyPrint: true });
}

function xmlError(status: number, message: string) {
  return {
    status,
    contentType: 'application/xml; charset=utf-8',
    text: `<?xml version="1.0" encoding="UTF-8"?>\n<errors>\n  <error>${message.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}</error>\n</errors>\n`,
  };
}

describe('POST /api/v1/events.xml', () => {
  let simulator: SimulatorHandle;
  let token: string;

  beforeAll(async () => {
    simulator = await startSimulator({ now: FIXED_NOW, eventCount: 500 });
    token = await getToken(simulator);
  });
  afterAll(() => simulator.close());

  const lastEvent = () => simulator.data.events().at(-1) as EventRecord;

  it('round-trips every kind of awkward text exactly', async () => {
    const awkward = {
      'user-name': 'Zoë Ångström-O’Brien & "Ops" <admin>',
      'custom-message':
        "line one\nline two\r\nline three\rtabs\there\t and ]]> and 'quotes' & <tags/>",
      'actor-user-name': '  leading and trailing spaces  ',
      'app-name': '日本語のアプリ 🚀',
      'role-name': '&amp; stays literal',
      ipaddr: '2001:db8::1',
      'group-name': '',
    };
    // The one value xmlbuilder2 cannot write faithfully is text that looks like an entity
    // (it leaves `&amp;` alone); escape it by hand so the element carries it literally.
    const xml = eventXml({ 'event-type-id': '9', ...awkward }).replace(
      '&amp; stays literal',
      '&amp;amp; stays literal',
    );
    const before = simulator.data.events().length;

    const answer = await postLegacyEvent(simulator, xml);
    const created = lastEvent();
    const listed = await getEvents(simulator, token, `id=${created.id}`);

    expect({ status: answer.status, text: answer.text }).toEqual({ status: 201, text: '' });
    expect(simulator.data.events()).toHaveLength(before + 1);
    expect({
      user_name: created.user_name,
      custom_message: created.custom_message,
      actor_user_name: created.actor_user_name,
      app_name: created.app_name,
      role_name: created.role_name,
      ipaddr: created.ipaddr,
      group_name: created.group_name,
    }).toEqual({
      user_name: awkward['user-name'],
      custom_message: awkward['custom-message'],
      actor_user_name: awkward['actor-user-name'],
      app_name: awkward['app-name'],
      role_name: awkward['role-name'],
      ipaddr: awkward.ipaddr,
      group_name: '',
    });
    expect(listed.data).toEqual([created]);
  });

  it('gives the event a higher id than any other, created_at now and the account id', async () => {
    const previous = simulator.data.events().slice(-1)[0] as EventRecord;
    const started = Date.now();

    await postLegacyEvent(simulator, eventXml({ 'event-type-id': '5', 'account-id': '1' }));
    const created = lastEvent();

    expect(created.id).toBeGreaterThan(previous.id);
    expect(Date.parse(created.created_at)).toBeGreaterThanOrEqual(started);
    expect(Date.parse(created.created_at)).toBeLessThanOrEqual(Date.now());
    expect(created.account_id).toBe(53413);
    expect(created.actor_system).toBe('');
  });

  it('keeps CDATA verbatim, decodes character references and drops comments', async () => {
    const xml =
      '<?xml version="1.0"?>\n<!-- a comment before -->\n<event>\n' +
      '  <event-type-id> 8 </event-type-id>\n' +
      '  <custom-message><![CDATA[<b>bold</b> & ]]]]><![CDATA[> done]]></custom-message>\n' +
      '  <user-name>A&#13;B&#xD;C&#233;&#x1F600;&lt;&gt;&amp;&apos;&quot;</user-name>\n' +
      '  <app-name>one<!-- hidden -->two</app-name>\n' +
      '  <role-name nil="true"></role-name>\n' +
      '  <user-id type="integer">88888</user-id>\n' +
      '</event>\n';

    expect((await postLegacyEvent(simulator, xml, 'text/xml; charset=utf-8')).status).toBe(201);
    expect(lastEvent()).toEqual(
      expect.objectContaining({
        event_type_id: 8,
        custom_message: '<b>bold</b> & ]]> done',
        user_name: 'A\rB\rCé😀<>&\'"',
        app_name: 'onetwo',
        role_name: null,
        user_id: 88888,
      }),
    );
  });

  it('reads a raw CRLF as LF, as XML requires', async () => {
    await postLegacyEvent(
      simulator,
      '<event><event-type-id>5</event-type-id><custom-message>a\r\nb</custom-message></event>',
    );

    expect(lastEvent().custom_message).toBe('a\nb');
  });

  it('leaves empty integer elements null and accepts integers up to 2147483647', async () => {
    await postLegacyEvent(
      simulator,
      eventXml({ 'event-type-id': '5', 'user-id': '', 'app-id': '2147483647', 'role-id': '-3' }),
    );

    expect(lastEvent()).toEqual(
      expect.objectContaining({ user_id: null, app_id: 2147483647, role_id: -3 }),
    );
  });

  it.each([
    ['no event-type-id', eventXml({ 'user-name': 'x' }), '<event-type-id> is required'],
    ['an empty event-type-id', eventXml({ 'event-type-id': ' ' }), '<event-type-id> is required'],
    [
      'an unknown event type',
      eventXml({ 'event-type-id': '4242' }),
      '<event-type-id> 4242 is not a known event type',
    ],
    ['a text integer', eventXml({ 'event-type-id': 'nine' }), '<event-type-id> must be an integer'],
    [
      'a decimal integer',
      eventXml({ 'event-type-id': '5', 'user-id': '1.5' }),
      '<user-id> must be an integer',
    ],
    [
      'an integer over int32',
      eventXml({ 'event-type-id': '5', 'group-id': '2147483648' }),
      'Integer value must be <= 2147483647',
    ],
    [
      'an unknown element',
      eventXml({ 'event-type-id': '5', notes: 'x' }),
      'Unknown element <notes>',
    ],
    [
      'an underscore name',
      eventXml({ 'event-type-id': '5', user_name: 'x' }),
      'Unknown element <user_name>',
    ],
    [
      'a repeated element',
      '<event><event-type-id>5</event-type-id><event-type-id>6</event-type-id></event>',
      '<event-type-id> is given more than once',
    ],
    [
      'a nested element',
      '<event><event-type-id>5</event-type-id><user-name><b>x</b></user-name></event>',
      '<user-name> must not contain <b>',
    ],
    [
      'text between elements',
      '<event>hello<event-type-id>5</event-type-id></event>',
      '<event> must contain only elements',
    ],
    [
      'another root element',
      '<events><event><event-type-id>5</event-type-id></event></events>',
      'The document must have a single <event> root element',
    ],
    [
      'two root elements',
      '<event><event-type-id>5</event-type-id></event><event/>',
      'The document must have a single <event> root element',
    ],
    ['an empty body', '', 'Malformed XML: Start tag expected. (line 1)'],
    ['JSON', '{"event_type_id":5}', "Malformed XML: char '{' is not expected. (line 1)"],
    [
      'an unclosed element',
      '<event><event-type-id>5</event-type-id>',
      "Malformed XML: Unclosed tag 'event'. (line 1)",
    ],
    [
      'a bare ampersand',
      '<event><event-type-id>5</event-type-id><user-name>A & B</user-name></event>',
      "Malformed XML: char '&' is not expected. (line 1)",
    ],
    [
      'an HTML entity',
      '<event><event-type-id>5</event-type-id><user-name>&eacute;</user-name></event>',
      'Malformed XML: invalid entity reference &eacute;',
    ],
    [
      'a reference to a character XML forbids',
      '<event><event-type-id>5</event-type-id><user-name>&#0;</user-name></event>',
      'Malformed XML: invalid entity reference &#0;',
    ],
    [
      'a DOCTYPE (entity expansion)',
      '<!DOCTYPE event [<!ENTITY a "aaaaaaaa">]><event><event-type-id>5</event-type-id><user-name>&a;</user-name></event>',
      'DOCTYPE declarations are not allowed',
    ],
  ])('answers 400 to %s', async (_name, xml, message) => {
    const before = simulator.data.events().length;
    const answer = await postLegacyEvent(simulator, xml);

    expect({
      status: answer.status,
      contentType: answer.headers.get('content-type'),
      text: answer.text,
    }).toEqual(xmlError(400, message));
    expect(simulator.data.events()).toHaveLength(before);
  });

  it.each([
    ['application/json', 415],
    ['text/plain', 415],
    ['', 415],
    ['application/xml; charset=utf-8', 201],
    ['TEXT/XML', 201],
  ])('with Content-Type "%s" answers %i', async (contentType, status) => {
    const answer = await call(simulator, '/api/v1/events.xml', {
      method: 'POST',
      headers:
        contentType === ''
          ? { Authorization: LEGACY_AUTH }
          : { Authorization: LEGACY_AUTH, 'Content-Type': contentType },
      body: '<event><event-type-id>5</event-type-id></event>',
    });

    expect(answer.status).toBe(status);
    if (status === 415)
      expect(answer.text).toBe(xmlError(415, 'Content-Type must be application/xml').text);
  });

  it.each([
    ['no credentials', undefined],
    ['a wrong key', basic('not-the-key', 'x')],
    ['a bearer token', 'Bearer abc'],
  ])('answers 401 to %s, as Rails HTTP Basic does', async (_name, authorization) => {
    const answer = await call(simulator, '/api/v1/events.xml', {
      method: 'POST',
      headers: {
        'Content-Type': 'application/xml',
        ...(authorization === undefined ? {} : { Authorization: authorization }),
      },
      body: '<event><event-type-id>5</event-type-id></event>',
    });

    expect({
      status: answer.status,
      text: answer.text,
      challenge: answer.headers.get('www-authenticate'),
    }).toEqual({
      status: 401,
      text: 'HTTP Basic: Access denied.\n',
      challenge: 'Basic realm="Application"',
    });
  });

  it('accepts the key with any password (the docs use "x" as a placeholder)', async () => {
    const answer = await call(simulator, '/api/v1/events.xml', {
      method: 'POST',
      headers: {
        Authorization: basic(DEMO_CREDENTIALS.apiKey, 'anything'),
        'Content-Type': 'application/xml',
      },
      body: '<event><event-type-id>5</event-type-id></event>',
    });

    expect(answer.status).toBe(201);
  });
});

describe('GET /api/v1/logins/failed_provisioning.json', () => {
  let simulator: SimulatorHandle;

  beforeAll(async () => {
    simulator = await startSimulator({
      now: FIXED_NOW,
      eventCount: 10,
      failedProvisioningCount: 300,
    });
  });
  afterAll(() => simulator.close());

  const failures = (query: string, authorization: string | null = LEGACY_AUTH) =>
    call(simulator, `/api/v1/logins/failed_provisioning.json${query}`, {
      headers: authorization === null ? {} : { Authorization: authorization },
    });

  it('includes failures created exactly at start_date and at stop_date', async () => {
    const items = simulator.data.failedProvisionings();
    const first = items[10]?.created_at as string;
    const last = items[20]?.created_at as string;
    const answer = await failures(
      `?start_date=${encodeURIComponent(first)}&stop_date=${encodeURIComponent(last)}`,
    );
    const ids = (answer.body as Array<{ login_id: number }>).map((item) => item.login_id);

    expect(ids).toEqual(
      items
        .filter((item) => item.created_at >= first && item.created_at <= last)
        .map((item) => item.login_id),
    );
    expect(ids.length).toBeGreaterThanOrEqual(11);
  });

  it('reads an offset whose + a client left unencoded', async () => {
    const encoded = await failures(
      '?start_date=2025-05-10T00:00:00%2B02:00&stop_date=2025-05-12T00:00:00Z',
    );
    const raw = await failures(
      '?start_date=2025-05-10T00:00:00+02:00&stop_date=2025-05-12T00:00:00Z',
    );

    expect(raw.status).toBe(200);
    expect(raw.text).toBe(encoded.text);
  });

  it('lists every failure over the whole window, oldest first', async () => {
    const answer = await failures(
      '?start_date=2025-04-01T00:00:00Z&stop_date=2025-07-01T00:00:00Z',
    );

    expect((answer.body as unknown[]).length).toBe(300);
    expect(simulator.data.failedProvisionings().map((item) => item.created_at)).toEqual(
      [...simulator.data.failedProvisionings().map((item) => item.created_at)].sort(),
    );
  });

  it.each([
    ['', 'start_date is required'],
    ['?start_date=2025-05-10T00:00:00Z', 'stop_date is required'],
    ['?start_date=&stop_date=2025-05-10T00:00:00Z', 'start_date is required'],
    [
      '?start_date=10/05/2025&stop_date=2025-05-10T00:00:00Z',
      'start_date must look like 2015-01-21T09:20:15-08:00 (YYYY-MM-DDThh:mm:ss followed by Z, +hh:mm or -hh:mm)',
    ],
    [
      '?start_date=2025-05-10T00:00:00Z&stop_date=2025-05-10T25:00:00Z',
      'stop_date must look like 2015-01-21T09:20:15-08:00 (YYYY-MM-DDThh:mm:ss followed by Z, +hh:mm or -hh:mm)',
    ],
    [
      '?start_date=2025-05-11T00:00:00Z&stop_date=2025-05-10T00:00:00Z',
      'start_date must not be after stop_date',
    ],
  ])('answers "%s" with 400 "%s"', async (query, message) => {
    const answer = await failures(query);

    expect({ status: answer.status, body: answer.body }).toEqual({
      status: 400,
      body: { status: { error: true, code: 400, type: 'bad request', message } },
    });
  });

  it('answers 401 without the key', async () => {
    const answer = await failures(
      '?start_date=2025-05-10T00:00:00Z&stop_date=2025-05-11T00:00:00Z',
      null,
    );

    expect([answer.status, answer.text]).toEqual([401, 'HTTP Basic: Access denied.\n']);
  });
});
