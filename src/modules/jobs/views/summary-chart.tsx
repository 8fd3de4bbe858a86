/**
 * Inline SVG horizontal bar charts for the consequence and impact summaries: no script, no
 * inline styles (colours come from classes in gas.css), labelled for screen readers, and the
 * numbers are printed beside each bar so colour is never the only carrier.
 */

const ROW = 22;
const BAR_W = 300;
const COUNT_W = 70;

/** One chart. `entries` are drawn in the given order; labels get `labelWidth` pixels. */
export function BarChart(p: { title: string; entries: [string, number][]; labelWidth?: number; barClass?: (label: string) => string }) {
  const LABEL_W = p.labelWidth ?? 230;
  const max = Math.max(1, ...p.entries.map(([, n]) => n));
  const height = p.entries.length * ROW + 4;
  const id = `chart-${p.title.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;
  return (
    <figure class="mb-4">
      <figcaption class="fw-semibold mb-1" id={id}>
        {p.title}
      </figcaption>
      {p.entries.length === 0 ? (
        <p class="text-body-secondary">Nothing to show.</p>
      ) : (
        // biome-ignore lint/a11y/noSvgWithoutTitle: named by the figcaption (aria-labelledby); each bar has its own <title>
        <svg
          class="chart"
          role="img"
          aria-labelledby={id}
          width={LABEL_W + BAR_W + COUNT_W}
          height={height}
          viewBox={`0 0 ${LABEL_W + BAR_W + COUNT_W} ${height}`}
        >
          {p.entries.map(([label, n], i) => {
            const w = Math.max(1, Math.round((n / max) * BAR_W));
            const y = i * ROW + 2;
            return (
              <g>
                <title>{`${label}: ${n}`}</title>
                <text x={LABEL_W - 6} y={y + 14} text-anchor="end">
                  {label}
                </text>
                <rect class={p.barClass?.(label) ?? "bar"} x={LABEL_W} y={y + 2} width={w} height={ROW - 6} rx="2" />
                <text x={LABEL_W + w + 6} y={y + 14}>
                  {n.toLocaleString("en-US")}
                </text>
              </g>
            );
          })}
        </svg>
      )}
    </figure>
  );
}

const IMPACT_ORDER = ["HIGH", "MODERATE", "LOW", "MODIFIER"];

/** Consequence (most frequent first) and impact (severity order) charts side by side. */
export function SummaryCharts(p: { byConsequence: Record<string, number>; byImpact: Record<string, number> }) {
  const consequences = Object.entries(p.byConsequence).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const impacts = Object.entries(p.byImpact).sort((a, b) => IMPACT_ORDER.indexOf(a[0]) - IMPACT_ORDER.indexOf(b[0]));
  return (
    <div class="row">
      <div class="col-lg-7">
        <BarChart title="Consequences" entries={consequences} />
      </div>
      <div class="col-lg-5">
        <BarChart title="Impact" entries={impacts} labelWidth={90} barClass={(l) => `bar bar-${l.toLowerCase()}`} />
      </div>
    </div>
  );
}
