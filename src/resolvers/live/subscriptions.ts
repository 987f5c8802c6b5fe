import { GraphQLError } from 'graphql';

import type { SubscriptionResolvers } from '../../__generated__/resolvers-types';
import type { EventDto } from '../../upstream/dto';

export const liveSubscriptions: SubscriptionResolvers = {
  eventAdded: {
    subscribe: (_root, { filter, after }, { dataSources }) =>
      dataSources.subscribeEventAdded({ filter, after }),
    /**
     * Each item of the feed is the event itself (parent of the `Event` resolvers), or the
     * error that ends the feed: thrown here, it is the last payload's `errors`.
     */
    resolve: (item: EventDto | GraphQLError) => {
      if (item instanceof GraphQLError) throw item;
      return item;
    },
  },
};
