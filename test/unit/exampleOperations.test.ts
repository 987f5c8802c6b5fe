import { readFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from '@jest/globals';
import { parse, validate } from 'graphql';

import { buildSchema } from '../../src/server/createApolloServer';
import { EXAMPLE_OPERATIONS, exampleDocument } from '../../src/server/explorer/exampleOperations';

const schema = buildSchema();
const README = readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');

/** The `graphql` code blocks of the README's example operations, as written. */
function readmeExampleBlocks(): string[] {
  const start = README.indexOf('\nExample operations: ');
  const end = README.indexOf('\nThrough a federation router');
  expect(start).toBeGreaterThan(-1);
  expect(end).toBeGreaterThan(start);
  return [...README.slice(start, end).matchAll(/^```graphql\n([\s\S]*?)^```$/gm)].map(
    (match) => match[1] as string,
  );
}

describe("the explorers' example operations", () => {
  it('are the README’s, comments and all, in its order', () => {
    const blocks = readmeExampleBlocks();
    expect(blocks).toHaveLength(2);
    expect(exampleDocument()).toBe(blocks.join('\n'));
  });

  it.each(EXAMPLE_OPERATIONS.map((example) => [example.title, example] as const))(
    '%s validates against the schema',
    (_title, example) => {
      expect(validate(schema, parse(example.document))).toEqual([]);
    },
  );

  it('give every variable an operation declares a value to start from', () => {
    const now = new Date('2026-12-03T14:05:06.789Z');
    const declared = EXAMPLE_OPERATIONS.map((example) => ({
      title: example.title,
      required: parse(example.document).definitions.flatMap((definition) =>
        definition.kind === 'OperationDefinition'
          ? (definition.variableDefinitions ?? [])
              .filter((variable) => variable.type.kind === 'NonNullType')
              .map((variable) => variable.variable.name.value)
          : [],
      ),
      variables: example.variables?.(now) ?? {},
    }));
    expect(declared.map(({ title, required }) => ({ title, required }))).toEqual([
      { title: 'LatestFailedLogins', required: [] },
      { title: 'UserRiskThisWeek', required: ['userId', 'since'] },
      { title: 'Forwards and Backwards', required: [] },
      { title: 'FailedProvisionings', required: ['startDate', 'stopDate'] },
      { title: 'RecordDenial', required: [] },
    ]);
    expect(declared.map(({ variables }) => variables)).toEqual([
      {},
      { userId: '42230016', since: '2026-11-26T14:05:06Z' },
      {},
      { startDate: '2026-11-03T14:05:06Z', stopDate: '2026-12-03T14:05:06Z' },
      {},
    ]);
  });

  it('can sit in a <script> element as Apollo writes it (Sandbox escapes only the first <)', () => {
    expect(exampleDocument()).not.toMatch(/<\/|<!--/);
  });
});
