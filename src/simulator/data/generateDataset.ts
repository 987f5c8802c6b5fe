import { createRandom } from '../createRandom';
import type { Random } from '../createRandom';
import type { EventRecord, FailedProvisioningRecord } from '../types';
import { createDirectory, randomIpv4, randomIpv6 } from './createDirectory';
import type { App, Directory, Entity, Person } from './createDirectory';
import { createEventRecord, emptyEventFields } from './eventFields';
import type { EventFields } from './eventFields';

export interface DatasetOptions {
  seed: number;
  /** Epoch ms; every generated instant is in [now - 30 days, now). */
  now: number;
  eventCount: number;
  failedProvisioningCount: number;
  accountId: number;
  /** Every event type id the catalogue knows, for the long tail of rare events. */
  eventTypeIds: readonly number[];
}

export interface Dataset {
  directory: Directory;
  /** Ascending id and, equally, ascending created_at. */
  events: EventRecord[];
  /** Ascending created_at. */
  failedProvisionings: FailedProvisioningRecord[];
}

export const DATA_WINDOW_MS = 30 * 24 * 3_600_000;

/** The account's zone for "office hours": UTC-7 all year (America/Phoenix, no DST). */
const ACCOUNT_UTC_OFFSET_MS = -7 * 3_600_000;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

interface Draft {
  at: number;
  fields: EventFields;
}

interface Scenario {
  weight: number;
  run(context: ScenarioContext): void;
}

interface ScenarioContext {
  random: Random;
  directory: Directory;
  /** A start instant for the scenario, weighted to office hours. */
  start: number;
  person(): Person;
  admin(): Person;
  emit(at: number, fields: EventFields): void;
  nextSyncRunId(): number;
  eventTypeIds: readonly number[];
}

function withUser(fields: EventFields, person: Person): EventFields {
  fields.user_id = person.id;
  fields.user_name = person.displayName;
  return fields;
}

function withActor(fields: EventFields, person: Person): EventFields {
  fields.actor_user_id = person.id;
  fields.actor_user_name = person.displayName;
  return fields;
}

function withApp(fields: EventFields, app: App): EventFields {
  fields.app_id = app.id;
  fields.app_name = app.name;
  return fields;
}

function withRole(fields: EventFields, role: Entity): EventFields {
  fields.role_id = role.id;
  fields.role_name = role.name;
  return fields;
}

function withGroup(fields: EventFields, group: Entity): EventFields {
  fields.group_id = group.id;
  fields.group_name = group.name;
  return fields;
}

function withOtpDevice(fields: EventFields, person: Person): EventFields {
  if (person.otpDevice) {
    fields.otp_device_id = person.otpDevice.id;
    fields.otp_device_name = person.otpDevice.name;
  }
  return fields;
}

/** An event `person` caused about themself, from `ip`. */
function selfEvent(eventTypeId: number, person: Person, ip: string | null): EventFields {
  const fields = withActor(withUser(emptyEventFields(eventTypeId), person), person);
  fields.ipaddr = ip;
  return fields;
}

/** An event `actor` caused about `person`. */
function adminEvent(eventTypeId: number, actor: Person, person: Person): EventFields {
  const fields = withActor(withUser(emptyEventFields(eventTypeId), person), actor);
  fields.ipaddr = actor.homeIp;
  return fields;
}

function loginIp(context: ScenarioContext, person: Person): string {
  const { random, directory } = context;
  if (random.chance(0.55)) return random.pick(directory.officeIps);
  if (random.chance(0.85)) return person.homeIp;
  return random.chance(0.15) ? randomIpv6(random) : randomIpv4(random);
}

const RISK_REASONS: ReadonlyArray<(ip: string, random: Random) => string> = [
  (ip) => `Infrequent access from ${ip}`,
  () => 'Low trust for session',
  () => 'New device',
  () => 'Unusual time of access',
  (_ip, random) =>
    `Unusual location: ${random.pick(['Lagos, NG', 'Sao Paulo, BR', 'Bucharest, RO', 'Hanoi, VN', 'Denver, US', 'Dublin, IE'])}`,
  () => 'Anonymous proxy detected',
  () => 'Impossible travel',
];

