import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';

import { upstreamBudgetExceeded } from '../../errors/errors';
import type { Context } from '../context';
import type { OperationCostEstimator } from '../operationCost';
import { upstreamCallsOf } from '../operationCost';

export interface CostPluginOptions {
  /** Estimates an operation's OneLogin calls (see operationCostEstimator). */
  estimate: OperationCostEstimator;
  /**
   * Whether this process holds the event-type catalogue, so that reading it
   * costs no call (EventTypeCatalog.isLoaded). A process-wide fact, read at
   * each request: given by whoever built the services, so that the plugin
   * reaches no data source.
   */
  eventTypesLoaded: () => boolean;
}

/** What `extensions.cost` of a response says. */
export interface CostExtension {
  /** The OneLogin calls the operation could make, estimated before it ran. */
  estimated: number;
  /**
   * The calls charged to its budget (context.upstream.count): retries included,
   * what a cache answered not; a call charged and then refused by the caller's
   * hourly share or an open circuit counts, though OneLogin never saw it.
   */
  actual: number;
  /** The most one request may make (UPSTREAM_CALLS_PER_REQUEST_MAX). */
  max: number;
}

/**
 * Cost before work: once the operation is resolved, and before it executes
 * (with either engine), estimates the OneLogin calls it can make and gives the
 * estimate to the request's budget (which tells bulk work from interactive
 * work with it). Above the request's maximum the operation is refused whole,
 * UPSTREAM_BUDGET_EXCEEDED with HTTP 400 and `extensions.cost`, before any
 * call: a router's `_entities` batch of 200 users gets one clear answer, not
 * 50 answers and 150 errors. The budget still enforces the maximum on every
 * call, for what no estimate foresees (retries, a catalogue refresh).
 *
 * Every response to an operation that selects anything backed by OneLogin
 * reports `extensions.cost`: the estimate, the calls made, and the maximum
 * (whatever the answer: data, a partial answer, or the refusal). Operations
 * that cannot call OneLogin (introspection, `__typename`, `_service`,
 * `me { id }`) carry none: whether a response has it depends on what the
 * operation selects, never on its arguments or on what is cached.
 */
export function costPlugin(options: CostPluginOptions): ApolloServerPlugin<Context> {
  return {
    async requestDidStart(): Promise<GraphQLRequestListener<Context>> {
      /** Whether the operation selects anything backed by OneLogin (then its responses say what it cost). */
      let reported = false;
      return {
        async didResolveOperation({ document, operation, request, contextValue }) {
          // No operation matched `operationName`: execution answers OPERATION_RESOLUTION_FAILURE.
          if (!operation) return;
          const budget = contextValue.upstream;
          const cost = options.estimate(document, operation, request.variables);
          const estimated = upstreamCallsOf(cost, options.eventTypesLoaded());
          budget.estimate = estimated;
          reported = cost.selectsUpstream;
          if (estimated > budget.max) {
            throw budget.refused(upstreamBudgetExceeded({ estimated, max: budget.max }));
          }
        },
        async willSendResponse({ response, contextValue }) {
          if (!reported || response.body.kind !== 'single') return;
          const budget = contextValue.upstream;
          const cost: CostExtension = {
            estimated: budget.estimate ?? 0,
            actual: budget.count,
            max: budget.max,
          };
          const result = response.body.singleResult;
          // Other plugins (the inline trace) add their own extensions.
          result.extensions = { ...result.extensions, cost };
        },
      };
    },
  };
}
