import type http from 'node:http';

import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';

import type { ExplorerKind } from '../../config/loadConfig';
import { exampleDocument } from './exampleOperations';
import type { ExplorerAsset } from './graphiqlAssets';
import { EXPLORER_PREFIX, loadGraphiQLAssets } from './graphiqlAssets';
import { GRAPHIQL_CONTENT_SECURITY_POLICY, renderGraphiQLPage } from './graphiqlPage';

/** What the HTTP server asks of the explorer (GRAPHQL_EXPLORER) on every request. */
export interface Explorer {
  /**
   * Answers the request when it is the explorer's: with GraphiQL, a browser's
   * `GET` of the GraphQL URL (the page) and `GET /explorer/…` (its files).
   * Returns false, having done nothing, for any other request.
   */
  handle(req: http.IncomingMessage, res: http.ServerResponse, request: ExplorerRequest): boolean;
  /**
   * Whether this request is for Apollo's landing page (Sandbox): it then goes
   * to Apollo without a caller, as Apollo renders the page and runs nothing.
   */
  isApolloLandingPage(req: http.IncomingMessage, request: ExplorerRequest): boolean;
}

export interface ExplorerRequest {
  pathname: string;
  /** The URL has a query string (`?query=…`): a GraphQL GET, never a page. */
  hasSearch: boolean;
  /** The GraphQL URL's path (`/graphql`). */
  graphqlPath: string;
}

/** The immutable cache policy of a versioned or content-hashed file. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * The explorer of GRAPHQL_EXPLORER. `sandbox`: Apollo renders Sandbox (see
 * explorerLandingPagePlugin); `graphiql`: the gateway serves GraphiQL and its
 * files from npm packages, nothing from elsewhere; `off`: no page, so a
 * browser's GET is a GraphQL GET like any other (405 when GET queries are off).
 */
export function createExplorer(kind: ExplorerKind, clock: () => number = Date.now): Explorer {
  const isPageRequest = (req: http.IncomingMessage, request: ExplorerRequest): boolean =>
    req.method === 'GET' &&
    request.pathname === request.graphqlPath &&
    !request.hasSearch &&
    (req.headers.accept ?? '').includes('text/html');
  if (kind !== 'graphiql') {
    return {
      handle: () => false,
      isApolloLandingPage: (req, request) => kind === 'sandbox' && isPageRequest(req, request),
    };
  }
  const assets = loadGraphiQLAssets();
  const byPath = new Map<string, ExplorerAsset>(
    Object.values(assets).map((asset) => [asset.path, asset]),
  );
  return {
    isApolloLandingPage: () => false,
    handle(req, res, request) {
      if (isPageRequest(req, request)) {
        const html = Buffer.from(renderGraphiQLPage(assets, new Date(clock())), 'utf8');
        res.writeHead(200, {
          'content-type': 'text/html; charset=utf-8',
          'content-length': html.length,
          'content-security-policy': GRAPHIQL_CONTENT_SECURITY_POLICY,
          // The page carries dated examples; its files are the ones cached.
          'cache-control': 'no-store',
          'x-content-type-options': 'nosniff',
          'referrer-policy': 'no-referrer',
        });
        res.end(html);
        return true;
      }
      if (!request.pathname.startsWith(EXPLORER_PREFIX)) return false;
      if (req.method !== 'GET' && req.method !== 'HEAD') return false;
      const asset = byPath.get(request.pathname);
      if (!asset) return false;
      sendAsset(req, res, asset);
      return true;
    },
  };
}

function sendAsset(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  asset: ExplorerAsset,
): void {
  const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))
    ? asset.gzip
    : undefined;
  const body = gzip ?? asset.body;
  const vary = res.getHeader('vary');
  res.writeHead(200, {
    'content-type': asset.contentType,
    'content-length': body.length,
    'cache-control': IMMUTABLE,
    vary: vary ? `${String(vary)}, accept-encoding` : 'accept-encoding',
    'x-content-type-options': 'nosniff',
    ...(gzip ? { 'content-encoding': 'gzip' } : {}),
  });
  if (req.method === 'HEAD') res.end();
  else res.end(body);
}

/**
 * Apollo's landing page for GRAPHQL_EXPLORER: Sandbox, opening with the
 * README's examples; none otherwise (GraphiQL is the gateway's own page, and
 * `off` means no page at all).
 */
export function explorerLandingPagePlugin(kind: ExplorerKind): ApolloServerPlugin {
  return kind === 'sandbox'
    ? ApolloServerPluginLandingPageLocalDefault({
        embed: true,
        includeCookies: false,
        document: exampleDocument(),
      })
    : ApolloServerPluginLandingPageDisabled();
}
