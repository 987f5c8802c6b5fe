// Regenerates the resolver types and fails when the committed file differs.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const file = 'src/__generated__/resolvers-types.ts';
const before = readFileSync(file, 'utf8');
execFileSync('npx', ['graphql-codegen', '--config', 'codegen.yml', '--silent'], {
  stdio: 'inherit',
});
const after = readFileSync(file, 'utf8');
if (before !== after) {
  console.error(`${file} is stale: run "npm run codegen" and commit the result.`);
  process.exit(1);
}
console.log('codegen: generated types are fresh');
