import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

/** One file the GraphiQL page loads, held in memory (with its gzip) for the process's life. */
export interface ExplorerAsset {
  /** e.g. `/explorer/graphiql-4.1.2/graphiql.min.js`: versioned or content-hashed, so cached for good. */
  path: string;
  contentType: string;
  body: Buffer;
  /** Absent when gzip would not make it smaller. */
  gzip: Buffer | undefined;
}

export interface GraphiQLAssets {
  graphiqlScript: ExplorerAsset;
  graphiqlStyle: ExplorerAsset;
  react: ExplorerAsset;
  reactDOM: ExplorerAsset;
  bootScript: ExplorerAsset;
  pageStyle: ExplorerAsset;
}

export const EXPLORER_PREFIX = '/explorer/';

const JAVASCRIPT = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';

/**
 * Renders GraphiQL from the JSON data block the page carries (see
 * graphiqlPage.ts). A file of its own, not an inline script, so that the
 * page's Content-Security-Policy allows scripts from the gateway only.
 */
const BOOT_SCRIPT = `'use strict';
(function () {
  var config = JSON.parse(document.getElementById('graphiql-config').textContent);
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  var scheme = window.location.protocol === 'https:' ? 'wss://' : 'ws://';
  root.render(
    React.createElement(GraphiQL, {
      // The page is served at the GraphQL URL itself. Subscriptions go over graphql-ws (bundled
      // in GraphiQL) at the same URL, with the headers editor's headers as connection parameters.
      fetcher: GraphiQL.createFetcher({
        url: window.location.pathname,
        subscriptionUrl: scheme + window.location.host + window.location.pathname,
      }),
      defaultTabs: config.tabs,
      defaultEditorToolsVisibility: true,
      // A pasted Authorization header is not kept in the browser's storage.
      shouldPersistHeaders: false,
    }),
  );
})();
`;

const PAGE_STYLE = `html,
body,
#graphiql {
  height: 100%;
  margin: 0;
}
`;

/**
 * GraphiQL's UMD build and stylesheet and React 18's UMD builds, read from
 * the npm packages in `dependencies` (no build step, nothing fetched from
 * anywhere else), and the page's own two files. Read once: it throws at
 * start-up when a package is missing, not at a browser's first visit.
 */
export function loadGraphiQLAssets(): GraphiQLAssets {
  const graphiql = packageDirectory('graphiql');
  const react = packageDirectory('react');
  const reactDOM = packageDirectory('react-dom');
  return {
    graphiqlScript: fileAsset(graphiql, 'graphiql.min.js', JAVASCRIPT),
    graphiqlStyle: fileAsset(graphiql, 'graphiql.min.css', CSS),
    react: fileAsset(react, 'umd/react.production.min.js', JAVASCRIPT),
    reactDOM: fileAsset(reactDOM, 'umd/react-dom.production.min.js', JAVASCRIPT),
    bootScript: hashedAsset('graphiql-boot', '.js', BOOT_SCRIPT, JAVASCRIPT),
    pageStyle: hashedAsset('graphiql-page', '.css', PAGE_STYLE, CSS),
  };
}

function packageDirectory(name: string): { directory: string; name: string; version: string } {
  const manifest = require.resolve(`${name}/package.json`);
  const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string };
  return { directory: path.dirname(manifest), name, version };
}

function fileAsset(
  from: { directory: string; name: string; version: string },
  file: string,
  contentType: string,
): ExplorerAsset {
  const body = readFileSync(path.join(from.directory, file));
  return {
    path: `${EXPLORER_PREFIX}${from.name}-${from.version}/${path.basename(file)}`,
    contentType,
    body,
    gzip: smallerGzip(body),
  };
}

function hashedAsset(
  name: string,
  extension: string,
  text: string,
  contentType: string,
): ExplorerAsset {
  const body = Buffer.from(text, 'utf8');
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
  return {
    path: `${EXPLORER_PREFIX}${name}.${hash}${extension}`,
    contentType,
    body,
    gzip: smallerGzip(body),
  };
}

function smallerGzip(body: Buffer): Buffer | undefined {
  const gzip = gzipSync(body);
  return gzip.length < body.length ? gzip : undefined;
}
