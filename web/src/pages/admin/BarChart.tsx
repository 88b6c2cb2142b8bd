// A tiny horizontal bar chart in inline SVG (the CSP allows inline SVG): one question per chart,
// the numbers written beside the bars so nothing is read from length or colour alone. Positions
// are percentages and the text keeps its pixel size, so it stays readable at 360 px wide.
import { number } from '../../lib/format';

export interface Bar {
  label: string;
  value: number;
  /** The value as words, when it is not a plain count (e.g. "83%"). */
  text?: string;
}

let nextId = 0;

export function BarChart({ title, bars, max }: { title: string; bars: Bar[]; max?: number }) {
  const id = `chart-${++nextId}`;
  const top = max ?? Math.max(1, ...bars.map((b) => b.value));
  const row = 26;
  const labelPct = 36; // label column, right-aligned against the axis
  const barPct = 48; // the longest bar; the rest of the width holds its number
  const height = bars.length * row + 4;
  const summary = bars.map((b) => `${b.label}: ${b.text ?? number(b.value)}`).join(', ');
  return (
    <svg class="chart" width="100%" height={height} style={{ height: `${height}px` }} role="img" aria-labelledby={id}>
      <title id={id}>{`${title}. ${summary}`}</title>
      <line class="axis" x1={`${labelPct}%`} y1={0} x2={`${labelPct}%`} y2={height} />
      {bars.map((b, i) => {
        const w = Math.max(0, Math.min(1, b.value / top)) * barPct;
        const y = i * row + 4;
        return (
          <g key={b.label}>
            <text x={`${labelPct - 2}%`} y={y + 14} text-anchor="end">{b.label}</text>
            {b.value > 0 ? <rect class="bar" x={`${labelPct}%`} y={y + 2} width={`${Math.max(w, 0.5)}%`} height={row - 10} rx={2} /> : null}
            <text x={`${labelPct + w + 1.5}%`} y={y + 14}>{b.text ?? number(b.value)}</text>
          </g>
        );
      })}
    </svg>
  );
}
