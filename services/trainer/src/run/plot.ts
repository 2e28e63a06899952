import type { EvalRecord, MetricRow } from '@grpo/contracts';

/** A series to draw: points (x = step), a colour and a legend label. */
interface Series {
  label: string;
  color: string;
  points: [number, number][];
  dots?: boolean;
}

const W = 720;
const H = 260;
const PAD = { l: 48, r: 16, t: 28, b: 36 };

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function panel(
  title: string,
  series: Series[],
  yMin: number,
  yMax: number,
  xMax: number,
  y0: number,
): string {
  const pw = W - PAD.l - PAD.r;
  const ph = H - PAD.t - PAD.b;
  const span = yMax - yMin || 1;
  const sx = (x: number) => PAD.l + (xMax > 0 ? (x / xMax) * pw : 0);
  const sy = (y: number) => y0 + PAD.t + ph - ((y - yMin) / span) * ph;
  const out: string[] = [];
  out.push(`<text x="${PAD.l}" y="${y0 + 18}" font-size="14" font-weight="600">${esc(title)}</text>`);
  out.push(
    `<rect x="${PAD.l}" y="${y0 + PAD.t}" width="${pw}" height="${ph}" fill="none" stroke="#cbd5e1"/>`,
  );
  for (let i = 0; i <= 4; i++) {
    const v = yMin + (span * i) / 4;
    const y = sy(v);
    out.push(`<line x1="${PAD.l}" x2="${PAD.l + pw}" y1="${y}" y2="${y}" stroke="#f1f5f9"/>`);
    out.push(`<text x="${PAD.l - 6}" y="${y + 4}" font-size="11" text-anchor="end">${v.toFixed(2)}</text>`);
  }
  for (let i = 0; i <= 5; i++) {
    const x = Math.round((xMax * i) / 5);
    out.push(`<text x="${sx(x)}" y="${y0 + H - 18}" font-size="11" text-anchor="middle">${x}</text>`);
  }
  out.push(`<text x="${PAD.l + pw / 2}" y="${y0 + H - 4}" font-size="11" text-anchor="middle">step</text>`);
  let lx = PAD.l + 180;
  for (const s of series) {
    if (s.points.length && !s.dots) {
      const d = s.points
        .map(([x, y], i) => `${i ? 'L' : 'M'}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`)
        .join('');
      out.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="1.5"/>`);
    }
    if (s.dots) {
      for (const [x, y] of s.points) {
        out.push(`<circle cx="${sx(x).toFixed(1)}" cy="${sy(y).toFixed(1)}" r="4" fill="${s.color}"/>`);
      }
    }
    out.push(`<rect x="${lx}" y="${y0 + 9}" width="10" height="10" fill="${s.color}"/>`);
    out.push(`<text x="${lx + 14}" y="${y0 + 18}" font-size="12">${esc(s.label)}</text>`);
    lx += 24 + s.label.length * 7;
  }
  return out.join('\n');
}

/** Moving average over `k` points (the per-step reward of a small batch is noisy). */
function smooth(points: [number, number][], k: number): [number, number][] {
  return points.map(([x], i) => {
    const w = points.slice(Math.max(0, i - k + 1), i + 1);
    return [x, w.reduce((a, [, y]) => a + y, 0) / w.length];
  });
}

/**
 * An SVG of a run: training loss (top) and reward / accuracy per step with the eval accuracies
 * as dots (bottom). Self-contained (no fonts, scripts or links), so it renders anywhere a README does.
 */
export function runPlotSvg(rows: readonly MetricRow[], evals: readonly EvalRecord[], title: string): string {
  const xMax = Math.max(1, ...rows.map((r) => r.step));
  const loss = rows.filter((r) => r.loss !== null).map((r) => [r.step, r.loss as number] as [number, number]);
  const reward = rows
    .filter((r) => r.rewardMean !== null)
    .map((r) => [r.step, r.rewardMean as number] as [number, number]);
  const acc = rows
    .filter((r) => r.accuracy !== null)
    .map((r) => [r.step, r.accuracy as number] as [number, number]);
  const evalPts = evals.map((e) => [e.step, e.accuracy] as [number, number]);
  const lossMax = Math.max(1e-9, ...loss.map(([, y]) => y));
  // Policy-gradient losses go below zero; SFT losses do not.
  const lossMin = Math.min(0, ...loss.map(([, y]) => y));
  const top = Math.max(1, ...reward.map(([, y]) => y));
  const body = [
    `<text x="${PAD.l}" y="16" font-size="15" font-weight="700">${esc(title)}</text>`,
    panel('Training loss', [{ label: 'loss', color: '#9333ea', points: loss }], lossMin, lossMax, xMax, 16),
    panel(
      'Reward and accuracy',
      [
        { label: 'reward (mean, smoothed)', color: '#2563eb', points: smooth(reward, 5) },
        { label: 'accuracy (smoothed)', color: '#16a34a', points: smooth(acc, 5) },
        { label: 'held-out accuracy', color: '#dc2626', points: evalPts, dots: true },
      ],
      0,
      top,
      xMax,
      16 + H,
    ),
  ];
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${2 * H + 24}" ` +
    `viewBox="0 0 ${W} ${2 * H + 24}" font-family="sans-serif" fill="#0f172a">\n` +
    `<rect width="100%" height="100%" fill="white"/>\n${body.join('\n')}\n</svg>\n`
  );
}
