// Reading GET /metrics as Prometheus would: every sample of the text format by its series
// (`name{label="value",...}`), and the difference between two readings.

export type Samples = Map<string, number>;

/** One series key, labels sorted: `catalog_jobs_total{kind="x",status="accepted"}`. */
export function series(name: string, labels: Record<string, string> = {}): string {
  const parts = Object.keys(labels).sort().map((k) => `${k}="${labels[k]}"`);
  return parts.length ? `${name}{${parts.join(',')}}` : name;
}

export function parseMetrics(text: string): Samples {
  const samples: Samples = new Map();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, k, v] of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[k] = v;
    samples.set(series(m[1], labels), Number(m[3]));
  }
  return samples;
}

export async function scrape(url: string, token?: string): Promise<Samples> {
  const res = await fetch(`${url}/metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}: ${await res.text()}`);
  return parseMetrics(await res.text());
}

/** The series of `name` (counters, histogram _count) that changed between two readings, and by how much. */
export function moved(before: Samples, after: Samples, name: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, value] of after) {
    if (!key.startsWith(`${name}{`) && key !== name) continue;
    const change = value - (before.get(key) ?? 0);
    if (change !== 0) out[key] = change;
  }
  return out;
}