/**
 * Smart MFA risk: 0-100 with the score split over one to three newline-separated reasons, in
 * the format of the sample ("Infrequent access from 73.68.253.46 (13%)\nLow trust for session (15%)").
 */
function assessRisk(
  random: Random,
  ip: string,
): { score: number; reasons: string | null; resolution: string | null } {
  const band = random.weighted([
    [[0, 0], 30],
    [[1, 20], 45],
    [[21, 50], 17],
    [[51, 80], 6],
    [[81, 100], 2],
  ] as const);
  const score = random.int(band[0], band[1]);
  if (score === 0) return { score, reasons: null, resolution: null };
  const count = Math.min(score, random.int(1, 3));
  const shares = Array.from({ length: count }, () => 0.3 + random.next());
  const total = shares.reduce((sum, share) => sum + share, 0);
  const parts = shares.map((share) => Math.max(1, Math.floor((score * share) / total)));
  parts[0] = score - parts.slice(1).reduce((sum, part) => sum + part, 0);
  if ((parts[0] as number) < 1) parts.splice(0, parts.length, score);
  const picked = new Set<number>();
  const reasons = parts.map((part) => {
    let index = random.int(0, RISK_REASONS.length - 1);
    while (picked.has(index)) index = (index + 1) % RISK_REASONS.length;
    picked.add(index);
    return `${(RISK_REASONS[index] as (ip: string, random: Random) => string)(ip, random)} (${part}%)`;
  });
  // The meaning of `resolution` is undocumented (API.md §3.1); the simulator uses it for an
  // admin's verdict on a risky login, so that the filter has something to find.
  const resolution = score > 60 && random.chance(0.5) ? random.pick(['safe', 'unsafe']) : null;
  return { score, reasons: reasons.join('\n'), resolution };
}

function loginEvent(
  context: ScenarioContext,
  eventTypeId: number,
  person: Person,
  ip: string,
): EventFields {
  const { random } = context;
  const fields = selfEvent(eventTypeId, person, ip);
  const risk = assessRisk(random, ip);
  fields.risk_score = risk.score;
  fields.risk_reasons = risk.reasons;
  fields.resolution = risk.resolution;
  fields.risk_cookie_id = random.chance(0.9) ? person.riskCookieId : null;
  fields.browser_fingerprint = random.chance(0.92) ? person.browserFingerprint : random.hex(32);
  if (random.chance(0.03)) fields.proxy_ip = randomIpv4(random);
  return fields;
}

const SAML_NOTES = [
  'Initiated by OneLogin via SAML',
  'Initiated by OneLogin via SAML',
  'Initiated by app via SAML',
  'Initiated by OneLogin via OpenID Connect',
  'Initiated by OneLogin via form-based authentication',
];

