import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface';
import type { GraphQLSchema } from 'graphql';
import { execute, GraphQLError } from 'graphql';
import type { CompiledQuery } from 'graphql-jit';
import { compileQuery, isCompiledQuery } from 'graphql-jit';

import { LruMap } from '../cache/LruMap';
import { ErrorCode } from '../errors/ErrorCode';
import { coerceVariables } from './coerceVariables';

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
    // Apollo calls the executor even when no operation of the document matches
    // `operationName` (several operations and no name, or an unknown name), its
    // type notwithstanding. graphql-js answers that without executing anything
    // ("Must provide operation name…", "Unknown operation named…"), which Apollo
    // turns into OPERATION_RESOLUTION_FAILURE with HTTP 400, as without jit.
    if ((operation as typeof operation | undefined) === undefined) {
      return execute({
        schema,
        document,
        contextValue: context,
        variableValues: variables,
        // The name asked for: `operationName` is Apollo's, null when none matched.
        operationName: request.operationName,
      });
    }
    // Variables are checked by graphql-js first, so that a bad variable is the
    // same BAD_USER_INPUT, with the same message, whichever engine executes.
    // (The cost estimate coerced them already for this request: see coerceVariables.)
    const coerced = coerceVariables(schema, operation.variableDefinitions, request.variables);
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
      if (!isCompiledQuery(result)) {
        return result.errors ? { ...result, errors: result.errors.map(asGraphQLJSError) } : result;
      }
      query = result;
      compiled.set(key, query);
    }
    const result = await query.query(undefined, context, variables);
    return result.errors ? { ...result, errors: result.errors.map(asGraphQLJSError) } : result;
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

/**
 * graphql-jit reports errors with its own `GraphQLError` lookalike, whose
 * `extensions` is undefined unless the resolver's error had some (a failed
 * scalar, a null in a non-null field, a bug). Apollo Server and our plugins
 * expect graphql-js errors, so each becomes one, with the same message, path,
 * locations and original error: both engines hand Apollo the same thing.
 */
function asGraphQLJSError(error: GraphQLError): GraphQLError {
  const converted = new GraphQLError(error.message, {
    path: error.path,
    originalError: error.originalError ?? undefined,
    // Without extensions, graphql-js takes the original error's (our codes).
    extensions: error.extensions,
  });
  if (error.locations) {
    // graphql-js sets `locations` from AST nodes, which jit does not keep.
    (converted as { locations: GraphQLError['locations'] }).locations = error.locations;
  }
  return converted;
}
