import { execFileSync } from 'node:child_process';

import { REPO_ROOT } from './startChild';

/** The commit a report's gateway was built from. */
export interface GatewayRevision {
  commit: string;
  /** Whether src/ or schema/ differed from that commit. */
  uncommittedChanges: boolean;
}

/** The commit the gateway was built from, and whether src/ or schema/ differed from it. */
export function gatewayRevision(): GatewayRevision {
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
  try {
    return {
      commit: git('rev-parse', '--short', 'HEAD'),
      uncommittedChanges: git('status', '--porcelain', '--', 'src', 'schema') !== '',
    };
  } catch {
    return { commit: 'unknown', uncommittedChanges: true };
  }
}
