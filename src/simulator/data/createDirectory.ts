import type { Random } from '../createRandom';
import { FIRST_NAMES, LAST_NAMES } from './names';

/** The simulated tenant: who and what the events talk about. */
export interface Directory {
  subdomain: string;
  emailDomain: string;
  people: Person[];
  /** The people who act on others (create users, assign roles, …). */
  admins: Person[];
  apps: App[];
  /** The apps OneLogin provisions users to. */
  provisionedApps: App[];
  roles: Entity[];
  groups: Entity[];
  policies: Entity[];
  directories: Entity[];
  apiClients: ApiClient[];
  /** Egress addresses of the offices, shared by everyone working there. */
  officeIps: string[];
}

export interface Entity {
  id: number;
  name: string;
}

export interface App extends Entity {
  host: string;
  provisioned: boolean;
}

export type OtpDevice = Entity;

export interface ApiClient {
  clientId: string;
  name: string;
  owner: Person;
}

export interface Person {
  id: number;
  firstname: string;
  lastname: string;
  email: string;
  username: string;
  /** "First Last", or the email when both names are empty (API.md §3.3). */
  displayName: string;
  homeIp: string;
  otpDevice: OtpDevice | null;
  riskCookieId: string;
  browserFingerprint: string;
  role: Entity;
  group: Entity;
  policy: Entity;
  /** Set for people synchronised from a directory. */
  directory: Entity | null;
  /** Relative share of the events about this person. */
  activity: number;
}

const PERSON_COUNT = 400;
const ADMIN_COUNT = 12;

/** Accounts without first and last name: their events carry the email as display name. */
const NAMELESS_ACCOUNTS = [
  'it-helpdesk',
  'build-bot',
  'svc-backup',
  'reception',
  'contractor.ops',
  'qa-automation',
];

const APP_NAMES: ReadonlyArray<readonly [string, string, boolean]> = [
  ['Slack', 'lumenfield.slack.com', true],
  ['Google Workspace', 'admin.google.com', true],
  ['Microsoft 365', 'portal.office.com', true],
  ['Salesforce', 'lumenfield.my.salesforce.com', true],
  ['Zoom', 'lumenfield.zoom.us', true],
  ['GitHub Enterprise', 'github.com/enterprises/lumenfield', true],
  ['Jira Cloud', 'lumenfield.atlassian.net', false],
  ['Confluence', 'lumenfield.atlassian.net/wiki', false],
  ['AWS Console', 'lumenfield.signin.aws.amazon.com', false],
  ['Workday', 'wd5.myworkday.com/lumenfield', true],
  ['ServiceNow', 'lumenfield.service-now.com', false],
  ['Box', 'lumenfield.app.box.com', true],
  ['DocuSign', 'app.docusign.com', false],
  ['Zendesk', 'lumenfield.zendesk.com', true],
  ['Tableau', 'tableau.lumenfield.example.com', false],
  ['HubSpot', 'app.hubspot.com', false],
  ['Figma', 'www.figma.com', false],
  ['Notion', 'www.notion.so/lumenfield', false],
  ['Asana', 'app.asana.com', false],
  ['Expensify', 'www.expensify.com', false],
  ['SAP Concur', 'www.concursolutions.com', false],
  ['Dropbox Business', 'www.dropbox.com/team', true],
  ['Datadog', 'app.datadoghq.com', false],
  ['PagerDuty', 'lumenfield.pagerduty.com', false],
  ['Mobile Sales', 'sales.lumenfield.example.com', true],
  ['AppWonder', 'appwonder.lumenfield.example.com', false],
];

const ROLE_NAMES = [
  'Employees',
  'Engineering',
  'Sales',
  'Marketing',
  'Finance',
  'Human Resources',
  'Customer Support',
  'IT Administrators',
  'Contractors',
  'Executives',
  'Legal',
  'Security',
  'Interns',
];
const GROUP_NAMES = [
  'Default',
  'Headquarters',
  'Remote Workers',
  'EMEA',
  'APAC',
  'Contractors',
  'Privileged Access',
];
const POLICY_NAMES = [
  'Default policy',
  'Admin MFA policy',
  'Contractor policy',
  'Engineering policy',
  'Kiosk policy',
];
const DIRECTORY_NAMES = ['Active Directory (corp.lumenfield.local)', 'Google Workspace', 'Workday'];
const API_CLIENT_NAMES = ['HR sync', 'SIEM export', 'Provisioning bot'];
const OTP_FACTORS: ReadonlyArray<readonly [string, number]> = [
  ['OneLogin Protect', 40],
  ['Google Authenticator', 20],
  ['Yubico YubiKey', 10],
  ['SMS', 12],
  ['WebAuthn', 8],
  ['Email', 5],
  ['Duo Security', 5],
];

/** First octets of public IPv4 blocks used by ISPs and clouds, so addresses look real. */
const PUBLIC_FIRST_OCTETS = [
  23, 24, 50, 64, 66, 67, 68, 69, 71, 72, 73, 74, 75, 76, 96, 97, 98, 99, 104, 107, 108, 142, 173,
  174, 184, 185, 198, 199, 208, 209,
];

