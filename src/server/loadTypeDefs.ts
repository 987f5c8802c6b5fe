import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import type { DocumentNode } from 'graphql';
import { parse } from 'graphql';

/**
 * The schema contract, `schema/*.graphql`, resolved from this module rather than
 * the working directory (it works from src/ under tsx and from dist/).
 */
export const SCHEMA_DIRECTORY = path.resolve(__dirname, '../../schema');

export function loadTypeDefs(directory = SCHEMA_DIRECTORY): DocumentNode {
  const files = readdirSync(directory)
    .filter((file) => file.endsWith('.graphql'))
    .sort();
  return parse(files.map((file) => readFileSync(path.join(directory, file), 'utf8')).join('\n'));
}
