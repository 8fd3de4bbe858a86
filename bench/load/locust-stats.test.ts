import { describe, expect, test } from "bun:test";
import { formatStatsTable, parseLocustStats } from "./locust-stats.ts";

// The header Locust 2.47 writes (locust/stats.py requests_csv_columns), rows as it writes them:
// names with commas are quoted, percentiles of an endpoint without successes are "N/A".
const HEADER =
  "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%";
const CSV = [
  HEADER,
  "GET,/annotations/[id] (poll),2636,0,240,301.5,3,1904,512.0,26.47,0.0,240,300,350,400,600,860,1100,1300,1800,1900,1904",
  'POST,"upload, signed",76,2,770,800.1,100,2142,120.0,0.76,0.02,770,900,1000,1100,1500,1800,2000,2100,2142,2142,2142',
  "FLOW,sign-in,5,5,0,0.0,0,0,0.0,5.09,5.09,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A",
  ",Aggregated,2717,7,250,310.0,0,2142,500.0,32.98,5.11,250,300,350,400,600,1000,1300,1500,2000,2142,2142",
  "",
].join("\n");

describe("parseLocustStats", () => {
  test("reads every row by column name, quoted names and N/A percentiles included", () => {
    const rows = parseLocustStats(CSV);
    expect(rows.map((r) => r.name)).toEqual(["/annotations/[id] (poll)", "upload, signed", "sign-in", "Aggregated"]);
    expect(rows[0]).toEqual({
      type: "GET",
      name: "/annotations/[id] (poll)",
      requests: 2636,
      failures: 0,
      requestsPerSecond: 26.47,
      p50: 240,
      p95: 860,
      p99: 1300,
      max: 1904,
    });
    expect(rows[1]!.failures).toBe(2);
    expect(rows[2]!.p99).toBeNaN();
    expect(rows[3]!.requests).toBe(2717);
  });

  test("a missing column or a non-number names the file, the line and the column", () => {
    expect(() => parseLocustStats("Type,Name\nGET,/x\n", "run_stats.csv")).toThrow('run_stats.csv: line 1: no "Request Count" column');
    const bad = `${HEADER}\nGET,/x,many,0,1,1,1,1,1,1,0,1,1,1,1,1,1,1,1,1,1,1\n`;
    expect(() => parseLocustStats(bad, "run_stats.csv")).toThrow('run_stats.csv: line 2: column Request Count is "many", not a number');
  });
});

describe("formatStatsTable", () => {
  test("one aligned line per endpoint, N/A as -, the aggregate labelled", () => {
    const lines = formatStatsTable(parseLocustStats(CSV)).split("\n");
    expect(lines).toHaveLength(2 + 4);
    expect(lines[0]).toMatch(/^type\s+endpoint\s+requests\s+failures\s+req\/s\s+p50 ms\s+p95 ms\s+p99 ms\s+max ms$/);
    expect(lines[2]).toMatch(/^GET\s+\/annotations\/\[id\] \(poll\)\s+2636\s+0\s+26\.47\s+240\s+860\s+1300\s+1904$/);
    expect(lines[4]).toMatch(/sign-in\s+5\s+5\s+5\.09\s+-\s+-\s+-\s+0$/);
    expect(lines[5]).toContain("all (incl. JOB rows)");
    expect(new Set(lines.map((l) => l.length)).size).toBe(1);
  });
});
