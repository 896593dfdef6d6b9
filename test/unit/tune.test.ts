// The grid search's pure parts: the grid spec and its expansion, the Wilson interval, the Pareto front and the
// best point, the table, the chart's marks and labels, the generated train config and the run record, the folder.
import { appendFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { wilson } from '../../src/eval/stats.js'
import { tuneScatter } from '../../src/training/tune-chart.js'
import {
  bestPoint,
  type PointFigures,
  type PointOutcome,
  paretoFront,
  tuneTable,
} from '../../src/training/tune-figures.js'
import { expandGrid, GridError, numberList, parseGrid } from '../../src/training/tune-spec.js'
import { TuneDir, TuneStoreError } from '../../src/training/tune-store.js'
import { lastRecord, trainConfigFor } from '../../src/training/tune-train.js'
import { makeTempDir } from '../helpers/temp.js'

const interval = (successes: number, n: number) => {
  const [low, high] = wilson(successes, n)
  return { low, high }
}

function outcome(index: number, meanScore: number, medianCaseMs: number, key = `p${index}`): PointOutcome {
  const figures: PointFigures = {
    cases: 3,
    attempts: 6,
    k: 2,
    passAt1: meanScore,
    passAllK: meanScore,
    meanScore,
    ...interval(meanScore * 6, 6),
    medianCaseMs,
    errors: 0,
  }
  return { index, key, inference: { temperature: index / 10 }, evalRunId: `run-${index}`, figures }
}

describe('the grid spec', () => {
  it('expands temperature × top_p × max_tokens in order, one value or a list each', () => {
    const spec = parseGrid(
      { suites: ['s.yaml'], inference: { temperature: [0, 0.7, 1.2], top_p: [0.5, 1], max_tokens: 512 } },
      '/grids/g.yaml',
    )
    expect(spec.suites).toEqual(['/grids/s.yaml'])
    expect(spec.repeat).toBe(3)
    const points = expandGrid(spec)
    expect(points.map((p) => p.key)).toEqual([
      'temperature=0 top_p=0.5 max_tokens=512',
      'temperature=0 top_p=1 max_tokens=512',
      'temperature=0.7 top_p=0.5 max_tokens=512',
      'temperature=0.7 top_p=1 max_tokens=512',
      'temperature=1.2 top_p=0.5 max_tokens=512',
      'temperature=1.2 top_p=1 max_tokens=512',
    ])
    expect(points[3]).toMatchObject({ index: 4, inference: { temperature: 0.7, topP: 1, maxTokens: 512 } })
    expect(expandGrid(parseGrid({ suites: ['s.yaml'] }, 'g.yaml')).map((p) => p.key)).toEqual(['defaults'])
  })

  it('puts training combinations outermost so that each is trained and served once', () => {
    const spec = parseGrid(
      {
        suites: ['s.yaml'],
        inference: { temperature: [0, 0.5] },
        train: {
          config: 'train.yaml',
          grid: { rank: [8, 16], learning_rate: 0.0001 },
          serve: { kind: 'mlx', model: 'base', binary: './bin/server' },
        },
      },
      '/grids/g.yaml',
    )
    expect(spec.train?.config).toBe('/grids/train.yaml')
    expect(spec.train?.serve.binary).toBe('/grids/bin/server')
    const points = expandGrid(spec)
    expect(points.map((p) => [p.trainKey, p.inference.temperature])).toEqual([
      ['rank=8 learning_rate=0.0001', 0],
      ['rank=8 learning_rate=0.0001', 0.5],
      ['rank=16 learning_rate=0.0001', 0],
      ['rank=16 learning_rate=0.0001', 0.5],
    ])
    expect(points[2]?.key).toBe('rank=16 learning_rate=0.0001 temperature=0')
  })

  it('rejects values outside the config file’s bounds and unknown keys, naming the field', () => {
    expect(() => parseGrid({ suites: ['s'], inference: { top_p: [0, 1] } }, 'g.yaml')).toThrow(
      /g\.yaml: .*\(inference\.top_p/,
    )
    expect(() => parseGrid({ suites: ['s'], inference: { temperature: 3 } }, 'g.yaml')).toThrow(GridError)
    expect(() => parseGrid({ suites: ['s'], inference: { top_k: [1] } }, 'g.yaml')).toThrow(/top_k/)
    expect(() => parseGrid({ inference: {} }, 'g.yaml')).toThrow(/suites/)
    expect(numberList('--temperature', '0, 0.7,1')).toEqual([0, 0.7, 1])
    expect(() => numberList('--top-p', '0.9,,1')).toThrow(/--top-p: give numbers/)
    expect(() => numberList('--top-p', 'high')).toThrow(GridError)
  })
})

describe('figures', () => {
  it('marks the Pareto front of quality against latency and the best by score, latency breaking ties', () => {
    const points = [
      outcome(1, 0.9, 2000),
      outcome(2, 0.9, 1000),
      outcome(3, 0.5, 500),
      outcome(4, 0.4, 1000),
      outcome(5, 0.5, 500),
    ]
    expect([...paretoFront(points)].sort()).toEqual([2, 3, 5])
    expect(bestPoint(points)?.index).toBe(2)
    expect(bestPoint([])).toBeUndefined()
    const table = tuneTable(points).split('\n')
    expect(table[0]).toMatch(
      /^#\s+temperature\s+pass@1\s+pass\^2\s+score \[95% CI\]\s+median\/case\s+out tok\/s$/,
    )
    expect(table[2]).toMatch(
      /^2\s+0\.2\s+90\.0%\s+90\.0%\s+0\.900 \[0\.\d\d–\d\.\d\d\]\s+1\.00 s\s+-\s+★ best ◆ pareto$/,
    )
    expect(table[1]).not.toContain('◆')
    expect(table[4]).toMatch(/1\.00 s\s+-$/)
    expect(tuneTable(points)).toContain('pareto front (quality against latency): #2, #3, #5')
  })

  it('draws every point with its label, the front as diamonds, the best ringed, labels apart', () => {
    const points = [
      outcome(1, 0.5, 40, 'temperature=0'),
      outcome(2, 0.5, 40, 'temperature=1'),
      outcome(3, 1, 80),
    ]
    const svg = tuneScatter(points)
    expect(svg).toContain('<g class="point pareto" data-point="1" data-key="temperature=0">')
    expect(svg).toContain('<g class="point pareto" data-point="2"')
    expect(svg).toContain('<g class="point pareto best" data-point="3"')
    const labels = [...svg.matchAll(/<text x="([\d.]+)" y="([\d.]+)" class="label" data-label="(\d)"/g)].map(
      (m) => ({
        y: Number(m[2]),
        index: m[3],
      }),
    )
    expect(labels.map((l) => l.index).sort()).toEqual(['1', '2', '3'])
    // Points 1 and 2 sit on the same spot: their labels are moved apart, and a leader line joins the moved one.
    const [a, b] = labels.filter((l) => l.index !== '3')
    expect(Math.abs((a?.y ?? 0) - (b?.y ?? 0))).toBeGreaterThanOrEqual(13)
    expect(svg).toContain('class="leader"')
    expect((svg.match(/class="front"/g) ?? []).length).toBe(1)
  })
})

describe('the training step', () => {
  it('writes the base config with the point’s hyperparameters, its paths made absolute', () => {
    const dir = makeTempDir()
    try {
      const base = join(dir.path, 'train.yaml')
      writeFileSync(
        base,
        'runner: mlx\ndataset: data/train.jsonl\nrank: 8\nearly_stop:\n  warmup_reports: 3\n',
      )
      const config = trainConfigFor(base, { rank: 16, 'early_stop.divergence_factor': 6 })
      expect(config).toEqual({
        runner: 'mlx',
        dataset: join(dir.path, 'data/train.jsonl'),
        rank: 16,
        early_stop: { warmup_reports: 3, divergence_factor: 6 },
      })
    } finally {
      dir.remove()
    }
  })

  it('reads the run record from the last line of stdout, or from all of it', () => {
    const record = { runId: 'r1', status: 'done', adapterPath: '/a', metrics: { valLoss: 0.4 } }
    expect(lastRecord(`Iter 10: Train loss 1.2\n${JSON.stringify(record)}\n`)).toMatchObject(record)
    expect(lastRecord(JSON.stringify(record, null, 2))).toMatchObject(record)
    expect(lastRecord('{"runId": "r1"}\n')).toBeUndefined()
    expect(lastRecord('')).toBeUndefined()
  })
})

describe('the tune folder', () => {
  it('reads back whole lines, skips a torn last one, and refuses to start over a search', () => {
    const dir = makeTempDir()
    try {
      const manifest = { id: 't1', createdAt: 1, model: 'm', spec: parseGrid({ suites: ['s'] }, 'g.yaml') }
      const tune = TuneDir.create(dir.path, manifest)
      tune.append({ type: 'point', ...outcome(1, 0.5, 10, 'temperature=0') })
      tune.append({
        type: 'trained',
        trainKey: 'rank=8',
        record: { runId: 'r', status: 'done', adapterPath: '/a' },
      })
      appendFileSync(join(dir.path, 'points.jsonl'), '{"type":"point","key":"temperature=1"')
      const { points, trained } = tune.read()
      expect([...points.keys()]).toEqual(['temperature=0'])
      expect(trained.get('rank=8')?.adapterPath).toBe('/a')
      expect(new TuneDir(dir.path).manifest().id).toBe('t1')
      expect(() => TuneDir.create(dir.path, manifest)).toThrow(/already holds a grid search/)
      expect(() => new TuneDir(join(dir.path, 'nope')).manifest()).toThrow(TuneStoreError)
    } finally {
      dir.remove()
    }
  })
})
