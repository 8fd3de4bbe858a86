/**
 * Reading Locust's `<prefix>_stats.csv` (written by `locust --csv`) and printing it as a
 * per-endpoint table. Columns are found by header name, so Locust adding columns does not shift
 * them. The CSV has no quoted commas in the fields we read except possibly the name, which the
 * small parser below handles (RFC 4180 quotes).
 */

export interface EndpointStats {
  type: string;
  name: string;
  requests: number;
  failures: number;
  requestsPerSecond: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Split one CSV line, honouring double quotes ("" inside quotes is a quote). */
function csvFields(line: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') (cur += '"'), i++;
      else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") out.push(cur), (cur = "");
    else cur += ch;
  }
  out.push(cur);
  return out;
}

/** Rows of a Locust stats CSV; throws naming the line when a needed column is missing or not a number. */
export function parseLocustStats(csv: string, file = "stats.csv"): EndpointStats[] {
  const lines = csv.split(/\r?\n/).filter((l) => l.length > 0);
  const header = csvFields(lines[0] ?? "");
  const col = (name: string) => {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`${file}: line 1: no "${name}" column (got ${header.join(", ")})`);
    return i;
  };
  const cols = {
    type: col("Type"),
    name: col("Name"),
    requests: col("Request Count"),
    failures: col("Failure Count"),
    rps: col("Requests/s"),
    p50: col("50%"),
    p95: col("95%"),
    p99: col("99%"),
    max: col("Max Response Time"),
  };
  return lines.slice(1).map((line, i) => {
    const f = csvFields(line);
    const num = (k: keyof typeof cols) => {
      const raw = f[cols[k]] ?? "";
      // Locust writes "N/A" for percentiles of an endpoint with no successful request.
      if (raw === "N/A") return NaN;
      const v = Number(raw);
      if (raw === "" || Number.isNaN(v))
        throw new Error(`${file}: line ${i + 2}: column ${header[cols[k]]} is ${JSON.stringify(raw)}, not a number`);
      return v;
    };
    return {
      type: f[cols.type] ?? "",
      name: f[cols.name] ?? "",
      requests: num("requests"),
      failures: num("failures"),
      requestsPerSecond: num("rps"),
      p50: num("p50"),
      p95: num("p95"),
      p99: num("p99"),
      max: num("max"),
    };
  });
}

/** A fixed-width text table: one row per endpoint, the aggregate last. */
export function formatStatsTable(rows: EndpointStats[]): string {
  const ms = (v: number) => (Number.isNaN(v) ? "-" : String(Math.round(v)));
  const head = ["type", "endpoint", "requests", "failures", "req/s", "p50 ms", "p95 ms", "p99 ms", "max ms"];
  const body = rows.map((r) => [
    r.type,
    r.name === "Aggregated" ? "all (incl. JOB rows)" : r.name,
    String(r.requests),
    String(r.failures),
    r.requestsPerSecond.toFixed(2),
    ms(r.p50),
    ms(r.p95),
    ms(r.p99),
    ms(r.max),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [fmt(head), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(fmt)].join("\n");
}
