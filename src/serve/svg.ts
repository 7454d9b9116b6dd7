/**
 * Charts as plain SVG, made on the server (the pages run no script). Every string is escaped; the
 * numbers are drawn and also given as <title> tooltips.
 */
import { esc } from './esc.js';

export interface Series {
  name: string;
  color: string;
}

const W = 760;
const FONT = 'font-family="Noto Sans CJK SC, WenQuanYi Zen Hei, sans-serif" font-size="12"';

function legend(series: Series[], y: number): string {
  return series
    .map((s, i) => `<rect x="${10 + i * 130}" y="${y}" width="12" height="12" fill="${s.color}"/><text x="${26 + i * 130}" y="${y + 11}">${esc(s.name)}</text>`)
    .join('');
}

/** Grouped vertical bars: one group per category, one bar per series. */
export function groupedBars(title: string, categories: string[], series: Series[], values: number[][]): string {
  const max = Math.max(1, ...values.flat());
  const top = 40;
  const h = 200;
  const left = 50;
  const gw = Math.max(36, Math.min(120, (W - left - 10) / Math.max(1, categories.length)));
  const width = Math.max(W, Math.ceil(left + categories.length * gw + 10));
  const bw = (gw - 10) / Math.max(1, series.length);
  // labels wider than their group are written slanted
  const slant = categories.some((c) => labelWidth(c) > gw - 4);
  const labelH = slant ? Math.min(140, Math.max(...categories.map(labelWidth)) * 0.72 + 10) : 15;
  const bars = categories
    .map((c, i) => {
      const cx = left + i * gw + gw / 2;
      const label = slant
        ? `<text x="${cx.toFixed(1)}" y="${top + h + 12}" text-anchor="end" transform="rotate(-45 ${cx.toFixed(1)} ${top + h + 12})">${esc(c)}</text>`
        : `<text x="${cx.toFixed(1)}" y="${top + h + 15}" text-anchor="middle">${esc(c)}</text>`;
      return (
        series
          .map((s, j) => {
            const v = values[i]?.[j] ?? 0;
            const bh = (v / max) * h;
            const x = left + i * gw + 5 + j * bw;
            return `<rect class="bar" x="${x.toFixed(1)}" y="${(top + h - bh).toFixed(1)}" width="${(bw - 1).toFixed(1)}" height="${bh.toFixed(1)}" fill="${s.color}"><title>${esc(c)} ${esc(s.name)}: ${v}</title></rect>` +
              `<text x="${(x + bw / 2).toFixed(1)}" y="${(top + h - bh - 2).toFixed(1)}" text-anchor="middle" font-size="10">${v}</text>`;
          })
          .join('') + label
      );
    })
    .join('');
  const height = top + h + labelH + 30;
  return `<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-label="${esc(title)}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT}>
<text x="10" y="18" font-size="14" font-weight="bold">${esc(title)}</text>
<line x1="${left}" y1="${top + h}" x2="${width - 5}" y2="${top + h}" stroke="#333"/><text x="${left - 4}" y="${top + 8}" text-anchor="end">${max}</text><text x="${left - 4}" y="${top + h}" text-anchor="end">0</text>
${bars}${legend(series, top + h + labelH + 10)}</svg>`;
}

/** About how wide a label is at 12px: CJK characters 12, others 7. */
function labelWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += /[\u2e80-\uffff]/u.test(ch) ? 12 : 7;
  return w;
}

/** Horizontal bars of shares (0..1), labelled with the percentage. */
export function shareBars(title: string, labels: string[], shares: number[], color = '#c0392b'): string {
  const top = 30;
  const row = 22;
  const left = 330;
  const width = W - left - 60;
  const bars = labels
    .map((l, i) => {
      const s = shares[i] ?? 0;
      const y = top + i * row;
      return `<text x="${left - 6}" y="${y + 14}" text-anchor="end">${esc(l)}</text><rect x="${left}" y="${y + 3}" width="${width}" height="${row - 6}" fill="#eee"/>` +
        `<rect class="bar" x="${left}" y="${y + 3}" width="${(s * width).toFixed(1)}" height="${row - 6}" fill="${color}"><title>${esc(l)}: ${(s * 100).toFixed(1)}%</title></rect>` +
        `<text x="${(left + s * width + 4).toFixed(1)}" y="${y + 14}">${(s * 100).toFixed(1)}%</text>`;
    })
    .join('');
  const height = top + labels.length * row + 10;
  return `<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-label="${esc(title)}" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}" ${FONT}>
<text x="10" y="18" font-size="14" font-weight="bold">${esc(title)}</text>${bars}</svg>`;
}

/** Stacked horizontal bars: one bar per row label, one segment per series. */
export function stackedBars(title: string, labels: string[], series: Series[], values: number[][]): string {
  const top = 30;
  const row = 22;
  const left = 260;
  const width = W - left - 60;
  const max = Math.max(1, ...values.map((v) => v.reduce((a, b) => a + b, 0)));
  const bars = labels
    .map((l, i) => {
      const y = top + i * row;
      let x = left;
      const segs = series
        .map((s, j) => {
          const v = values[i]?.[j] ?? 0;
          const w = (v / max) * width;
          const seg = `<rect class="bar" x="${x.toFixed(1)}" y="${y + 3}" width="${w.toFixed(1)}" height="${row - 6}" fill="${s.color}"><title>${esc(l)} ${esc(s.name)}: ${v}</title></rect>`;
          x += w;
          return seg;
        })
        .join('');
      const total = (values[i] ?? []).reduce((a, b) => a + b, 0);
      return `<text x="${left - 6}" y="${y + 14}" text-anchor="end">${esc(l)}</text>${segs}<text x="${(x + 4).toFixed(1)}" y="${y + 14}">${total}</text>`;
    })
    .join('');
  const height = top + labels.length * row + 35;
  return `<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-label="${esc(title)}" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}" ${FONT}>
<text x="10" y="18" font-size="14" font-weight="bold">${esc(title)}</text>${bars}${legend(series, top + labels.length * row + 10)}</svg>`;
}
