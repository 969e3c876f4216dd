/** A strict reader of the Prometheus text exposition format (0.0.4), for tests. */

/** One sample line. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** A metric family: its TYPE, HELP and samples. */
export interface Family {
  readonly type: string;
  readonly help: string;
  readonly samples: Sample[];
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(.*)\\})? (\\S+)$`);
const LABEL = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(?:,|$)/;
const SUFFIXES: Readonly<Record<string, readonly string[]>> = {
  counter: [''],
  gauge: [''],
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['', '_sum', '_count'],
};

function parseValue(text: string, line: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  // Scrapers read NaN in any case (prom-client writes "Nan" for an empty event-loop histogram).
  if (text.toLowerCase() === 'nan') return NaN;
  const value = Number(text);
  if (text === '' || Number.isNaN(value)) throw new Error(`bad value in: ${line}`);
  return value;
}

function parseLabels(text: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let rest = text;
  while (rest.length > 0) {
    const m = LABEL.exec(rest);
    if (!m) throw new Error(`bad labels in: ${line}`);
    labels[m[1]!] = m[2]!;
    rest = rest.slice(m[0].length);
  }
  return labels;
}

/** Parses the exposition; throws on any line that breaks the format. Histograms are checked for consistency. */
export function parsePrometheus(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const help = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const meta = new RegExp(`^# (HELP|TYPE) (${NAME}) (.*)$`).exec(line);
    if (meta) {
      if (meta[1] === 'HELP') help.set(meta[2]!, meta[3]!);
      else {
        if (!(meta[3]! in SUFFIXES)) throw new Error(`unknown type in: ${line}`);
        families.set(meta[2]!, { type: meta[3]!, help: help.get(meta[2]!) ?? '', samples: [] });
      }
      continue;
    }
    const m = SAMPLE.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    const name = m[1]!;
    const family = [...families.entries()].find(([base, f]) =>
      SUFFIXES[f.type]!.some((suffix) => base + suffix === name),
    );
    if (!family) throw new Error(`sample without a TYPE: ${line}`);
    family[1].samples.push({ name, labels: parseLabels(m[2] ?? '', line), value: parseValue(m[3]!, line) });
  }
  for (const [name, family] of families) {
    if (!family.help) throw new Error(`${name} has no HELP`);
    if (family.type === 'histogram') checkHistogram(name, family);
  }
  return families;
}

/** Checks each series of a histogram (its samples grouped by their labels other than `le`). */
function checkHistogram(name: string, family: Family): void {
  const series = new Map<string, Sample[]>();
  for (const s of family.samples) {
    const { le: _le, ...rest } = s.labels;
    const key = JSON.stringify(rest);
    series.set(key, [...(series.get(key) ?? []), s]);
  }
  for (const samples of series.values()) checkHistogramSeries(name, samples);
}

function checkHistogramSeries(name: string, samples: readonly Sample[]): void {
  const buckets = samples.filter((s) => s.name === `${name}_bucket`);
  const count = samples.find((s) => s.name === `${name}_count`);
  if (!count || !samples.some((s) => s.name === `${name}_sum`)) throw new Error(`${name}: no _sum or _count`);
  const les = buckets.map((b) => parseValue(b.labels.le ?? '', name));
  if (les.at(-1) !== Infinity || buckets.at(-1)!.value !== count.value)
    throw new Error(`${name}: +Inf bucket ≠ _count`);
  for (let i = 1; i < buckets.length; i++) {
    if (les[i]! <= les[i - 1]! || buckets[i]!.value < buckets[i - 1]!.value)
      throw new Error(`${name}: buckets not cumulative`);
  }
}

/** The value of `name`'s sample with these labels (all of them matching), or undefined. */
export function sampleValue(
  families: Map<string, Family>,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  for (const family of families.values()) {
    const s = family.samples.find(
      (x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v),
    );
    if (s) return s.value;
  }
  return undefined;
}
