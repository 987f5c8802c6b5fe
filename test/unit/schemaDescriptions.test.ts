import { describe, expect, it } from '@jest/globals';
import {
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isScalarType,
  isUnionType,
  type GraphQLNamedType,
} from 'graphql';

import { buildSchema } from '../../src/server/createApolloServer';

/** Types added by Apollo Federation or graphql itself, which this project does not write. */
const isOurs = (type: GraphQLNamedType) =>
  !type.name.startsWith('__') &&
  !type.name.startsWith('_') &&
  !type.name.startsWith('link__') &&
  !type.name.startsWith('federation__') &&
  !['String', 'Int', 'Float', 'Boolean', 'ID'].includes(type.name);

describe('the schema as documentation', () => {
  it('describes every type, field, argument, input field and enum value', () => {
    const schema = buildSchema();
    const missing: string[] = [];
    const check = (what: string, description: string | null | undefined) => {
      if (!description || description.trim().length < 8) missing.push(what);
    };
    for (const type of Object.values(schema.getTypeMap()).filter(isOurs)) {
      if (type.name !== 'Query' && type.name !== 'Mutation') check(type.name, type.description);
      if (isObjectType(type) || isInterfaceType(type)) {
        for (const field of Object.values(type.getFields())) {
          if (field.name.startsWith('_')) continue; // _entities, _service
          check(`${type.name}.${field.name}`, field.description);
          for (const arg of field.args)
            check(`${type.name}.${field.name}(${arg.name})`, arg.description);
        }
      } else if (isInputObjectType(type)) {
        for (const field of Object.values(type.getFields()))
          check(`${type.name}.${field.name}`, field.description);
      } else if (isEnumType(type)) {
        for (const value of type.getValues())
          check(`${type.name}.${value.name}`, value.description);
      } else if (!isScalarType(type) && !isUnionType(type)) {
        missing.push(`${String(type)} (unexpected kind)`);
      }
    }
    expect(missing).toEqual([]);
  });
});
