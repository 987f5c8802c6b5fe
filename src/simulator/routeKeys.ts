/** The counter key of every endpoint the simulator serves; anything else counts as `other`. */
export const ROUTE_KEYS = [
  'POST /auth/oauth2/v2/token',
  'POST /auth/oauth2/revoke',
  'GET /auth/rate_limit',
  'GET /api/1/events',
  'GET /api/1/events/:id',
  'GET /api/1/events/types',
  'POST /api/v1/events.xml',
  'GET /api/v1/logins/failed_provisioning.json',
] as const;

export type RouteKey = (typeof ROUTE_KEYS)[number] | 'other';

/**
 * The route a request is for. Paths are matched exactly, but for one trailing slash; a known path
 * with the wrong method is `other` (the live API answers it 404 "No Route Exists").
 */
export function matchRoute(method: string, path: string): { key: RouteKey; eventId?: string } {
  const normalised = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  if (method === 'GET') {
    if (normalised === '/api/1/events') return { key: 'GET /api/1/events' };
    if (normalised === '/api/1/events/types') return { key: 'GET /api/1/events/types' };
    const byId = /^\/api\/1\/events\/([^/]+)$/.exec(normalised);
    if (byId) return { key: 'GET /api/1/events/:id', eventId: byId[1] as string };
    if (normalised === '/auth/rate_limit') return { key: 'GET /auth/rate_limit' };
    if (normalised === '/api/v1/logins/failed_provisioning.json') {
      return { key: 'GET /api/v1/logins/failed_provisioning.json' };
    }
  }
  if (method === 'POST') {
    if (normalised === '/auth/oauth2/v2/token') return { key: 'POST /auth/oauth2/v2/token' };
    if (normalised === '/auth/oauth2/revoke') return { key: 'POST /auth/oauth2/revoke' };
    if (normalised === '/api/v1/events.xml') return { key: 'POST /api/v1/events.xml' };
  }
  return { key: 'other' };
}

/** Requests that latency and faults apply to: the upstream API, not the control endpoints. */
export function isUpstreamPath(path: string): boolean {
  return path.startsWith('/api/') || path.startsWith('/auth/');
}
