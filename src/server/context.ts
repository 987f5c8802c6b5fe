import type { Caller } from '../auth/Caller';
import type { DataSources } from '../datasources/createDataSources';

/** Everything here is created per request; nothing here outlives it. */
export interface Context {
  /** Who is asking (authorisation happens in the data sources, with this caller). */
  caller: Caller;
  dataSources: DataSources;
}
