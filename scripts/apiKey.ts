/**
 * Makes an API key for AUTH_API_KEYS_FILE: prints the key (give it to the
 * service, once; it is not stored) and the file entry holding only its SHA-256.
 *
 *   npm run api-key -- --name siem-exporter --scopes events:read[,provisioning:read] [--user-id 123]
 */
import { createHash, randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';

import { ALL_SCOPES, isScope } from '../src/auth/scopes';

function fail(message: string): never {
  process.stderr.write(
    `${message}\nUsage: npm run api-key -- --name <name> --scopes <scope,...> [--user-id <id>]\n`,
  );
  process.exit(2);
}

const { values } = parseArgs({
  options: {
    name: { type: 'string' },
    scopes: { type: 'string' },
    'user-id': { type: 'string' },
    help: { type: 'boolean' },
  },
  strict: true,
});
if (values.help) {
  process.stdout.write(
    `Makes an API key for AUTH_API_KEYS_FILE.\n\n` +
      `  npm run api-key -- --name <name> --scopes <scope,...> [--user-id <OneLogin user id>]\n\n` +
      `Scopes: ${ALL_SCOPES.join(', ')}.\n` +
      'Prints the key (stderr) and the entry to add to the file\'s "keys" list (stdout).\n',
  );
  process.exit(0);
}
const name = values.name ?? fail('--name is required.');
if (!/^[A-Za-z0-9._-]{1,64}$/.test(name))
  fail('--name must be 1 to 64 letters, digits, dots, dashes or underscores.');
const scopes = (values.scopes ?? fail('--scopes is required.'))
  .split(',')
  .map((scope) => scope.trim());
const unknown = scopes.filter((scope) => !isScope(scope));
if (unknown.length > 0) fail(`Unknown scope ${unknown.join(', ')}: use ${ALL_SCOPES.join(', ')}.`);
const userId = values['user-id'];
if (userId !== undefined && !/^[1-9]\d{0,9}$/.test(userId))
  fail('--user-id must be a OneLogin user id.');

// 32 random bytes, base64url, with a prefix that says what it is (and no dot: never taken for a JWT).
const key = `olgw_${randomBytes(32).toString('base64url')}`;
const entry = {
  name,
  sha256: createHash('sha256').update(key, 'utf8').digest('hex'),
  scopes,
  ...(userId ? { userId } : {}),
};
process.stderr.write(
  `API key for ${name} (shown once; store it as a secret):\n${key}\n\nEntry for AUTH_API_KEYS_FILE:\n`,
);
process.stdout.write(`${JSON.stringify(entry, null, 2)}\n`);
