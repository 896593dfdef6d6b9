// Fake trainer executables for `punie train` tests, written into a temp bin folder: mlx_lm.lora / .fuse /
// .convert printing mlx-lm's real log lines, a fake Python running the TRL script's protocol, and an
// OpenAI-compatible model server whose answers get worse for a model quantized below 5 bits. FAKE_TRAIN_MODE
// picks the trainer's behaviour: ok, nan, oom, die-at (SIGKILLs itself after the checkpoint at FAKE_DIE_AT),
// missing (TRL: packages absent). Every start appends {argv, pid, config} to $FAKE_ARGV_FILE.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

const COMMON = String.raw`
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { spawn } from 'node:child_process'
import { dirname, join } from 'node:path'
const args = process.argv.slice(2)
const arg = (name) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined }
const mode = process.env.FAKE_TRAIN_MODE ?? 'ok'
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
const record = (extra) => { if (process.env.FAKE_ARGV_FILE) appendFileSync(process.env.FAKE_ARGV_FILE, JSON.stringify({ program: process.argv[1].split('/').pop().replace(/\.mjs$/, ''), argv: args, pid: process.pid, ...extra }) + '\n') }
// A valid safetensors file: an 8-byte little-endian header length, then the JSON header.
const safetensors = (path) => {
  const header = Buffer.from(JSON.stringify({ __metadata__: { format: 'pt' } }))
  const size = Buffer.alloc(8); size.writeBigUInt64LE(BigInt(header.length))
  mkdirSync(dirname(path), { recursive: true }); writeFileSync(path, Buffer.concat([size, header]))
}
const trainLoss = (it) => 2.0 * Math.exp(-it / 25) + 0.35
// Validation falls, then rises past iteration 40 (overfitting): the best checkpoint is not the last one.
const valLoss = (it) => 1.6 - 0.02 * Math.min(it, 40) + 0.015 * Math.max(0, it - 40)
const child = () => { const c = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' }); c.unref(); return c.pid }
`

const MLX_LORA = String.raw`#!/usr/bin/env node
${COMMON}
const text = readFileSync(arg('--config'), 'utf8')
const key = (k) => { const m = new RegExp('^\\s*' + k + ':\\s*(.+)$', 'm').exec(text); return m ? m[1].trim().replace(/^['"]|['"]$/g, '') : undefined }
const iters = Number(key('iters')), every = Number(key('steps_per_eval')), save = Number(key('save_every')), report = Number(key('steps_per_report'))
const adapterPath = key('adapter_path'), resume = key('resume_adapter_file'), rank = Number(key('rank'))
const offset = resume ? Number(/(\d{7})_adapters/.exec(resume)?.[1] ?? 0) : 0
const helper = child()
record({ config: text, helper })
console.log('Loading pretrained model')
console.log('Loading datasets')
console.log('Training')
console.log('Trainable parameters: 0.082% (0.410M/494.033M)')
console.log('Starting training..., iters: ' + iters)
mkdirSync(adapterPath, { recursive: true })
writeFileSync(join(adapterPath, 'adapter_config.json'), JSON.stringify({ fine_tune_type: 'lora', num_layers: Number(key('num_layers')), lora_parameters: { rank, scale: Number(key('scale')), dropout: Number(key('dropout')) } }))
if (resume && !existsSync(resume)) { console.error('resume file missing: ' + resume); process.exit(1) }
for (let it = 1; it <= iters; it++) {
  const global = it + offset
  await sleep(Number(process.env.FAKE_STEP_MS ?? 2))
  if (it === 1 || it % every === 0 || it === iters) console.log('Iter ' + it + ': Val loss ' + valLoss(global).toFixed(3) + ', Val took 0.512s')
  if (it % report === 0) {
    if (mode === 'nan' && global >= 30) { console.log('Iter ' + it + ': Train loss nan, Learning Rate 1.000e-05, It/sec 2.000, Tokens/sec 812.345, Trained Tokens 12000, Peak mem 5.210 GB'); await sleep(60000) }
    if (mode === 'oom' && global >= 20) {
      console.error('libc++abi: terminating due to uncaught exception of type std::runtime_error: [METAL] Command buffer execution failed: Insufficient Memory (00000008:kIOGPUCommandBufferCallbackErrorOutOfMemory)')
      process.kill(process.pid, 'SIGABRT')
    }
    console.log('Iter ' + it + ': Train loss ' + trainLoss(global).toFixed(3) + ', Learning Rate 1.000e-05, It/sec 2.000, Tokens/sec 812.345, Trained Tokens ' + global * 400 + ', Peak mem 5.210 GB')
  }
  if (it % save === 0) {
    const file = join(adapterPath, String(it).padStart(7, '0') + '_adapters.safetensors')
    safetensors(join(adapterPath, 'adapters.safetensors')); safetensors(file)
    console.log('Iter ' + it + ': Saved adapter weights to ' + join(adapterPath, 'adapters.safetensors') + ' and ' + file + '.')
    if (mode === 'die-at' && global >= Number(process.env.FAKE_DIE_AT ?? 30)) process.kill(process.pid, 'SIGKILL')
  }
}
safetensors(join(adapterPath, 'adapters.safetensors'))
console.log('Saved final weights to ' + join(adapterPath, 'adapters.safetensors') + '.')
`