/** A OneLogin session: sometimes a failed attempt, the login, app launches, sometimes a logout. */
const session: Scenario = {
  weight: 42,
  run(context) {
    const { random, directory, start, emit } = context;
    const person = context.person();
    const ip = loginIp(context, person);
    if (random.chance(0.12)) {
      const failed = loginEvent(context, 6, person, ip);
      failed.notes = random.pick(['Incorrect password.', 'Invalid OTP.', 'Incorrect password.']);
      emit(start - random.int(10_000, 4 * MINUTE), failed);
    }
    const login = loginEvent(context, 5, person, ip);
    const usedOtp = person.otpDevice !== null && random.chance(0.6);
    login.notes = usedOtp
      ? `Authentication method: password + ${person.otpDevice?.name ?? 'OTP'}.`
      : 'Authentication method: password.';
    if (usedOtp) withOtpDevice(login, person);
    login.policy_id = random.chance(0.3) ? person.policy.id : null;
    login.policy_name = login.policy_id === null ? null : person.policy.name;
    emit(start, login);
    const launches = random.weighted([
      [0, 20],
      [1, 30],
      [2, 25],
      [3, 15],
      [5, 10],
    ] as const);
    let at = start;
    for (let i = 0; i < launches; i++) {
      at += random.int(3_000, 50 * MINUTE);
      const app = random.pick(directory.apps);
      if (random.chance(0.03)) {
        const refused = withApp(selfEvent(9, person, ip), app);
        refused.notes = random.pick(['User is not assigned to this app', 'Policy denied access']);
        emit(at, refused);
        continue;
      }
      const launch = withApp(selfEvent(8, person, ip), app);
      launch.notes = random.pick(SAML_NOTES);
      emit(at, launch);
      if (random.chance(0.04))
        emit(at + random.int(MINUTE, HOUR), withApp(selfEvent(29, person, ip), app));
    }
    if (random.chance(0.35)) emit(at + random.int(10 * MINUTE, 9 * HOUR), selfEvent(7, person, ip));
  },
};

/** Someone guessing a password from one address; ends in a lock now and then. */
const failedLoginBurst: Scenario = {
  weight: 2.5,
  run(context) {
    const { random, start, emit } = context;
    const person = context.person();
    const ip = random.chance(0.2) ? randomIpv6(random) : randomIpv4(random);
    const attempts = random.int(2, 7);
    let at = start;
    for (let i = 0; i < attempts; i++) {
      const failed = loginEvent(context, 6, person, ip);
      failed.notes = random.pick([
        'Incorrect password.',
        'User does not exist.',
        'Incorrect password.',
      ]);
      emit(at, failed);
      at += random.int(2_000, 90_000);
    }
    if (attempts >= 5 && random.chance(0.6)) {
      const locked = withUser(emptyEventFields(19), person);
      locked.ipaddr = ip;
      emit(at, locked);
      if (random.chance(0.7))
        emit(at + random.int(5 * MINUTE, 3 * HOUR), adminEvent(12, context.admin(), person));
    }
  },
};

/** Admin work on accounts: create (with role and app provisioning), update, suspend, delete. */
const accountAdministration: Scenario = {
  weight: 5,
  run(context) {
    const { random, directory, start, emit } = context;
    const admin = context.admin();
    const person = context.person();
    const kind = random.weighted([
      ['create', 3],
      ['update', 6],
      ['lifecycle', 2],
      ['password', 2],
    ] as const);
    if (kind === 'create') {
      const created = withGroup(adminEvent(13, admin, person), person.group);
      if (person.directory) created.directory_id = person.directory.id;
      emit(start, created);
      emit(start + random.int(2_000, 60_000), withRole(adminEvent(4, admin, person), person.role));
      let at = start + 60_000;
      for (const app of directory.provisionedApps.slice(0, random.int(1, 3))) {
        at += random.int(5_000, 120_000);
        emit(at, withApp(withUser(emptyEventFields(51), person), app));
      }
      return;
    }
    if (kind === 'update') {
      const updated = adminEvent(14, admin, person);
      // Some updates move the person to another group.
      emit(start, random.chance(0.3) ? withGroup(updated, random.pick(directory.groups)) : updated);
      return;
    }
    if (kind === 'password') {
      if (random.chance(0.5)) {
        emit(start, selfEvent(10, person, person.homeIp));
        emit(start + random.int(MINUTE, HOUR), selfEvent(11, person, person.homeIp));
      } else {
        emit(start, adminEvent(11, admin, person));
      }
      return;
    }
    const eventTypeId = random.pick([15, 16, 17, 21, 32, 12, 115]);
    emit(start, adminEvent(eventTypeId, admin, person));
  },
};

