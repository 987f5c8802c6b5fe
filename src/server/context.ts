import type { DataSources } from '../datasources/createDataSources';

/** Everything here is created per request; nothing here outlives it. */
export interface Context {
  dataSources: DataSources;
}
