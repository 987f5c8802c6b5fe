/**
 * Prints a demo access token for the gateway in demo mode, signed locally with the simulator's
 * public demo key (no server needed):
 *
 *   tsx scripts/token.ts --user <id> --scopes events:read:self[,provisioning:read] [--expires-in 3600]
 *   tsx scripts/token.ts --list-users
 *   tsx scripts/token.ts --help
 *
 * The token is what OneLogin would issue for the gateway's audience after a login; only a gateway
 * in demo mode trusts its key.
 */
import { parseArgs } from 'node:util';
import { createRandom } from '../src/simulator/createRandom';
import { createDirectory } from '../src/simulator/data/createDirectory';
import type { Directory, Person } from '../src/simulator/data/createDirectory';
import { ALL_SCOPES } from '../src/auth/scopes';
import { DEMO_OIDC_AUDIENCE, DEMO_OIDC_ISSUER, signDemoToken } from '../src/simulator';

/** The scopes a newcomer needs, with what each lets the token's holder read or do. */
export const GATEWAY_SCOPES: ReadonlyArray<readonly [string, string]> = [
  ['events:read', 'every event, event type, and User.events of any user'],
  ['events:read:self', "only the events whose userId is the token's user (its sub); event types"],
  ['provisioning:read', 'failedProvisionings (the legacy API)'],
  ['events:write', 'createEvent'],
];

/** Every scope the gateway honours (src/auth/scopes.ts): what --scopes accepts. */
const KNOWN_SCOPES: ReadonlySet<string> = new Set<string>(ALL_SCOPES);

const MAX_EXPIRES_IN = 31_536_000;
const LISTED_USERS = 10;

export class UsageError extends Error {}

export interface TokenRequest {
  kind: 'token';
  userId: string;
  scopes: string[];
  expiresInSeconds: number;
  seed: number;
  issuer: string;
  audience: string;
}

export type Command = TokenRequest | { kind: 'help' } | { kind: 'list-users'; seed: number };

export function usage(): string {
  const scopeWidth = Math.max(...GATEWAY_SCOPES.map(([scope]) => scope.length)) + 4;
  return [
    'Usage: tsx scripts/token.ts --user <id> --scopes <scope>[,<scope>…] [--expires-in <seconds>]',
    '       tsx scripts/token.ts --list-users',
    '',
    "Prints an access token for the gateway's demo mode, shaped like a OneLogin OIDC access",
    `token (iss ${DEMO_OIDC_ISSUER}, aud ${DEMO_OIDC_AUDIENCE},`,
    'sub = the user id, scope = the scopes), signed locally with the PUBLIC demo key of the',
    'simulator: only a gateway in demo mode trusts it.',
    '',
    'Flags:',
    '  --user <id>              a user of the demo directory (--list-users shows some)',
    '  --scopes <list>          comma-separated scopes, from the list below',
    '  --expires-in <seconds>   lifetime of the token (default: 3600)',
    '  --list-users             print some demo user ids with their names (also without --user)',
    '  --seed <n>               seed of the demo directory (default: DEMO_SEED, else 1)',
    `  --issuer <url>           the token's iss (default: ${DEMO_OIDC_ISSUER})`,
    `  --audience <aud>         the token's aud (default: ${DEMO_OIDC_AUDIENCE})`,
    '  --help                   print this help',
    '',
    'Scopes:',
    ...GATEWAY_SCOPES.map(([scope, meaning]) => `  ${scope.padEnd(scopeWidth)}${meaning}`),
    ...otherScopes(),
    '',
    'Send the token to the gateway in the Authorization header:',
    '  Authorization: Bearer <token>',
    'e.g.',
    '  TOKEN=$(tsx scripts/token.ts --user <id> --scopes events:read:self)',
    '  curl -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" \\',
    `    -d '{"query":"{ __typename }"}' http://localhost:4000/graphql`,
  ].join('\n');
}

/** A line naming the scopes the gateway knows beyond the four above, if any. */
function otherScopes(): string[] {
  const described = new Set(GATEWAY_SCOPES.map(([scope]) => scope));
  const others = [...KNOWN_SCOPES].filter((scope) => !described.has(scope));
  return others.length === 0 ? [] : [`  (the gateway also knows: ${others.join(', ')})`];
}

function integer(name: string, raw: string, min: number, max: number): number {
  if (!/^\d+$/.test(raw.trim()) || Number(raw) < min || Number(raw) > max) {
    throw new UsageError(`${name} must be a whole number from ${min} to ${max}, not "${raw}"`);
  }
  return Number(raw);
}

