/**
 * The input records the engine skipped (symbolic ALTs, contigs the reference lacks) or warned
 * about (REF not matching the genome…), with their line numbers, so a reviewer can find them in
 * the input without reading the log.
 */

export interface RecordIssue {
  /** 1-based line of the input VCF. */
  line: number;
  chrom?: string;
  pos?: number;
  kind: "skipped" | "warning";
  message: string;
}

/**
 * Issues from the engine's warning lines (`<file>: line 12: ALT "<DEL>" not annotated: …`), for
 * stores that do not list them: the job summary keeps the first 1,000.
 */
export function issuesFromWarnings(warnings: readonly string[]): RecordIssue[] {
  return warnings.flatMap((w) => {
    const m = /(?:^|: )line (\d+): (.*)$/s.exec(w);
    if (!m) return [];
    const message = m[2]!;
    return [{ line: Number(m[1]), kind: /not annotated|skipp/i.test(message) ? "skipped" : "warning", message } as RecordIssue];
  });
}

export function RecordIssues(p: { issues: readonly RecordIssue[]; total: number; skipped: number; logHref: string }) {
  if (p.total === 0 && p.issues.length === 0) return null;
  return (
    <section aria-labelledby="record-issues" class="mt-4">
      <details id="record-issues-box" open={p.issues.length <= 20 ? true : undefined}>
        <summary class="h5" id="record-issues">
          {`Records skipped or warned about: ${p.total.toLocaleString("en-US")}`}
          {p.skipped ? ` (${p.skipped.toLocaleString("en-US")} skipped)` : ""}
        </summary>
        <div class="table-responsive">
          <table class="table table-sm results-table" id="record-issues-table">
            <caption class="caption-top">
              {p.issues.length < p.total
                ? `The first ${p.issues.length.toLocaleString("en-US")}; the log lists every one.`
                : "Input lines the annotation did not cover fully."}{" "}
              <a href={p.logHref}>View the log</a>.
            </caption>
            <thead>
              <tr>
                <th scope="col">Input line</th>
                <th scope="col">Position</th>
                <th scope="col">What happened</th>
                <th scope="col">Why</th>
              </tr>
            </thead>
            <tbody>
              {p.issues.map((i) => (
                <tr>
                  <th scope="row" class="fw-normal num">
                    {i.line.toLocaleString("en-US")}
                  </th>
                  <td>{i.chrom ? `${i.chrom}:${i.pos ?? ""}` : "–"}</td>
                  <td>{i.kind === "skipped" ? "skipped" : "warning"}</td>
                  <td class="wrap">{i.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </section>
  );
}
