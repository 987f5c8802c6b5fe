/**
 * Writes the subgraph SDL, exactly as the running gateway answers
 * `{ _service { sdl } }`, for a router's supergraph composition or
 * `rover subgraph publish`: `npm run schema:print [-- path]` (default subgraph.graphql).
 */
import { writeFileSync } from 'node:fs';

import { subgraphSDL } from '../src/server/createApolloServer';

const out = process.argv[2] ?? 'subgraph.graphql';
writeFileSync(out, subgraphSDL());
process.stdout.write(`Wrote the subgraph schema to ${out}\n`);
