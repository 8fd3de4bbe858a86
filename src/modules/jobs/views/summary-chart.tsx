/**
 * Inline SVG bar charts of a job's summary (counted at annotation time; no chart ever reads rows).
 * Each says what it counts (variants, by their most severe effect, or variant × transcript rows),
 * draws bars on a log scale (a single HIGH variant among a million MODIFIERs is still a visible
 * bar; the number is printed beside it, so neither length nor colour is the only carrier), and
 * each bar is a link to the results filtered to it. No script, no inline styles (colours come from
 * classes in gas.css: the CSP has no 'unsafe-inline').
 */

const ROW = 22;
const BAR_W = 300;
const COUNT_W = 80;
/** A non-zero count is at least this wide, so it cannot vanish next to a huge one. */
const MIN_BAR = 3;

export interface Bar {
  label: string;
  count: number;
  /** The results filtered to this bar. */
  href?: string;
  /** Extra class of the bar (impact colours). */
  kind?: string;
}

/** log10(n + 1) scaled so that `max` fills the bar width. */
export function barWidth(n: number, max: number): number {
  if (n <= 0) return 0;
  return Math.max(MIN_BAR, Math.round((Math.log10(n + 1) / Math.log10(Math.max(max, 1) + 1)) * BAR_W));
}

/** One chart. `counts` names what a bar counts ("variants", "variant × transcript rows"). */
export function BarChart(p: { title: string; counts: string; bars: readonly Bar[]; labelWidth?: number; id?: string }) {
  const LABEL_W = p.labelWidth ?? 230;
  const max = Math.max(1, ...p.bars.map((b) => b.count));
  const height = p.bars.length * ROW + 4;
  const id = p.id ?? `chart-${p.title.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;
  const width = LABEL_W + BAR_W + COUNT_W;
  return (
    <figure class="mb-4 summary-chart" id={id}>
      <figcaption class="mb-1">
        <span class="fw-semibold" id={`${id}-title`}>
          {p.title}
        </span>{" "}
        <span class="small text-body-secondary">({p.counts}; log scale)</span>
      </figcaption>
      {p.bars.length === 0 ? (
        <p class="text-body-secondary">Nothing to show.</p>
      ) : (
        // biome-ignore lint/a11y/useSemanticElements: an SVG cannot be a <fieldset>; role=group names the set of bar links
        <svg class="chart" role="group" aria-labelledby={`${id}-title`} width={width} height={height} viewBox={`0 0 ${width} ${height}`}>
          {p.bars.map((b, i) => {
            const w = barWidth(b.count, max);
            const y = i * ROW + 2;
            const text = `${b.label}: ${b.count.toLocaleString("en-US")} ${b.count === 1 ? p.counts.replace(/s$/, "") : p.counts}`;
            // A link's name is its <title> (also the tooltip); its two texts repeat it, so they are
            // hidden from assistive technology. An aria-label that differed from the visible
            // "label count" was axe's label-content-name-mismatch (serious).
            const hidden = b.href ? "true" : undefined;
            const body = (
              <>
                <title>{b.href ? `${text} — show them` : text}</title>
                <text x={LABEL_W - 6} y={y + 14} text-anchor="end" aria-hidden={hidden}>
                  {b.label}
                </text>
                <rect class={`bar${b.kind ? ` bar-${b.kind}` : ""}`} x={LABEL_W} y={y + 2} width={w} height={ROW - 6} rx="2" />
                <text x={LABEL_W + w + 6} y={y + 14} aria-hidden={hidden}>
                  {b.count.toLocaleString("en-US")}
                </text>
              </>
            );
            return b.href ? (
              <a href={b.href} data-results-nav="" class="chart-link">
                {body}
              </a>
            ) : (
              <g>{body}</g>
            );
          })}
        </svg>
      )}
    </figure>
  );
}

export const IMPACT_ORDER = ["HIGH", "MODERATE", "LOW", "MODIFIER"];

/** Record → bars, most frequent first (or in `order` when given). */
export function barsOf(counts: Record<string, number>, href?: (label: string) => string | undefined, order?: readonly string[]): Bar[] {
  const entries = Object.entries(counts).filter(([, n]) => n > 0);
  if (order) entries.sort((a, b) => order.indexOf(a[0]) - order.indexOf(b[0]));
  else entries.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return entries.map(([label, count]) => ({ label, count, href: href?.(label) }));
}

/** Impact bars in severity order, coloured by impact. */
export function impactBars(counts: Record<string, number>, href?: (impact: string) => string): Bar[] {
  return barsOf(counts, href, IMPACT_ORDER).map((b) => ({ ...b, kind: b.label.toLowerCase() }));
}
