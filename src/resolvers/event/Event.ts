import { EVENT_FIELD_VALUES, RETURNED_EVENT_FIELD_SET } from '../../domain/eventFields';
import { renderMessage } from '../../domain/eventMessage';
import { oneLoginInteger } from '../../domain/oneLoginId';
import type { EventResolvers } from '../../__generated__/resolvers-types';
import type { EventTypeDto } from '../../upstream/dto';
import { selectedFields } from '../selection';

const isPromiseLike = <T>(value: T | PromiseLike<T>): value is PromiseLike<T> =>
  typeof (value as { then?: unknown }).then === 'function';

type ValueFields = keyof typeof EVENT_FIELD_VALUES;

/**
 * The plain fields come from the one table of Event fields (domain/eventFields.ts),
 * which also drives the `fields=` projection. The type below makes the compiler
 * check each value against the field's generated resolver type.
 */
const valueFields = Object.fromEntries(
  Object.entries(EVENT_FIELD_VALUES).map(([name, { value }]) => [name, value]),
) as { [K in ValueFields]: (typeof EVENT_FIELD_VALUES)[K]['value'] };

/** `parent` is the upstream EventDto (see `mappers` in codegen.yml). */
export const Event: EventResolvers = {
  ...valueFields,
  /** Federation: events referenced by other subgraphs, batched and cache-first (see DataSources.loadEvent). */
  __resolveReference: (reference, { dataSources }, info) =>
    dataSources.loadEvent(oneLoginInteger(String(reference.id), 'Event.id'), selectedFields(info)),
  eventType: (event, _args, { dataSources }) => {
    const typeId = EVENT_FIELD_VALUES.eventTypeId.value(event);
    return dataSources.loadEventType(typeId);
  },
  message: (event, _args, { dataSources }) => {
    const typeId = EVENT_FIELD_VALUES.eventTypeId.value(event);
    const render = (type: EventTypeDto | null) =>
      type?.description ? renderMessage(type.description, event, RETURNED_EVENT_FIELD_SET) : null;
    // Synchronous when the catalogue is in memory: no promise per event on the hot path.
    const type = dataSources.loadEventType(typeId);
    return isPromiseLike(type) ? type.then(render) : render(type);
  },
};
