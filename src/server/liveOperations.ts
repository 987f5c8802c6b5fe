import type {
  ASTVisitor,
  DocumentNode,
  ExecutionArgs,
  ExecutionResult,
  FormattedExecutionResult,
  GraphQLFormattedError,
  GraphQLSchema,
  ValidationContext,
  ValidationRule,
} from 'graphql';
import { getOperationAST, GraphQLError, parse, specifiedRules, subscribe, validate } from 'graphql';

import type { Caller } from '../auth/Caller';
import { ErrorCode } from '../errors/ErrorCode';
import type { Context } from './context';
import type { TrustedDocuments } from './trustedDocuments';
import { TrustedDocumentError } from './trustedDocuments';

/** What a client sends to start a subscription (graphql-ws's `subscribe` payload, an SSE request body). */
export interface LiveOperationRequest {
  query?: unknown;
  variables?: unknown;
  operationName?: unknown;
  extensions?: unknown;
  documentId?: unknown;
}

/**
 * The subscribe path, whatever the transport (GraphQL over WebSocket,
 * graphqlWebSocket.ts; over Server-Sent Events, graphqlEventStream.ts): given
 * an authenticated caller and its request, `prepare` checks the document
 * (trusted documents when on, the parser's token limit, graphql-js's rules,
 * the gateway's operation limits, subscriptions only) and builds the
 * per-subscription context; `run` starts it and yields its results, which
 * `format` masks (the transports call it on every result they send).
 */
export interface LiveOperations {
  prepare(caller: Caller, request: LiveOperationRequest): Promise<ExecutionArgs | GraphQLError[]>;
  run(args: ExecutionArgs): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult>;
  /** The one masking gate for results (the gateway's formatError). */
  format(result: ExecutionResult): FormattedExecutionResult;
}

export function createLiveOperations(options: {
  schema: GraphQLSchema;
  /** The per-subscription context (see startGateway). */
  context: (caller: Caller) => Context;
  validationRules: readonly ValidationRule[];
  maxTokens: number;
  documents?: TrustedDocuments;
  formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
}): LiveOperations {
  const { schema } = options;
  const rules = [...specifiedRules, OnlySubscriptionsRule, ...options.validationRules];
  const formatErrors = (errors: readonly GraphQLError[]) =>
    errors.map((error) => options.formatError(error.toJSON(), error));
  const format = (result: ExecutionResult): FormattedExecutionResult =>
    result.errors
      ? { ...result, errors: formatErrors(result.errors) }
      : (result as FormattedExecutionResult);

  const operations: LiveOperations = {
    async prepare(caller, request) {
      let body: LiveOperationRequest = request;
      if (options.documents) {
        try {
          body = (await options.documents.resolveBody(request, caller)) as LiveOperationRequest;
        } catch (error) {
          if (error instanceof TrustedDocumentError) {
            return [new GraphQLError(error.message, { extensions: { code: error.code } })];
          }
          throw error;
        }
      }
      if (typeof body.query !== 'string' || body.query === '') {
        return [
          requestError('Send the subscription as `query` (a GraphQL document).', 'BAD_REQUEST'),
        ];
      }
      let document: DocumentNode;
      try {
        document = parse(body.query, { maxTokens: options.maxTokens });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        return [requestError(message, 'GRAPHQL_PARSE_FAILED')];
      }
      const operationName = typeof body.operationName === 'string' ? body.operationName : undefined;
      const invalid = validate(schema, document, rules, { maxErrors: 5 });
      if (invalid.length > 0) {
        return invalid.map((error) =>
          error.extensions['code'] === undefined
            ? new GraphQLError(error.message, {
                nodes: error.nodes,
                extensions: { ...error.extensions, code: 'GRAPHQL_VALIDATION_FAILED' },
              })
            : error,
        );
      }
      if (!getOperationAST(document, operationName)) {
        return [
          requestError(
            operationName === undefined
              ? 'The document holds several operations: name the one to run in `operationName`.'
              : `The document has no operation named "${operationName}".`,
            'OPERATION_RESOLUTION_FAILURE',
          ),
        ];
      }
      const variables = body.variables;
      if (
        variables !== undefined &&
        variables !== null &&
        (typeof variables !== 'object' || Array.isArray(variables))
      ) {
        return [requestError('`variables` must be an object.', 'BAD_REQUEST')];
      }
      return {
        schema,
        document,
        operationName,
        variableValues: (variables ?? undefined) as Record<string, unknown> | undefined,
        contextValue: options.context(caller),
      };
    },
    async run(args) {
      const result = await subscribe(args);
      if (!isAsyncIterator(result)) return withVariableCodes(result);
      return result;
    },
    format,
  };
  return operations;
}

/**
 * Over WebSocket (and SSE) only subscriptions run: queries and mutations are
 * POSTed, where their cost estimate, caller limits and `extensions.cost` apply.
 */
export function OnlySubscriptionsRule(context: ValidationContext): ASTVisitor {
  return {
    OperationDefinition(node) {
      if (node.operation === 'subscription') return;
      context.reportError(
        new GraphQLError(
          `Only subscriptions run over this transport: send the ${node.operation} by POST to /graphql.`,
          { nodes: node },
        ),
      );
    },
  };
}

/**
 * Refuses a subscription sent by POST or GET (Apollo Server would execute it
 * as a query): subscriptions are served over WebSocket at the same URL.
 */
export function NoSubscriptionsOverHTTPRule(context: ValidationContext): ASTVisitor {
  return {
    OperationDefinition(node) {
      if (node.operation !== 'subscription') return;
      context.reportError(
        new GraphQLError(
          'Subscriptions are served at /graphql over WebSocket (graphql-ws, subprotocol graphql-transport-ws) or Server-Sent Events (`accept: text/event-stream`), not as a plain POST or GET.',
          { nodes: node },
        ),
      );
    },
  };
}

function requestError(message: string, code: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code } });
}

/** Variables that do not coerce are the client's bad input (as Apollo reports them over HTTP). */
function withVariableCodes(result: ExecutionResult): ExecutionResult {
  if (!result.errors || result.data !== undefined) return result;
  return {
    ...result,
    errors: result.errors.map((error) =>
      error.extensions['code'] === undefined && /^Variable "\$/.test(error.message)
        ? new GraphQLError(error.message, {
            nodes: error.nodes,
            extensions: { code: ErrorCode.BAD_USER_INPUT },
          })
        : error,
    ),
  };
}

/** A subscription's results, as opposed to one result (a refusal). */
export function isAsyncIterator<T>(value: unknown): value is AsyncIterableIterator<T> {
  return (
    typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function'
  );
}
