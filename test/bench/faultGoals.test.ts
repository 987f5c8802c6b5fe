/**
 * A smoke test of `npm run faults`: the baseline and the 5xx scenario for about
 * a second each (a fresh simulator and gateway process each), then the report.
 * It asserts the report's shape, never the numbers; the section update is
 * tested on made-up files.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { afterAll, describe, expect, it } from '@jest/globals';

import { NOTES_MARKER, updateFaultSection } from '../../bench/renderFaultGoals';
import { percentile } from '../../bench/runFaultGoals';

const ROOT = path.resolve(__dirname, '../..');
const directory = mkdtempSync(path.join(os.tmpdir(), 'fault-goals-smoke-'));

afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('npm run faults', () => {
  it('runs the baseline and a fault scenario and writes its section, keeping the rest of the file', async () => {
    const markdownPath = path.join(directory, 'RESILIENCE.md');
    writeFileSync(markdownPath, '# Resilience\n\n## Another section\n\nNot ours.\n');
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        '--import',
        'tsx',
        'bench/faultGoals.ts',
        '--smoke',
        '--scenarios',
        'errors',
        '--markdown',
        markdownPath,
      ],
      { cwd: ROOT, timeout: 80_000 },
    );
    const markdown = readFileSync(markdownPath, 'utf8');

    expect(stdout).toMatch(/^baseline +none/m);
    expect(stdout).toMatch(/^errors +20 % of calls 500\/502\/503/m);
    expect(stdout).toMatch(/^1\. reads through 20 % upstream 5xx +errors +reads successful/m);
    expect(
      markdown.startsWith('# Resilience\n\n## Another section\n\nNot ours.\n\n## Fault goals\n'),
    ).toBe(true);
    expect(markdown).toContain('npm run faults -- --smoke --scenarios errors --markdown');
    expect(markdown).toMatch(/^\| baseline \| none .* \| 100\.00 % \|/m);
    expect(markdown).toMatch(
      /^\| 1\. reads through 20 % upstream 5xx \| errors \| reads successful \| ≥ 99\.90 % \| .* \| (PASS|FAIL) \|$/m,
    );
    expect(markdown.trimEnd().endsWith(NOTES_MARKER)).toBe(true);
    // The harness's own limit (80 s) bounds it; on a busy machine a smoke run takes ~30 s.
  }, 90_000);
});

describe('updateFaultSection', () => {
  const section = (n: number) => `## Fault goals\n\nnumbers ${n}\n`;

  it('adds the section to a file without it, and makes the file when there is none', () => {
    expect(updateFaultSection('# Resilience\n\n## Other\n\ntext\n', section(1))).toBe(
      `# Resilience\n\n## Other\n\ntext\n\n## Fault goals\n\nnumbers 1\n\n${NOTES_MARKER}\n`,
    );
    expect(updateFaultSection(undefined, section(1))).toBe(
      `# Resilience\n\n## Fault goals\n\nnumbers 1\n\n${NOTES_MARKER}\n`,
    );
  });

  it('replaces the numbers, keeps the notes after the marker and the sections around it', () => {
    const before = `# Resilience\n\n## Before\n\na\n\n## Fault goals\n\nnumbers 1\n\n${NOTES_MARKER}\n\nWhy goal 1 fails.\n\n## After\n\nb\n`;

    expect(updateFaultSection(before, section(2))).toBe(
      `# Resilience\n\n## Before\n\na\n\n## Fault goals\n\nnumbers 2\n\n${NOTES_MARKER}\n\nWhy goal 1 fails.\n\n## After\n\nb\n`,
    );
  });
});

describe('percentile', () => {
  it('is the nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);

    expect([percentile(values, 0.5), percentile(values, 0.99), percentile([], 0.5)]).toEqual([
      50, 99, 0,
    ]);
  });
});
