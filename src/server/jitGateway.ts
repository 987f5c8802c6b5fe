import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface';
import type { GraphQLSchema } from 'graphql';
import { execute, getVariableValues, GraphQLError } from 'graphql';
import type { CompiledQuery } from 'graphql-jit';
import { compileQuery, isCompiledQuery } from 'graphql-jit';

import { LruMap } from '../cache/LruMap';
import { ErrorCode } from '../errors/ErrorCode';

/**
 * Executes operations with graphql-jit, which compiles each operation once into
 * a plain function: no per-field dispatch through graphql-js, plain result
 * objects (cheaper to serialise). It is plugged into Apollo Server through its
 * gateway interface, the one place Apollo lets a server replace execution;
 * parsing, validation, errors and plugins stay Apollo's.
 *
 * An operation a federation router asks to trace (`apollo-federation-include-trace:
 * ftv1`) runs on graphql-js, where Apollo's per-field hooks build the trace.
 */
export function jitGateway(
  schema: GraphQLSchema,
  options: { maxOperations: number },
): GatewayInterface {
  const compiled = new LruMap<string, CompiledQuery>(options.maxOperations);
  const executor: GatewayExecutor = async ({
    document,
    operation,
    operationName,
    request,
    context,
    queryHash,
  }) => {
    const variables = request.variables ?? {};
    // Variables are checked by graphql-js first, so that a bad variable is the
    // same BAD_USER_INPUT, with the same message, whichever engine executes.
    const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables, {
      maxErrors: 50,
    });
    if (coerced.errors) {
      return {
        errors: coerced.errors.map(
          (error) =>
            new GraphQLError(error.message, {
              nodes: error.nodes,
              originalError: error.originalError,
              extensions: { code: ErrorCode.BAD_USER_INPUT },
            }),
        ),
      };
    }
    if (request.http?.headers.get('apollo-federation-include-trace') === 'ftv1') {
      return execute({
        schema,
        document,
        contextValue: context,
        variableValues: variables,
        operationName,
      });
    }
    const key = `${queryHash}\u0000${operationName ?? ''}`;
    let query = compiled.get(key);
    if (!query) {
      const result = compileQuery(schema, document, operationName ?? undefined);
      if (!isCompiledQuery(result)) return result;
      query = result;
      compiled.set(key, query);
    }
    return query.query(undefined, context, variables);
  };
  return {
    async load() {
      return { executor };
    },
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: '' });
      return () => {};
    },
    async stop() {},
  };
}
