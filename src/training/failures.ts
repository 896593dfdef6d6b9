// Lines any trainer prints just before it fails for a reason the user can fix: out of memory on Metal or CUDA.
// Pure.
import type { TrainFailure } from './runner.js'

const OOM = [
  /kIOGPUCommandBufferCallbackErrorOutOfMemory/,
  /\[METAL\].*Insufficient Memory/i,
  /CUDA out of memory/i,
  /OutOfMemoryError/,
  /\bout of memory\b/i,
]

export const OOM_HINT =
  'lower batch_size, max_seq_length or num_layers (or use a smaller or quantized base model), then resume'

export function failureFromLine(line: string): TrainFailure | undefined {
  if (OOM.some((re) => re.test(line)))
    return { kind: 'oom', message: line.trim().slice(0, 300), hint: OOM_HINT }
  return undefined
}