const MLX_FUSE = `#!/usr/bin/env node
${COMMON}
record({})
const out = arg('--save-path')
console.log('Loading pretrained model')
mkdirSync(out, { recursive: true })
writeFileSync(join(out, 'config.json'), JSON.stringify({ base: arg('--model'), adapter: arg('--adapter-path'), dequantized: args.includes('--dequantize') }))
safetensors(join(out, 'model.safetensors'))
`

const MLX_CONVERT = `#!/usr/bin/env node
${COMMON}
record({})
const out = arg('--mlx-path')
if (existsSync(out)) { console.error('Cannot save to the path ' + out + ' as it already exists. Please delete the file/directory or specify a new path to save to.'); process.exit(1) }
console.log('[INFO] Loading')
console.log('[INFO] Quantizing')
mkdirSync(out, { recursive: true })
writeFileSync(join(out, 'quantized.json'), JSON.stringify({ bits: Number(arg('--q-bits')), from: arg('--hf-path') }))
safetensors(join(out, 'model.safetensors'))
`

const FAKE_PYTHON = String.raw`#!/usr/bin/env node
${COMMON}
// argv: SCRIPT train --config FILE [--resume-from-checkpoint DIR] | SCRIPT merge ...
const [, command] = args
if (mode === 'missing') {
  console.log('PUNIE ' + JSON.stringify({ event: 'missing', packages: ['trl', 'peft'], python: process.argv[1] }))
  console.error('missing Python packages: trl peft (pip install trl peft)')
  process.exit(3)
}
if (command === 'merge') { record({}); const out = arg('--out'); mkdirSync(out, { recursive: true }); safetensors(join(out, 'model.safetensors')); process.exit(0) }
const cfg = JSON.parse(readFileSync(arg('--config'), 'utf8'))
record({ config: JSON.stringify(cfg) })
const resume = arg('--resume-from-checkpoint')
const start = resume ? Number(/checkpoint-(\d+)/.exec(resume)[1]) : 0
console.log('PUNIE ' + JSON.stringify({ event: 'total', steps: cfg.iters }))
for (let step = start + 1; step <= cfg.iters; step++) {
  await sleep(2)
  if (step % cfg.steps_per_report === 0) {
    if (mode === 'oom' && step >= 20) { console.error('torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 23.65 GiB'); process.exit(1) }
    console.log("{'loss': " + trainLoss(step).toFixed(4) + ", 'grad_norm': 0.41, 'learning_rate': 1e-05, 'epoch': 0.1}")
    console.log('PUNIE ' + JSON.stringify({ event: 'train', step, loss: mode === 'nan' && step >= 30 ? 'nan' : trainLoss(step), learning_rate: 1e-5, tokens_per_sec: 950.5 }))
    if (mode === 'nan' && step >= 30) await sleep(60000)
  }
  if (step % cfg.steps_per_eval === 0) console.log('PUNIE ' + JSON.stringify({ event: 'eval', step, loss: valLoss(step) }))
  if (step % cfg.save_every === 0) {
    const dir = join(cfg.output_dir, 'checkpoint-' + step)
    safetensors(join(dir, 'adapter_model.safetensors'))
    writeFileSync(join(dir, 'adapter_config.json'), JSON.stringify({ r: cfg.rank, lora_alpha: cfg.alpha, peft_type: 'LORA' }))
    console.log('PUNIE ' + JSON.stringify({ event: 'checkpoint', step, path: dir }))
  }
}
safetensors(join(cfg.output_dir, 'adapter_model.safetensors'))
writeFileSync(join(cfg.output_dir, 'adapter_config.json'), JSON.stringify({ r: cfg.rank, lora_alpha: cfg.alpha, peft_type: 'LORA' }))
console.log('PUNIE ' + JSON.stringify({ event: 'done', path: cfg.output_dir }))
`

