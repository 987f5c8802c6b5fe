import { DateTimeResolver, NonNegativeIntResolver } from 'graphql-scalars';

/** The custom scalars of schema/base.graphql, from graphql-scalars. */
export const scalars = {
  DateTime: DateTimeResolver,
  NonNegativeInt: NonNegativeIntResolver,
};
