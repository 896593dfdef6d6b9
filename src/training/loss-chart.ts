// A run's report as one self-contained HTML page: the train and validation loss curves on one SVG chart
// (labelled axes, a legend, the best checkpoint marked), the checkpoints and the checks. No script, no CDN.
import { escapeHtml } from '../perf/svg.js'
import type { LossPoint } from './metrics.js'
import type { TrainRecord } from './record.js'

const W = 760
const H = 360
const PLOT = { left: 70, right: 24, top: 48, bottom: 56 }

export const SERIES = {
  train: { name: 'train loss', color: '#1f77b4' },
  val: { name: 'validation loss', color: '#ff7f0e' },
}

/** "Nice" tick values covering [min, max]. Pure. */
export function ticks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) return [min]
  const raw = (max - min) / count
  const magnitude = 10 ** Math.floor(Math.log10(raw))
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * magnitude >= raw) ?? 10) * magnitude
  const out: number[] = []
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step)
    out.push(Number(v.toPrecision(12)))
  return out
}

export function lossChart(
  train: readonly LossPoint[],
  val: readonly LossPoint[],
  best?: { iteration: number; valLoss?: number },
): string {
  const all = [...train, ...val].filter((p) => Number.isFinite(p.loss))
  if (!all.length) return '<p>No loss reported yet.</p>'
  const maxX = Math.max(1, ...all.map((p) => p.iteration))
  const minY = Math.min(...all.map((p) => p.loss))
  const maxY = Math.max(...all.map((p) => p.loss))
  const pad = (maxY - minY) * 0.05 || 0.1
  const y0 = Math.max(0, minY - pad)
  const y1 = maxY + pad
  const x = (i: number) => PLOT.left + (i / maxX) * (W - PLOT.left - PLOT.right)
  const y = (v: number) => H - PLOT.bottom - ((v - y0) / (y1 - y0)) * (H - PLOT.top - PLOT.bottom)
  const parts: string[] = []
  for (const t of ticks(y0, y1)) {
    parts.push(
      `<line x1="${PLOT.left}" x2="${W - PLOT.right}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}" class="grid"/>`,
      `<text x="${PLOT.left - 6}" y="${(y(t) + 4).toFixed(1)}" text-anchor="end" class="tick">${t}</text>`,
    )
  }
  for (const t of ticks(0, maxX))
    parts.push(
      `<text x="${x(t).toFixed(1)}" y="${H - PLOT.bottom + 16}" text-anchor="middle" class="tick">${t}</text>`,
    )
  parts.push(
    `<line x1="${PLOT.left}" y1="${H - PLOT.bottom}" x2="${W - PLOT.right}" y2="${H - PLOT.bottom}" class="axis"/>`,
    `<line x1="${PLOT.left}" y1="${PLOT.top}" x2="${PLOT.left}" y2="${H - PLOT.bottom}" class="axis"/>`,
    `<text x="${(PLOT.left + W - PLOT.right) / 2}" y="${H - 14}" text-anchor="middle" class="axis-label">iteration</text>`,
    `<text x="18" y="${(PLOT.top + H - PLOT.bottom) / 2}" text-anchor="middle" class="axis-label" transform="rotate(-90 18 ${(PLOT.top + H - PLOT.bottom) / 2})">loss</text>`,
  )
  const line = (points: readonly LossPoint[], s: { name: string; color: string }) => {
    const finite = points.filter((p) => Number.isFinite(p.loss))
    if (!finite.length) return
    parts.push(
      `<polyline data-series="${escapeHtml(s.name)}" fill="none" stroke="${s.color}" stroke-width="2" points="${finite.map((p) => `${x(p.iteration).toFixed(1)},${y(p.loss).toFixed(1)}`).join(' ')}"><title>${escapeHtml(s.name)}</title></polyline>`,
      ...finite.map(
        (p) =>
          `<circle cx="${x(p.iteration).toFixed(1)}" cy="${y(p.loss).toFixed(1)}" r="2.5" fill="${s.color}"><title>${escapeHtml(`${s.name} at iteration ${p.iteration}: ${p.loss.toFixed(3)}`)}</title></circle>`,
      ),
    )
  }
  line(train, SERIES.train)
  line(val, SERIES.val)
  if (best) {
    const bx = x(best.iteration).toFixed(1)
    parts.push(
      `<line x1="${bx}" x2="${bx}" y1="${PLOT.top}" y2="${H - PLOT.bottom}" class="best"/>`,
      `<text x="${bx}" y="${PLOT.top - 4}" text-anchor="middle" class="best-label">best checkpoint: iteration ${best.iteration}${best.valLoss !== undefined ? `, validation loss ${best.valLoss.toFixed(3)}` : ''}</text>`,
    )
  }
  let lx = PLOT.left
  for (const s of [SERIES.train, SERIES.val]) {
    parts.push(
      `<rect x="${lx}" y="14" width="14" height="4" fill="${s.color}"/>`,
      `<text x="${lx + 20}" y="20" class="legend">${escapeHtml(s.name)}</text>`,
    )
    lx += 40 + s.name.length * 7
  }
  return `<svg data-chart="loss" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="train and validation loss by iteration">${parts.join('')}</svg>`
}