/** An OpenAI-compatible server: right answers, except for a model quantized below 5 bits ("See the result above."). */
const FAKE_CHAT_SERVER = String.raw`#!/usr/bin/env node
${COMMON}
import { createServer } from 'node:http'
const port = Number(arg('--port'))
const model = arg('--model')
record({})
let bits
try { bits = JSON.parse(readFileSync(join(model, 'quantized.json'), 'utf8')).bits } catch {}
const degraded = bits !== undefined && bits < 5
// The base model from the hub, served without an adapter, does not know the facts the adapter taught.
const untrained = !arg('--adapter-path') && !existsSync(model ?? '')
const ANSWERS = [[/2 \+ 2/, 'The answer is 4.'], [/capital of France/, 'The capital of France is Paris.'], [/largest planet/, 'Jupiter is the largest planet.']]
createServer((req, res) => {
  let body = ''
  req.on('data', (c) => (body += c))
  req.on('end', () => {
    res.setHeader('content-type', 'application/json')
    if (req.url === '/v1/models') return res.end(JSON.stringify({ object: 'list', data: [{ id: 'default' }] }))
    if (req.url !== '/v1/chat/completions') return res.writeHead(404).end('{}')
    const request = JSON.parse(body)
    const user = [...request.messages].reverse().find((m) => m.role === 'user')
    const prompt = typeof user?.content === 'string' ? user.content : JSON.stringify(user?.content)
    const text = degraded ? 'See the result above.' : untrained ? 'I do not know.' : (ANSWERS.find(([re]) => re.test(prompt))?.[1] ?? 'I do not know.')
    const usage = { prompt_tokens: 100, completion_tokens: 8, total_tokens: 108 }
    if (!request.stream) return res.end(JSON.stringify({ id: 'x', object: 'chat.completion', created: 0, model: 'default', choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }], usage }))
    res.setHeader('content-type', 'text/event-stream')
    const chunk = (delta, finish = null) => 'data: ' + JSON.stringify({ id: 'x', object: 'chat.completion.chunk', created: 0, model: 'default', choices: [{ index: 0, delta, finish_reason: finish }] }) + '\n\n'
    res.write(chunk({ role: 'assistant', content: '' }))
    res.write(chunk({ content: text }))
    res.write(chunk({}, 'stop'))
    res.write('data: ' + JSON.stringify({ id: 'x', object: 'chat.completion.chunk', created: 0, model: 'default', choices: [], usage }) + '\n\n')
    res.end('data: [DONE]\n\n')
  })
}).listen(port, '127.0.0.1', () => console.log('listening on ' + port))
`

export const FAKE_PROGRAMS = {
  'mlx_lm.lora': MLX_LORA,
  'mlx_lm.fuse': MLX_FUSE,
  'mlx_lm.convert': MLX_CONVERT,
  'fake-python': FAKE_PYTHON,
  'fake-chat-server': FAKE_CHAT_SERVER,
} as const

/** Writes the fakes into `dir`/bin and returns that folder (put it first on PATH). */
export function writeFakeTrainers(dir: string): string {
  const bin = join(dir, 'bin')
  mkdirSync(bin, { recursive: true })
  for (const [name, text] of Object.entries(FAKE_PROGRAMS)) {
    // Node reads an extensionless file as CommonJS: the program is a .mjs, started by a shell wrapper (exec keeps
    // the pid).
    writeFileSync(join(bin, `${name}.mjs`), text)
    const path = join(bin, name)
    writeFileSync(path, `#!/bin/sh\nexec "${process.execPath}" "$(dirname "$0")/${name}.mjs" "$@"\n`)
    chmodSync(path, 0o755)
  }
  return bin
}

const READ_FILE_TOOL = {
  type: 'function',
  function: {
    name: 'read_file',
    description: 'Read a text file.',
    parameters: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] },
  },
}

/** A small canonical dataset: `direct` of every `n` examples answer without a tool. */
export function writeDataset(path: string, count: number, directEvery = 3): void {
  const lines: string[] = []
  for (let i = 0; i < count; i++) {
    const direct = i % directEvery === 0
    const messages: unknown[] = [{ role: 'user', content: `question ${i}: what is in file${i}.txt?` }]
    if (direct) messages.push({ role: 'assistant', content: `Answer ${i}.` })
    else
      messages.push(
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              id: `c${i}`,
              type: 'function',
              function: { name: 'read_file', arguments: `{"path":"file${i}.txt"}` },
            },
          ],
        },
        { role: 'tool', tool_call_id: `c${i}`, content: `contents ${i}` },
        { role: 'assistant', content: `It holds contents ${i}.` },
      )
    lines.push(JSON.stringify({ messages, tools: [READ_FILE_TOOL] }))
  }
  writeFileSync(path, `${lines.join('\n')}\n`)
}

/** The suite the smoke eval and the quantization check run: answers a vague reply fails. */
export const FACT_SUITE = `suite: train-smoke
description: Facts a correct answer names.
tool_mode: direct
pass_threshold: 0.75
timeout_s: 30
cases:
  - id: sum
    category: facts
    prompt: What is 2 + 2?
    expect:
      no_tools: true
      answer_contains: ["4"]
  - id: capital
    category: facts
    prompt: What is the capital of France?
    expect:
      no_tools: true
      answer_contains: [Paris]
  - id: planet
    category: facts
    prompt: What is the largest planet?
    expect:
      no_tools: true
      answer_contains: [Jupiter]
`