/** Role and app-assignment changes, by hand and by mapping. */
const roleChanges: Scenario = {
  weight: 3,
  run(context) {
    const { random, directory, start, emit } = context;
    const admin = context.admin();
    const person = context.person();
    const role = random.pick(directory.roles);
    const eventTypeId = random.weighted([
      [147, 4],
      [148, 2],
      [149, 3],
      [150, 1],
      [4, 3],
      [1, 1],
      [2, 0.5],
    ] as const);
    if (eventTypeId === 1 || eventTypeId === 2) {
      const fields = withRole(
        withApp(emptyEventFields(eventTypeId), random.pick(directory.apps)),
        role,
      );
      emit(start, withActor(fields, admin));
      return;
    }
    if (eventTypeId === 149 || eventTypeId === 150) {
      // Mappings act on their own: no acting user.
      emit(start, withRole(withUser(emptyEventFields(eventTypeId), person), role));
      return;
    }
    emit(start, withRole(adminEvent(eventTypeId, admin, person), role));
  },
};

const PROVISIONING_ERRORS: ReadonlyArray<(app: App, person: Person) => string> = [
  (app) => `The connection timed out while provisioning to\nhttps://${app.host}/api/users`,
  (app) =>
    `Insufficient permissions for the provisioning account.\nSee https://${app.host}/admin/api for details`,
  (app, person) => `User ${person.username} already exists in ${app.name}`,
  (app) => `HTTP 429 Too Many Requests from https://${app.host}/api\nThe request will be retried`,
  () => 'Invalid value for attribute "department".\nExpected one of: Engineering, Sales, Finance',
];

/** Provisioning to apps: mostly success, sometimes a failure with a multi-line explanation. */
const provisioning: Scenario = {
  weight: 4,
  run(context) {
    const { random, directory, start, emit } = context;
    const person = context.person();
    const app = random.pick(directory.provisionedApps);
    const eventTypeId = random.weighted([
      [52, 8],
      [51, 3],
      [53, 1],
      [54, 1],
      [55, 1],
      [65, 1.5],
      [64, 1],
      [61, 0.4],
      [63, 0.3],
      [25, 0.8],
      [26, 2],
    ] as const);
    const fields = withApp(withUser(emptyEventFields(eventTypeId), person), app);
    if ([25, 61, 63, 64, 65].includes(eventTypeId)) {
      fields.error_description = random.pick(PROVISIONING_ERRORS)(app, person);
    }
    emit(start, fields);
  },
};

/** MFA device registration, verification, removal. */
const mfa: Scenario = {
  weight: 3,
  run(context) {
    const { random, start, emit } = context;
    const person = context.person();
    if (!person.otpDevice) return;
    const eventTypeId = random.weighted([
      [22, 3],
      [1400, 3],
      [24, 1],
      [40, 0.5],
      [36, 0.3],
    ] as const);
    emit(start, withOtpDevice(selfEvent(eventTypeId, person, loginIp(context, person)), person));
  },
};

/** A directory synchronisation run: started, users imported or updated, finished. */
const directorySync: Scenario = {
  weight: 0.8,
  run(context) {
    const { random, directory, start, emit } = context;
    const source = random.pick(directory.directories);
    const runId = context.nextSyncRunId();
    const marker = (eventTypeId: number): EventFields => {
      const fields = emptyEventFields(eventTypeId);
      fields.directory_id = source.id;
      fields.directory_sync_run_id = runId;
      return fields;
    };
    emit(start, marker(113));
    let at = start;
    const members = directory.people.filter((person) => person.directory?.id === source.id);
    for (let i = random.int(0, 4); i > 0 && members.length > 0; i--) {
      at += random.int(1_000, 20_000);
      emit(at, withUser(marker(random.pick([48, 81, 81, 80])), random.pick(members)));
    }
    emit(at + random.int(2_000, 60_000), marker(114));
  },
};