/** The demo simulator's seed, read as the gateway reads DEMO_SEED (src/config/loadConfig.ts). */
function seedFrom(flag: string | undefined, env: NodeJS.ProcessEnv): number {
  if (flag !== undefined) return integer('--seed', flag, 0, 2 ** 31 - 1);
  const raw = env['DEMO_SEED']?.trim();
  if (raw === undefined || raw === '') return 1;
  return integer('DEMO_SEED', raw, 0, 2 ** 31 - 1);
}

/** What to do, from command-line arguments; throws UsageError on bad ones. */
export function parseTokenArguments(argv: string[], env: NodeJS.ProcessEnv = {}): Command {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        user: { type: 'string' },
        scopes: { type: 'string' },
        'expires-in': { type: 'string' },
        'list-users': { type: 'boolean' },
        seed: { type: 'string' },
        issuer: { type: 'string' },
        audience: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return { kind: 'help' };
  const seed = seedFrom(values.seed, env);
  if (values['list-users']) return { kind: 'list-users', seed };
  if (values.user === undefined) {
    if (values.scopes !== undefined || values['expires-in'] !== undefined) {
      throw new UsageError('--user is required (--list-users shows some demo users)');
    }
    return { kind: 'list-users', seed };
  }
  const userId = values.user.trim();
  if (userId === '') throw new UsageError('--user must not be empty');
  if (values.scopes === undefined) {
    throw new UsageError(`--scopes is required: one or more of ${[...KNOWN_SCOPES].join(', ')}`);
  }
  const scopes = values.scopes
    .split(',')
    .map((scope) => scope.trim())
    .filter((scope) => scope !== '');
  if (scopes.length === 0) throw new UsageError('--scopes must name at least one scope');
  for (const scope of scopes) {
    if (!KNOWN_SCOPES.has(scope)) {
      throw new UsageError(
        `unknown scope "${scope}"; the gateway knows: ${[...KNOWN_SCOPES].join(', ')}`,
      );
    }
  }
  const expiresIn = values['expires-in'];
  return {
    kind: 'token',
    userId,
    scopes,
    expiresInSeconds:
      expiresIn === undefined ? 3600 : integer('--expires-in', expiresIn, 1, MAX_EXPIRES_IN),
    seed,
    issuer: values.issuer ?? DEMO_OIDC_ISSUER,
    audience: values.audience ?? DEMO_OIDC_AUDIENCE,
  };
}

/**
 * The people of the demo simulator's directory. generateDataset builds the directory with the
 * first draws of the seed's 'data' stream, before any event, so this is the same directory at a
 * fraction of the cost (test/simulator/oidc.test.ts checks the simulator accepts these ids).
 */
export function demoDirectory(seed: number): Directory {
  return createDirectory(createRandom(seed, 'data'));
}

function describePerson(person: Person): string {
  const name = person.firstname === '' ? person.email : `${person.displayName} <${person.email}>`;
  return `  ${String(person.id).padEnd(10)}${name}, ${person.role.name}`;
}

/** The most active people (most events), which make the best demo subjects. */
export function listUsers(seed: number): string {
  const directory = demoDirectory(seed);
  const people = [...directory.people]
    .filter((person) => person.firstname !== '')
    .sort((a, b) => b.activity - a.activity || a.id - b.id)
    .slice(0, LISTED_USERS);
  return [
    `Demo users (seed ${seed}; ${directory.people.length} in the directory, some of the most active):`,
    ...people.map(describePerson),
    '',
    'Get a token: tsx scripts/token.ts --user <id> --scopes events:read:self',
  ].join('\n');
}

async function main(): Promise<void> {
  let command: Command;
  try {
    command = parseTokenArguments(process.argv.slice(2), process.env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\n\nRun with --help for usage.\n`);
    process.exitCode = 2;
    return;
  }
  if (command.kind === 'help') {
    process.stdout.write(`${usage()}\n`);
    return;
  }
  if (command.kind === 'list-users') {
    process.stdout.write(`${listUsers(command.seed)}\n`);
    return;
  }
  const directory = demoDirectory(command.seed);
  if (!directory.people.some((person) => String(person.id) === command.userId)) {
    process.stderr.write(
      `user ${command.userId} is not in the demo directory (seed ${command.seed}); ` +
        '--list-users shows some\n',
    );
    process.exitCode = 2;
    return;
  }
  const token = await signDemoToken({
    userId: command.userId,
    scopes: command.scopes,
    expiresInSeconds: command.expiresInSeconds,
    issuer: command.issuer,
    audience: command.audience,
  });
  process.stdout.write(`${token}\n`);
  if (process.stdout.isTTY) {
    process.stderr.write('Send it as the header  Authorization: Bearer <token>\n');
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  });
}
