import type { Caller } from '../auth/Caller';
import type { DataSources } from '../datasources/createDataSources';
import type { UpstreamBudget } from '../domain/UpstreamBudget';
import type { RequestFacts } from './requestFacts';

/** Everything here is created per request; nothing here outlives it. */
export interface Context {
  /** Who is asking (authorisation happens in the data sources, with this caller). */
  caller: Caller;
  dataSources: DataSources;
  /**
   * What the request may spend upstream and by when; the data sources charge it.
   * Plugins read it (the cost estimate sets `estimate`, `extensions.cost` reports `count`).
   */
  upstream: UpstreamBudget;
  /** The request's id and what it did, for its access-log line and metrics (see requestFactsPlugin). */
  request: RequestFacts;
}
