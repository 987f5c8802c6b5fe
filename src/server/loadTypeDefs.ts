import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import type { DocumentNode } from 'graphql';
import { Kind, parse, visit } from 'graphql';

/**
 * The schema contract, `schema/*.graphql`, resolved from this module rather than
 * the working directory (it works from src/ under tsx and from dist/).
 */
export const SCHEMA_DIRECTORY = path.resolve(__dirname, '../../schema');

/** Federation's authorization directives (Federation 2.5), declared in schema/*.graphql. */
const AUTHORIZATION_DIRECTIVES = new Set(['authenticated', 'requiresScopes']);

export function loadTypeDefs(
  directory = SCHEMA_DIRECTORY,
  options: { authorizationDirectives?: boolean } = {},
): DocumentNode {
  const files = readdirSync(directory)
    .filter((file) => file.endsWith('.graphql'))
    .sort();
  const document = parse(
    files.map((file) => readFileSync(path.join(directory, file), 'utf8')).join('\n'),
  );
  return options.authorizationDirectives === false
    ? withoutAuthorizationDirectives(document)
    : document;
}

/**
 * The schema without `@authenticated` and `@requiresScopes` (and their
 * `@link` imports), for routers that refuse a supergraph using them because
 * they cannot enforce them: @apollo/gateway fails with "feature
 * https://specs.apollo.dev/authenticated/v0.1 is for: SECURITY but is
 * unsupported". The gateway enforces the same scopes itself either way.
 */
function withoutAuthorizationDirectives(document: DocumentNode): DocumentNode {
  return visit(document, {
    Directive(node) {
      if (AUTHORIZATION_DIRECTIVES.has(node.name.value)) return null;
      if (node.name.value !== 'link') return undefined;
      return {
        ...node,
        arguments: node.arguments?.map((argument) =>
          argument.name.value === 'import' && argument.value.kind === Kind.LIST
            ? {
                ...argument,
                value: {
                  ...argument.value,
                  values: argument.value.values.filter(
                    (value) =>
                      value.kind !== Kind.STRING ||
                      !AUTHORIZATION_DIRECTIVES.has(value.value.replace(/^@/, '')),
                  ),
                },
              }
            : argument,
        ),
      };
    },
  });
}
