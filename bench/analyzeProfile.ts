/**
 * Reads a V8 `.cpuprofile` (from `node --cpu-prof`) and sums self time per
 * function and per package, for the "Where the time goes" section.
 */
import { readFileSync } from 'node:fs';
import type { SourceMapping } from 'node:module';
import { SourceMap } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
}

interface CpuProfile {
  nodes: CpuProfileNode[];
  /** Microseconds on the monotonic clock `process.hrtime` also reads. */
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileEntry {
  name: string;
  /** Where it lives: `node_modules/<package>/…`, `src/…`, `node:…`, or empty for V8 itself. */
  location: string;
  selfMs: number;
  /** Share of the time the process was not idle. */
  percent: number;
}

export interface ProfileSummary {
  /** Sampled time the process was busy (everything but `(idle)`). */
  busyMs: number;
  topFunctions: ProfileEntry[];
  /** Self time by package (`graphql`, `@apollo/server`, the gateway's `src/`, Node, V8 …). */
  byPackage: ProfileEntry[];
}

export interface AnalyzeOptions {
  /** Locations are shown relative to this directory. */
  rootDirectory: string;
  /** Compiled code under this directory is mapped back to its TypeScript source (.js.map). */
  compiledDirectory?: string;
  /** µs on `process.hrtime`'s clock: only samples taken inside count. */
  window?: { startUs: number; endUs: number };
  top?: number;
}

/**
 * Self time per function and package. `windowed` is false when the window
 * does not fall inside the profile and every sample was counted.
 */
export function analyzeProfile(
  file: string,
  options: AnalyzeOptions,
): { summary: ProfileSummary; windowed: boolean } {
  const { rootDirectory, window, top = 15 } = options;
  const sources = sourceMapper(options);
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const windowed =
    window !== undefined && window.startUs >= profile.startTime && window.endUs <= profile.endTime;
  const selfByNode = new Map<number, number>();
  let time = profile.startTime;
  profile.samples.forEach((id, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    time += delta;
    if (windowed && window && (time < window.startUs || time > window.endUs)) return;
    selfByNode.set(id, (selfByNode.get(id) ?? 0) + delta / 1000);
  });

  const byFunction = new Map<string, ProfileEntry>();
  const byPackage = new Map<string, ProfileEntry>();
  let busyMs = 0;
  for (const [id, ms] of selfByNode) {
    const frame = (nodes.get(id) as CpuProfileNode).callFrame;
    if (frame.functionName === '(idle)') continue;
    busyMs += ms;
    const mapped = sources(frame);
    const location = mapped?.file ?? shortLocation(frame.url, rootDirectory);
    const name = frame.functionName || '(anonymous)';
    const line = frame.url ? `:${(mapped?.line ?? frame.lineNumber) + 1}` : '';
    add(byFunction, `${name} ${location}${line}`, { name, location: `${location}${line}` }, ms);
    const owner = packageOf(frame.functionName, location);
    add(byPackage, owner, { name: owner, location: '' }, ms);
  }
  const rank = (entries: Map<string, ProfileEntry>, limit: number) =>
    [...entries.values()]
      .sort((a, b) => b.selfMs - a.selfMs)
      .slice(0, limit)
      .map((entry) => ({ ...entry, percent: busyMs > 0 ? (entry.selfMs / busyMs) * 100 : 0 }));
  return {
    summary: { busyMs, topFunctions: rank(byFunction, top), byPackage: rank(byPackage, 12) },
    windowed,
  };
}

function add(
  entries: Map<string, ProfileEntry>,
  key: string,
  entry: Pick<ProfileEntry, 'name' | 'location'>,
  ms: number,
): void {
  const existing = entries.get(key);
  if (existing) existing.selfMs += ms;
  else entries.set(key, { ...entry, selfMs: ms, percent: 0 });
}

/** Maps a frame in compiled gateway code to its TypeScript file and line (0-based). */
function sourceMapper(
  options: AnalyzeOptions,
): (frame: CpuProfileNode['callFrame']) => { file: string; line: number } | undefined {
  const maps = new Map<string, SourceMap | null>();
  const { compiledDirectory, rootDirectory } = options;
  return (frame) => {
    if (!compiledDirectory || !frame.url.startsWith('file://')) return undefined;
    const file = fileURLToPath(frame.url);
    if (!file.startsWith(compiledDirectory + path.sep)) return undefined;
    let map = maps.get(file);
    if (map === undefined) {
      try {
        map = new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8')));
      } catch {
        map = null;
      }
      maps.set(file, map);
    }
    const entry = map?.findEntry(frame.lineNumber, frame.columnNumber) as
      Partial<SourceMapping> | undefined;
    if (!entry?.originalSource || entry.originalLine === undefined) return undefined;
    const source = entry.originalSource.startsWith('file://')
      ? fileURLToPath(entry.originalSource)
      : path.resolve(path.dirname(file), entry.originalSource);
    return { file: path.relative(rootDirectory, source), line: entry.originalLine };
  };
}

function shortLocation(url: string, rootDirectory: string): string {
  let location = url.replace(/^file:\/\//, '');
  if (location.startsWith(rootDirectory)) location = location.slice(rootDirectory.length + 1);
  const modules = location.lastIndexOf('node_modules/');
  return modules >= 0 ? location.slice(modules) : location;
}

function packageOf(functionName: string, location: string): string {
  if (location === '') {
    // V8's own pseudo-frames: (garbage collector), (program); or native code.
    return functionName.startsWith('(') ? functionName : 'V8 / native';
  }
  if (location.startsWith('node:')) return 'Node.js core (node:*)';
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(location);
  if (modules) return modules[1] as string;
  if (location.startsWith('src/')) return 'gateway (src/)';
  return location;
}
