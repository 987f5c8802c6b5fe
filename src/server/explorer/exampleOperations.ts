/**
 * The README's example operations ("The schema at a glance"), the one copy both
 * explorers open with: GraphiQL one per tab, Sandbox as one document.
 * test/unit/exampleOperations.test.ts checks that the README shows exactly these
 * (comments included) and that each one validates against the schema.
 */

export interface ExampleOperation {
  /** The operations it holds, as a tab would be called. */
  title: string;
  /** The README's text: its comment lines, then the operation(s), ending with a newline. */
  document: string;
  /** Variables to start from, for a page served at `now` (the README's examples, with dates near now). */
  variables?: (now: Date) => Record<string, unknown>;
}

export const EXAMPLE_OPERATIONS: readonly ExampleOperation[] = [
  {
    title: 'LatestFailedLogins',
    document: `# The latest failed logins, with what happened in words
query LatestFailedLogins {
  events(filter: { eventTypeIds: ["6"] }, first: 10) {
    nodes {
      createdAt
      message
      userName
      ipAddress
      riskLevel
      riskReasons
    }
  }
}
`,
  },
  {
    title: 'UserRiskThisWeek',
    document: `# A user's risky events this week: keep the nodes whose riskLevel is HIGH (OneLogin cannot filter on
# risk, so the gateway computes riskLevel per event). Variables (the explorer's Variables panel): a userId from
# LatestFailedLogins, and an instant 7 days ago, e.g. { "userId": "42230016", "since": "2026-11-25T00:00:00Z" }
# (the demo data covers the last 30 days and its user ids depend on the day; the README's shell lines fill both in)
query UserRiskThisWeek($userId: ID!, $since: DateTime!) {
  events(filter: { userId: $userId, eventTypeIds: ["5", "6"], since: $since }, first: 50) {
    nodes {
      id
      createdAt
      message
      riskScore
      riskLevel
      riskReasons
    }
  }
}
`,
    variables: (now) => ({ userId: '42230016', since: daysBefore(now, 7) }),
  },
  {
    title: 'Forwards and Backwards',
    document: `# Paging forwards, then backwards from where you are
query Forwards($after: String) {
  events(first: 20, after: $after) {
    edges {
      cursor
      node {
        id
        createdAt
        message
      }
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
query Backwards($before: String) {
  events(last: 20, before: $before) {
    edges {
      cursor
      node {
        id
        createdAt
        message
      }
    }
    pageInfo {
      hasPreviousPage
      startCursor
    }
  }
}
`,
  },
  {
    title: 'FailedProvisionings',
    document: `# Failed provisionings in a date range (one legacy call, paged in the gateway). Variables: the last
# 30 days, e.g. from \`date -u -d '30 days ago' +%FT%TZ\` and \`date -u +%FT%TZ\`:
# { "startDate": "2026-11-02T00:00:00Z", "stopDate": "2026-12-02T00:00:00Z" }
query FailedProvisionings($startDate: DateTime!, $stopDate: DateTime!) {
  failedProvisionings(startDate: $startDate, stopDate: $stopDate, first: 20) {
    totalCount
    nodes {
      createdAt
      description
      errorDescription
      user {
        email
        firstName
        lastName
      }
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
`,
    variables: (now) => ({ startDate: daysBefore(now, 30), stopDate: secondsOf(now) }),
  },
  {
    title: 'RecordDenial',
    document: `# Record an event from your own app (the legacy XML API; text arrives exactly as sent). Make the
# idempotencyKey once per event and send it unchanged with every retry: retrying is then safe.
mutation RecordDenial {
  createEvent(
    input: {
      eventTypeId: "9"
      userId: "88888"
      userName: "Juniper Gonsales"
      appName: "Mobile Sales"
      ipAddress: "203.0.113.7"
      customMessage: "Authorization denied: missing <sales> role & expired badge"
      idempotencyKey: "1b4e28ba-2fa1-11d2-883f-0016d3cca427"
    }
  ) {
    outcome
    replayed
    event {
      eventTypeId
      eventType {
        name
      }
      userName
      customMessage
      recordedAt
    }
  }
}
`,
  },
];

/** Every example as one document, as the README shows them (Sandbox's initial document). */
export function exampleDocument(): string {
  return EXAMPLE_OPERATIONS.map((example) => example.document).join('\n');
}

/** `now` less `days` days, at whole seconds (`2026-11-25T14:03:07Z`). */
function daysBefore(now: Date, days: number): string {
  return secondsOf(new Date(now.getTime() - days * 86_400_000));
}

function secondsOf(instant: Date): string {
  return instant.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
