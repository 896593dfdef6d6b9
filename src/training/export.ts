// After training: fuse the best adapter into the base model, quantize the fused model, and check that the
// quantized model scores within `max_drop` of the unquantized one on the eval suite (the roadmap's 4-bit
// model lost the LoRA signal while looking fine): a bigger drop fails the step.
import { existsSync, mkdirSync, rmSync } from 'node:fs'
import { type CheckResult, quantizationWarning } from './checks.js'
import type { QuantizeRecord, TrainRecord } from './record.js'
import { RUNNERS, runPaths } from './run.js'
import type { ModelEvaluator } from './serve-eval.js'
import { runStep, StepError } from './steps.js'

export class ExportError extends Error {
  override name = 'ExportError'
}

export async function fuseRun(
  record: TrainRecord,
  options: { dequantize?: boolean } = {},
): Promise<TrainRecord> {
  if (!record.adapterPath || !existsSync(record.adapterPath))
    throw new ExportError(`run ${record.runId} has no adapter to fuse (status ${record.status})`)
  const runner = RUNNERS[record.runner]
  const paths = runPaths(record.root)
  const dequantize = options.dequantize ?? record.config.dequantize
  rmSync(paths.fused, { recursive: true, force: true })
  await runStep(runner.fuseCommand(record.config, paths, { dequantize }), paths.log)
  if (!existsSync(paths.fused)) throw new ExportError(`the fuse step wrote nothing to ${paths.fused}`)
  record.fused = { path: paths.fused, dequantized: dequantize }
  return record
}

/** The verdict of a quantization against the fused model's score. Pure. */
export function quantizationCheck(q: QuantizeRecord): CheckResult {
  if (q.skipped) return { name: 'quantization quality', level: 'skip', message: q.skipped }
  if (!q.fusedScore || !q.quantizedScore)
    return {
      name: 'quantization quality',
      level: 'skip',
      message: 'no serve.command and eval_suite in the config: not scored',
    }
  const drop = q.fusedScore.score - q.quantizedScore.score
  const text = `${q.bits}-bit scores ${q.quantizedScore.score.toFixed(2)} (${q.quantizedScore.passed}/${q.quantizedScore.total}) against ${q.fusedScore.score.toFixed(2)} (${q.fusedScore.passed}/${q.fusedScore.total}) unquantized: a drop of ${drop.toFixed(2)}, at most ${q.maxDrop} allowed`
  return { name: 'quantization quality', level: drop > q.maxDrop ? 'error' : 'ok', message: text }
}

export async function quantizeRun(
  record: TrainRecord,
  bits: number,
  options: { evaluator?: ModelEvaluator; onCheck?: (c: CheckResult) => void } = {},
): Promise<TrainRecord> {
  const runner = RUNNERS[record.runner]
  const paths = runPaths(record.root)
  const check = (c: CheckResult) => {
    record.checks = [...record.checks.filter((x) => x.name !== c.name), c]
    options.onCheck?.(c)
  }
  if (bits < 5) check(quantizationWarning(bits))
  if (!record.fused || !existsSync(record.fused.path)) await fuseRun(record)
  const q: QuantizeRecord = { bits, maxDrop: record.config.quantize.max_drop }
  const commands = runner.quantizeCommands(record.config, paths, bits)
  if ('skipped' in commands) {
    q.skipped = commands.skipped
    record.quantized = q
    check(quantizationCheck(q))
    return record
  }
  const out = paths.quantized(bits)
  rmSync(out, { recursive: true, force: true })
  if (runner.quantizeOutput === 'folder') mkdirSync(out, { recursive: true })
  for (const command of commands) await runStep(command, paths.log)
  q.path = runner.quantizedModel(paths, bits)
  if (!existsSync(q.path)) throw new StepError(`the quantize step wrote nothing to ${q.path}`)
  if (options.evaluator) {
    q.fusedScore = await options.evaluator({ model: (record.fused as { path: string }).path, label: 'fused' })
    q.quantizedScore = await options.evaluator({ model: q.path, label: `quantized-${bits}bit` })
    q.drop = q.fusedScore.score - q.quantizedScore.score
  }
  const verdict = quantizationCheck(q)
  if (verdict.level !== 'skip') q.passed = verdict.level === 'ok'
  record.quantized = q
  check(verdict)
  return record
}
