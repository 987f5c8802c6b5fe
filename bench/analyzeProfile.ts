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
  children?: number[];
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
  /**
   * Total (inclusive) time in each of `AnalyzeOptions.areas`: every sample with
   * a frame of the area anywhere on its stack, what it called included.
   */
  inclusiveByArea?: ProfileEntry[];
}

export interface AnalyzeOptions {
  /** Locations are shown relative to this directory. */
  rootDirectory: string;
  /** Compiled code under this directory is mapped back to its TypeScript source (.js.map). */
  compiledDirectory?: string;
  /** µs on `process.hrtime`'s clock: only samples taken inside count. */
  window?: { startUs: number; endUs: number };
  /** Named areas of code, by the frame locations (as reported, e.g. `src/auth/…`) that belong to them. */
  areas?: Readonly<Record<string, (location: string) => boolean>>;
  /** Functions kept in `topFunctions` (default 15); packages are capped at 12 unless this is larger. */
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
  const { rootDirectory, window, areas, top = 15 } = options;
  const sources = sourceMapper(options);
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const windowed =
    window !== undefined && window.startUs >= profile.startTime && window.endUs <= profile.endTime;
  const selfByNode = new Map<number, number>();
  const locationOf = (frame: CpuProfileNode['callFrame']) =>
    sources(frame)?.file ?? shortLocation(frame.url, rootDirectory);
  const inArea = areaFinder(profile.nodes, areas ?? {}, locationOf);
  const inclusive = new Map<string, number>();
  let time = profile.startTime;
  profile.samples.forEach((id, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    time += delta;
    if (windowed && window && (time < window.startUs || time > window.endUs)) return;
    selfByNode.set(id, (selfByNode.get(id) ?? 0) + delta / 1000);
    for (const area of inArea(id)) inclusive.set(area, (inclusive.get(area) ?? 0) + delta / 1000);
  });

  const byFunction = new Map<string, ProfileEntry>();
  const byPackage = new Map<string, ProfileEntry>();
  let busyMs = 0;
  for (const [id, ms] of selfByNode) {
    const frame = (nodes.get(id) as CpuProfileNode).callFrame;
    if (frame.functionName === '(idle)') continue;
    busyMs += ms;
    const mapped = sources(frame);
    const location = locationOf(frame);
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
    summary: {
      busyMs,
      topFunctions: rank(byFunction, top),
      byPackage: rank(byPackage, Math.max(12, top)),
      ...(areas
        ? {
            inclusiveByArea: Object.keys(areas).map((name) => {
              const ms = inclusive.get(name) ?? 0;
              return {
                name,
                location: '',
                selfMs: ms,
                percent: busyMs > 0 ? (ms / busyMs) * 100 : 0,
              };
            }),
          }
        : {}),
    },
    windowed,
  };
}

/** For a sample's leaf node, the areas any frame of its stack belongs to (memoised per node). */
function areaFinder(
  nodes: readonly CpuProfileNode[],
  areas: Readonly<Record<string, (location: string) => boolean>>,
  locationOf: (frame: CpuProfileNode['callFrame']) => string,
): (id: number) => readonly string[] {
  const names = Object.keys(areas);
  if (names.length === 0) return () => [];
  const parent = new Map<number, number>();
  for (const node of nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const memo = new Map<number, readonly string[]>();
  const of = (id: number): readonly string[] => {
    const known = memo.get(id);
    if (known) return known;
    const node = byId.get(id);
    const above = parent.has(id) ? of(parent.get(id) as number) : [];
    const location = node ? locationOf(node.callFrame) : '';
    const own = names.filter((name) => !above.includes(name) && areas[name]?.(location));
    const result = own.length > 0 ? [...above, ...own] : above;
    memo.set(id, result);
    return result;
  };
  return of;
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

/** One function's or package's self time per request in two profiles. */
export interface ProfileDifference {
  name: string;
  location: string;
  /** Self µs per request in the first profile (the bare gateway). */
  baseUs: number;
  /** Self µs per request in the second (the secured gateway). */
  otherUs: number;
  /** otherUs − baseUs. */
  deltaUs: number;
}

export interface ProfileComparison {
  /** Busy (non-idle) sampled µs per request in each profile. */
  busyUs: { base: number; other: number };
  /** The functions whose self time per request grew most, largest first. */
  grewMost: ProfileDifference[];
  /** The functions whose self time per request shrank most (sampling noise is the usual reason). */
  shrankMost: ProfileDifference[];
  /** Every package, by how much its self time per request grew. */
  byPackage: ProfileDifference[];
  /** Total time per request in each named area (see `AnalyzeOptions.areas`), what it calls included. */
  byArea: ProfileDifference[];
  /** Self time of every function `focus` picks by location, most in the second profile first. */
  focused: ProfileDifference[];
}

/**
 * Two profiles of the same code under the same load, per request: where the
 * second spends more. Pass summaries made with a `top` large enough to hold
 * every function (e.g. Infinity), or small functions fall out of the sums.
 */
export function compareProfiles(
  base: { summary: ProfileSummary; requests: number },
  other: { summary: ProfileSummary; requests: number },
  options: { top?: number; focus?: (location: string) => boolean } = {},
): ProfileComparison {
  const { top = 12, focus } = options;
  const perRequest = (ms: number, requests: number) => (requests > 0 ? (ms * 1000) / requests : 0);
  const differences = (pick: (summary: ProfileSummary) => ProfileEntry[]) => {
    const entries = new Map<string, ProfileDifference>();
    const entry = (item: ProfileEntry) => {
      const key = `${item.name} ${item.location}`;
      let found = entries.get(key);
      if (!found) {
        found = { name: item.name, location: item.location, baseUs: 0, otherUs: 0, deltaUs: 0 };
        entries.set(key, found);
      }
      return found;
    };
    for (const item of pick(base.summary))
      entry(item).baseUs += perRequest(item.selfMs, base.requests);
    for (const item of pick(other.summary))
      entry(item).otherUs += perRequest(item.selfMs, other.requests);
    for (const item of entries.values()) item.deltaUs = item.otherUs - item.baseUs;
    return [...entries.values()].sort((a, b) => b.deltaUs - a.deltaUs);
  };
  const functions = differences((summary) => summary.topFunctions);
  return {
    busyUs: {
      base: perRequest(base.summary.busyMs, base.requests),
      other: perRequest(other.summary.busyMs, other.requests),
    },
    grewMost: functions.filter((item) => item.deltaUs > 0).slice(0, top),
    shrankMost: functions
      .filter((item) => item.deltaUs < 0)
      .reverse()
      .slice(0, top),
    byPackage: differences((summary) => summary.byPackage),
    byArea: differences((summary) => summary.inclusiveByArea ?? []).sort(
      (a, b) => b.otherUs - a.otherUs,
    ),
    focused: focus
      ? functions
          .filter((item) => focus(item.location.replace(/:\d+$/, '')))
          .sort((a, b) => b.otherUs - a.otherUs || b.baseUs - a.baseUs)
      : [],
  };
}