export function randomIpv4(random: Random): string {
  return [
    random.pick(PUBLIC_FIRST_OCTETS),
    random.int(0, 255),
    random.int(0, 255),
    random.int(1, 254),
  ].join('.');
}

export function randomIpv6(random: Random): string {
  const groups = ['2601', random.hex(3), random.hex(4), random.hex(4)];
  for (let i = 0; i < 4; i++) groups.push(random.hex(4).replace(/^0+(?=.)/, ''));
  return groups.join(':');
}

export function randomUuid(random: Random): string {
  return `${random.hex(8)}-${random.hex(4)}-4${random.hex(3)}-${random.pick(['8', '9', 'a', 'b'])}${random.hex(3)}-${random.hex(12)}`;
}

/** Distinct ids ascending from `start`, with random gaps. */
function ascendingIds(random: Random, count: number, start: number, maxGap: number): number[] {
  const ids: number[] = [];
  let id = start;
  for (let i = 0; i < count; i++) {
    id += random.int(1, maxGap);
    ids.push(id);
  }
  return ids;
}

function entities(random: Random, names: readonly string[], start: number, maxGap: number) {
  const ids = ascendingIds(random, names.length, start, maxGap);
  return names.map((name, index) => ({ id: ids[index] as number, name }));
}

export function createDirectory(random: Random): Directory {
  const subdomain = 'lumenfield';
  const emailDomain = 'lumenfield.example.com';
  const apps: App[] = entities(
    random,
    APP_NAMES.map(([name]) => name),
    300_000,
    90_000,
  ).map((app, index) => {
    const [, host, provisioned] = APP_NAMES[index] as readonly [string, string, boolean];
    return { ...app, host, provisioned };
  });
  const roles = entities(random, ROLE_NAMES, 140_000, 9_000);
  const groups = entities(random, GROUP_NAMES, 420_000, 9_000);
  const policies = entities(random, POLICY_NAMES, 180_000, 9_000);
  const directories = entities(random, DIRECTORY_NAMES, 51_000, 3_000);
  const officeIps = [randomIpv4(random), randomIpv4(random), randomIpv4(random)];

  const personIds = ascendingIds(
    random,
    PERSON_COUNT,
    30_000_000 + random.int(0, 9_000_000),
    60_000,
  );
  const otpIds = ascendingIds(random, PERSON_COUNT, 12_000_000 + random.int(0, 4_000_000), 9_000);
  const usedUsernames = new Set<string>();
  const people: Person[] = personIds.map((id, index) => {
    const nameless = index >= PERSON_COUNT - NAMELESS_ACCOUNTS.length;
    const firstname = nameless ? '' : random.pick(FIRST_NAMES);
    const lastname = nameless ? '' : random.pick(LAST_NAMES);
    let username = nameless
      ? (NAMELESS_ACCOUNTS[index - (PERSON_COUNT - NAMELESS_ACCOUNTS.length)] as string)
      : `${firstname.charAt(0)}${lastname.replace(/ /g, '')}`.toLowerCase();
    for (let suffix = 2; usedUsernames.has(username); suffix++) {
      username = `${username.replace(/\d+$/, '')}${suffix}`;
    }
    usedUsernames.add(username);
    const email = nameless
      ? `${username}@${emailDomain}`
      : `${firstname}.${lastname.replace(/ /g, '')}${username.match(/\d+$/)?.[0] ?? ''}@${emailDomain}`.toLowerCase();
    const isAdmin = index < ADMIN_COUNT;
    return {
      id,
      firstname,
      lastname,
      email,
      username,
      displayName: nameless ? email : `${firstname} ${lastname}`,
      homeIp: random.chance(0.1) ? randomIpv6(random) : randomIpv4(random),
      otpDevice:
        isAdmin || random.chance(0.75)
          ? { id: otpIds[index] as number, name: random.weighted(OTP_FACTORS) }
          : null,
      riskCookieId: randomUuid(random),
      browserFingerprint: random.hex(32),
      role: isAdmin ? (roles[7] as Entity) : random.pick(roles),
      group: random.pick(groups),
      policy: isAdmin ? (policies[1] as Entity) : random.pick(policies),
      directory: random.chance(0.7) ? random.pick(directories) : null,
      // A long tail: a few people generate many of the events, as in a real tenant.
      activity: nameless ? 0.3 : 0.2 + Math.pow(random.next(), 3) * 5,
    };
  });
  const admins = people.slice(0, ADMIN_COUNT);
  const apiClients = API_CLIENT_NAMES.map((name) => ({
    name,
    clientId: random.alphanumeric(64),
    owner: random.pick(admins),
  }));

  return {
    subdomain,
    emailDomain,
    people,
    admins,
    apps,
    provisionedApps: apps.filter((app) => app.provisioned),
    roles,
    groups,
    policies,
    directories,
    apiClients,
    officeIps,
  };
}