/** Calls made with API credentials: the events carry the credential's client_id. */
const apiCalls: Scenario = {
  weight: 3,
  run(context) {
    const { random, directory, start, emit } = context;
    const client = random.pick(directory.apiClients);
    const person = context.person();
    const eventTypeId = random.weighted([
      [529, 5],
      [533, 1],
      [513, 1.5],
      [514, 0.5],
      [515, 1],
      [122, 2],
      [123, 0.5],
      [516, 0.3],
      [532, 0.3],
    ] as const);
    const fields = adminEvent(eventTypeId, client.owner, person);
    fields.client_id = client.clientId;
    if (eventTypeId === 513 || eventTypeId === 514) withRole(fields, random.pick(directory.roles));
    emit(start, fields);
  },
};

/** An admin assumes a user and launches an app as them. */
const assumeUser: Scenario = {
  weight: 0.4,
  run(context) {
    const { random, directory, start, emit } = context;
    const admin = context.admin();
    const person = context.person();
    emit(start, adminEvent(3, admin, person));
    const launch = withApp(selfEvent(8, person, admin.homeIp), random.pick(directory.apps));
    launch.assuming_acting_user_id = admin.id;
    launch.notes = 'Initiated by OneLogin via SAML';
    emit(start + random.int(5_000, 120_000), launch);
  },
};

/** VPN and Wi-Fi logins through RADIUS. */
const radius: Scenario = {
  weight: 1,
  run(context) {
    const { random, start, emit } = context;
    const person = context.person();
    emit(start, selfEvent(random.chance(0.85) ? 68 : 69, person, loginIp(context, person)));
  },
};

/**
 * The event types the scenarios above produce, with the fields each one is about; the long tail
 * leaves them out so that, say, every app login names its app.
 */
const SCENARIO_EVENT_TYPE_IDS = new Set([
  1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 19, 21, 22, 24, 25, 26, 29, 32, 36, 40,
  48, 51, 52, 53, 54, 55, 61, 63, 64, 65, 68, 69, 80, 81, 113, 114, 115, 122, 123, 147, 148, 149,
  150, 513, 514, 515, 516, 529, 532, 533, 1400,
]);

/** The long tail: any other event type, about someone, by an admin. */
const anything: Scenario = {
  weight: 1.5,
  run(context) {
    const { random, start, emit, eventTypeIds } = context;
    if (eventTypeIds.length === 0) return;
    emit(start, adminEvent(random.pick(eventTypeIds), context.admin(), context.person()));
  },
};

const SCENARIOS: readonly Scenario[] = [
  session,
  failedLoginBurst,
  accountAdministration,
  roleChanges,
  provisioning,
  mfa,
  directorySync,
  apiCalls,
  assumeUser,
  radius,
  anything,
];

/** Picks items in proportion to a weight, in O(log n). */
function weightedPicker<T>(random: Random, items: readonly T[], weight: (item: T) => number) {
  const cumulative: number[] = [];
  let total = 0;
  for (const item of items) {
    total += weight(item);
    cumulative.push(total);
  }
  return (): T => {
    const roll = random.next() * total;
    let low = 0;
    let high = cumulative.length - 1;
    while (low < high) {
      const middle = (low + high) >> 1;
      if ((cumulative[middle] as number) > roll) high = middle;
      else low = middle + 1;
    }
    return items[low] as T;
  };
}