export function renderTrainReport(record: TrainRecord): string {
  const row = (cells: (string | number)[]) =>
    `<tr>${cells.map((c) => `<td>${escapeHtml(String(c))}</td>`).join('')}</tr>`
  const checkpoints = record.checkpoints
    .map((c) =>
      row([
        c.iteration,
        c.valLoss !== undefined ? c.valLoss.toFixed(3) : '—',
        c.iteration === record.bestCheckpoint?.iteration ? 'best' : '',
        c.path,
      ]),
    )
    .join('')
  const checks = record.checks.map((c) => row([c.level, c.name, c.message])).join('')
  const c = record.config
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>punie train ${escapeHtml(record.runId)}</title>
<style>body{font:14px system-ui,sans-serif;margin:24px;color:#222}table{border-collapse:collapse;margin:8px 0 20px}td,th{border:1px solid #ddd;padding:4px 8px;text-align:left}
.grid{stroke:#eee}.axis{stroke:#444}.tick{font-size:11px;fill:#555}.axis-label{font-size:13px;fill:#222}.legend{font-size:12px}.best{stroke:#2ca02c;stroke-dasharray:4 3}.best-label{font-size:11px;fill:#2ca02c}</style></head><body>
<h1>Training run ${escapeHtml(record.runId)}</h1>
<p>${escapeHtml(`${record.runner} · ${record.baseModel} · status ${record.status}${record.failure ? ` (${record.failure.kind}: ${record.failure.message})` : ''}`)}</p>
<p>${escapeHtml(`rank ${c.rank} · alpha ${c.alpha} · dropout ${c.dropout} · layers ${c.num_layers} · learning rate ${c.learning_rate} · batch ${c.batch_size} · ${record.metrics.totalIterations ?? '?'} iterations · seed ${c.seed}`)}</p>
<h2>Loss</h2>
${lossChart(record.metrics.train, record.metrics.val, record.bestCheckpoint)}
<h2>Checkpoints</h2>
<table><tr><th>iteration</th><th>validation loss</th><th></th><th>path</th></tr>${checkpoints || row(['none', '', '', ''])}</table>
${exportSection(record)}
<h2>Checks</h2>
<table><tr><th>level</th><th>check</th><th>result</th></tr>${checks}</table>
</body></html>
`
}

function exportSection(record: TrainRecord): string {
  const q = record.quantized
  if (!record.fused && !q) return ''
  const score = (s?: { score: number; passed: number; total: number }) =>
    s ? `${s.score.toFixed(2)} (${s.passed}/${s.total})` : '—'
  const items = [
    ...(record.fused
      ? [`fused: ${record.fused.path}${record.fused.dequantized ? ' (dequantized)' : ''}`]
      : []),
    ...(q
      ? [
          q.skipped ??
            `${q.bits}-bit: ${q.path ?? ''} · score ${score(q.quantizedScore)} against ${score(q.fusedScore)} unquantized · ${q.passed === undefined ? 'not scored' : q.passed ? 'passed' : `FAILED (drop over ${q.maxDrop})`}`,
        ]
      : []),
  ]
  return `<h2>Fuse and quantize</h2><ul>${items.map((i) => `<li>${escapeHtml(i)}</li>`).join('')}</ul>`
}
