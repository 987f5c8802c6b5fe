import type { CreatedEventModel, CreateEventInputValues } from '../domain/createEventInput';
import { legacyEventOf, validateCreateEventInput } from '../domain/createEventInput';
import type { UpstreamBudget } from '../domain/UpstreamBudget';
import { badUserInput } from '../errors/errors';
import type { LegacyClient } from '../upstream/LegacyClient';
import type { EventTypeCatalog } from './EventTypeCatalog';
import { requireLegacyClient } from './requireLegacyClient';

export interface LegacyEventsAPIOptions {
  /** Absent without an API key: `createEvent` answers UPSTREAM_NOT_CONFIGURED. */
  client: LegacyClient | undefined;
  /** The event-type catalogue, to refuse unknown types before sending. */
  catalog: EventTypeCatalog;
  /** The gateway's clock, for `recordedAt`. */
  now?: () => Date;
}

/**
 * Events written through OneLogin's legacy `POST /api/v1/events.xml`. Every
 * value is checked first (form, then the event type against the cached
 * catalogue); the request is sent once at most.
 */
export class LegacyEventsAPI {
  private readonly now: () => Date;

  constructor(private readonly options: LegacyEventsAPIOptions) {
    this.now = options.now ?? (() => new Date());
  }

  async createEvent(
    input: CreateEventInputValues,
    budget: UpstreamBudget,
  ): Promise<CreatedEventModel> {
    const client = requireLegacyClient(this.options.client, 'createEvent');
    const event = validateCreateEventInput(input);
    const [eventType] = await this.options.catalog.lookup([event.eventTypeId], budget);
    if (!eventType) {
      throw badUserInput(
        `\`input.eventTypeId\` ${event.eventTypeId} is not an event type OneLogin knows: see \`Query.eventTypes\` for the ids.`,
        'input.eventTypeId',
      );
    }
    await budget.spend('legacy');
    await client.createEvent(legacyEventOf(event), budget.legacy);
    return { ...event, eventType, recordedAt: this.now() };
  }
}
