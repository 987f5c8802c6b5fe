import { describe, expect, it } from '@jest/globals';
import { isUnionType } from 'graphql';

import { checkEntityRepresentations, ENTITY_TYPES } from '../../src/domain/entityRepresentations';
import { buildSchema } from '../../src/server/createApolloServer';

const ID_RULE = 'must be a OneLogin id: a whole number from 1 to 2147483647';
const ID_TYPE_RULE =
  'must be a OneLogin id, a whole number from 1 to 2147483647 as a string or an integer';

describe('checkEntityRepresentations: the representations `_entities` accepts', () => {
  it('names exactly the entity types of the schema', () => {
    const entity = buildSchema().getType('_Entity');
    if (!isUnionType(entity)) throw new Error('the schema has no _Entity union');
    expect(
      entity
        .getTypes()
        .map((type) => type.name)
        .sort(),
    ).toEqual([...ENTITY_TYPES].sort());
  });

  it.each<[string, unknown]>([
    ['no representations', []],
    ['an Event with a string id', [{ __typename: 'Event', id: '1' }]],
    ['an EventType with an integer id', [{ __typename: 'EventType', id: 5 }]],
    ['a User with the largest id', [{ __typename: 'User', id: '2147483647' }]],
    ['an id with leading zeros and spaces', [{ __typename: 'Event', id: ' 007 ' }]],
    ['extra fields', [{ __typename: 'User', id: '3', email: 'x@example.com', nested: { a: [] } }]],
    [
      'several types at once',
      [
        { __typename: 'Event', id: '1' },
        { __typename: 'EventType', id: '2' },
        { __typename: 'User', id: 3 },
      ],
    ],
  ])('accepts %s', (_name, representations) => {
    expect(checkEntityRepresentations(representations)).toBeUndefined();
  });

  it.each<[string, unknown, string, string]>([
    [
      'a representation that is not an object',
      ['Event:1'],
      'representations[0]',
      '`representations[0]` must be an entity representation, an object such as `{ __typename: "Event", id: "1" }` (got "Event:1").',
    ],
    [
      'a representation that is a list',
      [[{ __typename: 'Event', id: '1' }]],
      'representations[0]',
      '`representations[0]` must be an entity representation, an object such as `{ __typename: "Event", id: "1" }` (got a list).',
    ],
    [
      'a null representation',
      [null],
      'representations[0]',
      '`representations[0]` must be an entity representation, an object such as `{ __typename: "Event", id: "1" }` (got null).',
    ],
    [
      'no __typename',
      [{ id: '1' }],
      'representations[0].__typename',
      "`representations[0].__typename` is required: one of this subgraph's entity types, Event, EventType or User.",
    ],
    [
      'a root type as __typename',
      [{ __typename: 'Query', id: '1' }],
      'representations[0].__typename',
      '`representations[0].__typename` must be one of this subgraph\'s entity types, Event, EventType or User (got "Query").',
    ],
    [
      'a type that is not an entity',
      [{ __typename: 'EventConnection', id: '1' }],
      'representations[0].__typename',
      '`representations[0].__typename` must be one of this subgraph\'s entity types, Event, EventType or User (got "EventConnection").',
    ],
    [
      'a __typename that is not a string',
      [{ __typename: 5, id: '1' }],
      'representations[0].__typename',
      "`representations[0].__typename` must be one of this subgraph's entity types, Event, EventType or User (got 5).",
    ],
    [
      'a very long __typename, shortened',
      [{ __typename: 'X'.repeat(100), id: '1' }],
      'representations[0].__typename',
      `\`representations[0].__typename\` must be one of this subgraph's entity types, Event, EventType or User (got "${'X'.repeat(40)}…").`,
    ],
    [
      'an inherited __typename',
      [Object.create({ __typename: 'Event', id: '1' })],
      'representations[0].__typename',
      "`representations[0].__typename` is required: one of this subgraph's entity types, Event, EventType or User.",
    ],
    [
      'no id',
      [{ __typename: 'EventType' }],
      'representations[0].id',
      '`representations[0].id` is required: EventType entities are keyed by `id`, a OneLogin id.',
    ],
    [
      'an id that is an object',
      [{ __typename: 'Event', id: {} }],
      'representations[0].id',
      `\`representations[0].id\` ${ID_TYPE_RULE} (got an object).`,
    ],
    [
      'an id that is a list',
      [{ __typename: 'User', id: ['1'] }],
      'representations[0].id',
      `\`representations[0].id\` ${ID_TYPE_RULE} (got a list).`,
    ],
    [
      'an id that is a boolean',
      [{ __typename: 'Event', id: true }],
      'representations[0].id',
      `\`representations[0].id\` ${ID_TYPE_RULE} (got true).`,
    ],
    [
      'a null id',
      [{ __typename: 'Event', id: null }],
      'representations[0].id',
      `\`representations[0].id\` ${ID_TYPE_RULE} (got null).`,
    ],
    [
      'a fractional id',
      [{ __typename: 'Event', id: 1.5 }],
      'representations[0].id',
      `\`representations[0].id\` ${ID_TYPE_RULE} (got 1.5).`,
    ],
    [
      'an id that is not a number',
      [{ __typename: 'Event', id: 'abc' }],
      'representations[0].id',
      `\`representations[0].id\` ${ID_RULE} (got "abc").`,
    ],
    [
      'a zero id',
      [{ __typename: 'EventType', id: 0 }],
      'representations[0].id',
      `\`representations[0].id\` ${ID_RULE} (got "0").`,
    ],
    [
      'a negative id',
      [{ __typename: 'User', id: -3 }],
      'representations[0].id',
      `\`representations[0].id\` ${ID_RULE} (got "-3").`,
    ],
    [
      'an id above what OneLogin accepts',
      [{ __typename: 'User', id: '2147483648' }],
      'representations[0].id',
      `\`representations[0].id\` ${ID_RULE} (got "2147483648").`,
    ],
    [
      'an empty id',
      [{ __typename: 'Event', id: '' }],
      'representations[0].id',
      `\`representations[0].id\` ${ID_RULE} (got "").`,
    ],
  ])('rejects %s', (_name, representations, argument, message) => {
    expect(checkEntityRepresentations(representations)).toEqual({ message, argument });
  });

  it('reports the first bad representation, by its index', () => {
    expect(
      checkEntityRepresentations([
        { __typename: 'Event', id: '1' },
        { __typename: 'Event', id: '2' },
        { __typename: 'User', id: {} },
        { __typename: 'Nope' },
      ]),
    ).toEqual({
      message: `\`representations[2].id\` ${ID_TYPE_RULE} (got an object).`,
      argument: 'representations[2].id',
    });
  });

  it('rejects representations that are not a list', () => {
    expect(checkEntityRepresentations({ __typename: 'Event', id: '1' })).toEqual({
      message:
        '`representations` must be a list of entity representations such as `{ __typename: "Event", id: "1" }` (got an object).',
      argument: 'representations',
    });
  });
});
