/**
 * A scrape of `/metrics`, parsed by the rules of Prometheus's text exposition
 * format 0.0.4 (https://prometheus.io/docs/instrumenting/exposition_formats/):
 * every line is a `# HELP`, a `# TYPE` (before the family's samples, once) or a
 * sample `name{label="value",…} value`; a line that is none of these fails the
 * scrape, as it would fail Prometheus's.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  help: string;
  samples: Sample[];
}

export interface Scrape {
  text: string;
  families: Map<string, Family>;
  /** The value of the sample `name` (a family's name, or a histogram's `_count`, `_sum`, `_bucket`) with exactly `labels`; 0 when absent. */
  value(name: string, labels?: Record<string, string>): number;
  /** The label sets of every sample named `name`. */
  series(name: string): Record<string, string>[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?$/;
const LABEL = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(?:,|$)/;

export function parsePrometheusText(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const familyOf = (sampleName: string): Family | undefined => {
    const own = families.get(sampleName);
    if (own) return own;
    const base = sampleName.replace(/_(count|sum|bucket)$/, '');
    const family = families.get(base);
    return family && (family.type === 'histogram' || family.type === 'summary')
      ? family
      : undefined;
  };
  for (const [index, line] of text.split('\n').entries()) {
    const fail = (why: string) => new Error(`line ${index + 1} ${why}: ${line}`);
    if (line.trim() === '') continue;
    if (line.startsWith('#')) {
      const [, keyword, name, ...rest] = line.split(' ');
      if (keyword !== 'HELP' && keyword !== 'TYPE') continue; // a comment
      if (!name || !METRIC_NAME.test(name)) throw fail('names no valid metric');
      const family = families.get(name) ?? { name, type: 'untyped', help: '', samples: [] };
      if (keyword === 'HELP') family.help = rest.join(' ');
      else {
        const type = rest.join(' ');
        if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(type)) {
          throw fail('has an unknown type');
        }
        if (family.samples.length > 0) throw fail('types a family after its samples');
        family.type = type as Family['type'];
      }
      families.set(name, family);
      continue;
    }
    const match = SAMPLE.exec(line);
    if (!match) throw fail('is not a sample');
    const [, name, labelText = '', rawValue] = match as unknown as [string, string, string, string];
    const labels: Record<string, string> = {};
    let rest = labelText;
    while (rest.trim() !== '') {
      const label = LABEL.exec(rest);
      if (!label) throw fail('has malformed labels');
      const [whole, key, value] = label as unknown as [string, string, string];
      if (key in labels) throw fail(`repeats the label ${key}`);
      labels[key] = value.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
      rest = rest.slice(whole.length);
    }
    // As Prometheus reads it (Go's strconv.ParseFloat): NaN and Inf in any case.
    const value = /^[+-]?inf(inity)?$/i.test(rawValue)
      ? rawValue.startsWith('-')
        ? -Infinity
        : Infinity
      : /^nan$/i.test(rawValue)
        ? NaN
        : Number(rawValue);
    if (Number.isNaN(value) && !/^nan$/i.test(rawValue)) {
      throw fail('has a value that is not a number');
    }
    const family = familyOf(name);
    if (!family) throw fail('has a sample of no declared family');
    family.samples.push({ name, labels, value });
  }
  return families;
}

export async function scrape(url: string): Promise<Scrape> {
  const response = await fetch(url);
  if (response.status !== 200) throw new Error(`GET ${url} answered ${response.status}`);
  const contentType = response.headers.get('content-type') ?? '';
  if (!contentType.startsWith('text/plain; version=0.0.4')) {
    throw new Error(`GET ${url} answered content-type ${contentType}`);
  }
  const text = await response.text();
  const families = parsePrometheusText(text);
  const samples = (name: string) =>
    [...families.values()].flatMap((family) => family.samples.filter((s) => s.name === name));
  const exactly = (own: Record<string, string>, labels: Record<string, string>) =>
    Object.keys(own).length === Object.keys(labels).length &&
    Object.entries(labels).every(([key, value]) => own[key] === value);
  return {
    text,
    families,
    value: (name, labels = {}) =>
      samples(name).find((sample) => exactly(sample.labels, labels))?.value ?? 0,
    series: (name) => samples(name).map((sample) => sample.labels),
  };
}