/** An instant in the window, three times likelier in office hours and rarer at weekends. */
function officeHoursSampler(random: Random, now: number) {
  return (): number => {
    for (;;) {
      const at = now - 1 - Math.floor(random.next() * DATA_WINDOW_MS);
      // Arithmetic rather than a Date per draw: this runs some 30 000 times at start-up.
      const local = at + ACCOUNT_UTC_OFFSET_MS;
      const hour = Math.floor((((local % DAY) + DAY) % DAY) / HOUR);
      const weekday = (((Math.floor(local / DAY) + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday
      const workday = weekday !== 0 && weekday !== 6;
      const weight =
        (hour >= 8 && hour < 18 ? 1 : hour >= 6 && hour < 22 ? 0.35 : 0.08) * (workday ? 1 : 0.25);
      if (random.next() < weight) return at;
    }
  };
}

const PROVISIONING_FAILURES: ReadonlyArray<(person: Person, app: App) => string> = [
  () => 'Internal provisioning error',
  (person, app) => `${person.displayName} could not be reactivated in ${app.name}`,
  (person, app) => `${person.displayName} could not be created in ${app.name}`,
  (person, app) => `${person.displayName} could not be updated in ${app.name}`,
  (person, app) => `${person.displayName} could not be suspended in ${app.name}`,
  (person, app) => `${person.displayName} could not be deleted in ${app.name}`,
];

function generateFailedProvisionings(
  random: Random,
  directory: Directory,
  now: number,
  count: number,
): FailedProvisioningRecord[] {
  const sample = officeHoursSampler(random, now);
  const apps = directory.provisionedApps;
  const loginIds = new Map<string, number>();
  const drafts = Array.from({ length: count }, () => {
    const person = random.pick(directory.people);
    const app = random.pick(apps);
    const key = `${person.id}:${app.id}`;
    let loginId = loginIds.get(key);
    if (loginId === undefined) {
      loginId = 100_000_000 + loginIds.size * 1_000 + random.int(1, 999);
      loginIds.set(key, loginId);
    }
    // Whole seconds: the wire format has no milliseconds.
    const at = Math.floor(sample() / 1000) * 1000;
    const record: FailedProvisioningRecord = {
      login_id: loginId,
      // API.md §8.3 reads `id` as the app's id (the seed's field table, by position).
      id: app.id,
      created_at: new Date(at).toISOString(),
      error_description: random.chance(0.35) ? null : random.pick(PROVISIONING_ERRORS)(app, person),
      description: random.pick(PROVISIONING_FAILURES)(person, app),
      user: {
        email: person.email,
        username: person.username,
        id: person.id,
        lastname: person.lastname,
        firstname: person.firstname,
      },
    };
    return { at, record };
  });
  drafts.sort((a, b) => a.at - b.at);
  return drafts.map((draft) => draft.record);
}

/** The whole data set, deterministic from (seed, now). */
export function generateDataset(options: DatasetOptions): Dataset {
  const { now, eventCount, accountId } = options;
  const random = createRandom(options.seed, 'data');
  const directory = createDirectory(random);
  const sampleTime = officeHoursSampler(random, now);
  const pickScenario = weightedPicker(random, SCENARIOS, (scenario) => scenario.weight);
  const pickPerson = weightedPicker(random, directory.people, (person) => person.activity);
  let syncRunId = 7_400_000 + random.int(0, 500_000);

  const drafts: Draft[] = [];
  const earliest = now - DATA_WINDOW_MS;
  const context: ScenarioContext = {
    random,
    directory,
    start: now,
    person: pickPerson,
    admin: () => random.pick(directory.admins),
    emit(at, fields) {
      if (at >= earliest && at < now && drafts.length < eventCount) drafts.push({ at, fields });
    },
    nextSyncRunId: () => (syncRunId += random.int(1, 40)),
    eventTypeIds: options.eventTypeIds.filter((id) => !SCENARIO_EVENT_TYPE_IDS.has(id)),
  };
  while (drafts.length < eventCount) {
    context.start = sampleTime();
    pickScenario().run(context);
  }
  drafts.sort((a, b) => a.at - b.at);

  // Ids in the hundreds of millions, like the live service's (904257546 in the cursor sample),
  // with gaps because other accounts share the sequence; the span stays below 2^31.
  const maxGap = Math.max(1, Math.min(3_000, Math.floor(600_000_000 / Math.max(1, eventCount))));
  let id = 700_000_000 + random.int(0, 150_000_000);
  const events = drafts.map((draft) => {
    id += random.int(1, maxGap);
    return createEventRecord(id, draft.at, accountId, draft.fields);
  });

  return {
    directory,
    events,
    failedProvisionings: generateFailedProvisionings(
      createRandom(options.seed, 'failed-provisionings'),
      directory,
      now,
      options.failedProvisioningCount,
    ),
  };
}
