// `punie server` and `punie models` against a fake server executable the test puts on PATH: it starts and
// becomes healthy, dies early, hangs, or ignores SIGTERM.
import { spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { serverCommand } from '../../src/model/servers/commands.js'
import { processAlive } from '../../src/processes.js'
import { BIN, REPO_ROOT } from '../helpers/acp-harness.js'
import { makeTempDir } from '../helpers/temp.js'

let home: { path: string; remove: () => void }
let bin: string
let argvFile: string

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

function punie(args: string[], mode = 'ok') {
  return spawnSync(process.execPath, [BIN, ...args], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      PUNIE_HOME: home.path,
      PATH: `${bin}:${process.env.PATH}`,
      FAKE_MODE: mode,
      FAKE_ARGV_FILE: argvFile,
    },
    encoding: 'utf8',
    timeout: 30_000,
  })
}

const launched = () =>
  readFileSync(argvFile, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { pid: number; argv: string[] })

beforeEach(() => {
  home = makeTempDir('punie-home-')
  bin = join(home.path, 'bin')
  mkdirSync(bin)
  for (const name of ['llama-server', 'vllm', 'ollama']) {
    copyFileSync(join(REPO_ROOT, 'test', 'fixtures', 'fake-model-server.mjs'), join(bin, name))
  }
  spawnSync('chmod', ['+x', ...['llama-server', 'vllm', 'ollama'].map((n) => join(bin, n))])
  argvFile = join(home.path, 'argv.jsonl')
})

afterEach(() => {
  punie(['server', 'stop', '--all', '--grace', '0'])
  home.remove()
})

describe('model server commands', () => {
  it('builds each server’s command line from one spec', () => {
    const llama = serverCommand({
      kind: 'llamacpp',
      model: 'qwen.gguf',
      host: '127.0.0.1',
      port: 8081,
      adapter: 'lora.gguf',
      draftModel: 'small.gguf',
      draftTokens: 8,
      contextSize: 8192,
    })
    expect(llama.args).toEqual([
      '-m',
      'qwen.gguf',
      '--host',
      '127.0.0.1',
      '--port',
      '8081',
      '--lora',
      'lora.gguf',
      '-md',
      'small.gguf',
      '--draft-max',
      '8',
      '-c',
      '8192',
      '--jinja',
    ])
    expect(
      serverCommand({ kind: 'llamacpp', model: 'Qwen/Qwen3-GGUF', host: 'h', port: 1 }).args.slice(0, 2),
    ).toEqual(['-hf', 'Qwen/Qwen3-GGUF'])
    const vllm = serverCommand({
      kind: 'vllm',
      model: 'Qwen/Qwen3-8B',
      host: '0.0.0.0',
      port: 8000,
      draftModel: 'd',
      contextSize: 4096,
    })
    expect(vllm.args).toEqual([
      'serve',
      'Qwen/Qwen3-8B',
      '--host',
      '0.0.0.0',
      '--port',
      '8000',
      '--speculative-config',
      '{"model":"d","num_speculative_tokens":5}',
      '--max-model-len',
      '4096',
      '--enable-auto-tool-choice',
      '--tool-call-parser',
      'hermes',
    ])
    const mlx = serverCommand({ kind: 'mlx', model: 'm', host: 'h', port: 2, adapter: 'a', toolCalls: false })
    expect(mlx.args).toEqual(['--model', 'm', '--host', 'h', '--port', '2', '--adapter-path', 'a'])
    const ollama = serverCommand({ kind: 'ollama', host: '127.0.0.1', port: 11500, contextSize: 8192 })
    expect(ollama).toMatchObject({
      command: 'ollama',
      args: ['serve'],
      env: { OLLAMA_HOST: '127.0.0.1:11500', OLLAMA_CONTEXT_LENGTH: '8192' },
      healthUrl: 'http://127.0.0.1:11500/api/tags',
    })
    expect(() => serverCommand({ kind: 'ollama', host: 'h', port: 1, draftModel: 'x' })).toThrow(
      /speculative/,
    )
    expect(() => serverCommand({ kind: 'vllm', host: 'h', port: 1 })).toThrow(/needs --model/)
  })
})

describe('punie server', () => {
  it('starts a server, waits until it is healthy, lists its models, and stops it', async () => {
    const port = await freePort()
    const started = punie([
      'server',
      'start',
      'llamacpp',
      '--model',
      'm.gguf',
      '--port',
      String(port),
      '--ctx-size',
      '4096',
      '--',
      '--threads',
      '2',
    ])
    expect(started.stderr).toBe('')
    expect(started.status).toBe(0)
    expect(started.stdout).toContain(`healthy at http://127.0.0.1:${port}/v1`)
    const [run] = launched()
    expect(run?.argv).toEqual([
      '-m',
      'm.gguf',
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '-c',
      '4096',
      '--jinja',
      '--threads',
      '2',
    ])

    const status = JSON.parse(punie(['server', 'status', '--json']).stdout)
    expect(status).toEqual([
      expect.objectContaining({ name: 'llamacpp', alive: true, healthy: true, pid: run?.pid }),
    ])
    const models = JSON.parse(punie(['models', '--json']).stdout)
    expect(models).toContainEqual(
      expect.objectContaining({ baseURL: `http://127.0.0.1:${port}/v1`, models: ['fake-model'] }),
    )
    expect(existsSync(join(home.path, 'servers', 'llamacpp.log'))).toBe(true)

    const again = punie(['server', 'start', 'llamacpp', '--model', 'm.gguf', '--port', String(port)])
    expect(again.status).toBe(1)
    expect(again.stderr).toContain('already running')

    const stopped = punie(['server', 'stop', 'llamacpp'])
    expect(stopped.stdout).toContain('terminated')
    expect(processAlive(run?.pid as number)).toBe(false)
    expect(JSON.parse(punie(['server', 'list', '--json']).stdout)).toEqual([])
  })

  it('passes vLLM its parallel sizes and llama.cpp its GPU layers and slots, and records the slots', async () => {
    const port = await freePort()
    const started = punie([
      'server',
      'start',
      'vllm',
      '--model',
      'Qwen/Qwen3-32B',
      '--port',
      String(port),
      '--tensor-parallel',
      '4',
      '--pipeline-parallel',
      '2',
      '--data-parallel',
      '2',
      '--parallel',
      '16',
      '--no-tool-calls',
    ])
    expect(started.stderr).toBe('')
    expect(started.status).toBe(0)
    expect(started.stdout).toContain('serves 32 requests at once')
    expect(launched()[0]?.argv).toEqual([
      'serve',
      'Qwen/Qwen3-32B',
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--tensor-parallel-size',
      '4',
      '--pipeline-parallel-size',
      '2',
      '--data-parallel-size',
      '2',
      '--max-num-seqs',
      '16',
    ])
    expect(JSON.parse(punie(['server', 'list', '--json']).stdout)).toEqual([
      expect.objectContaining({ name: 'vllm', slots: 32 }),
    ])

    const llamaPort = await freePort()
    const llama = punie([
      'server',
      'start',
      'llamacpp',
      '--model',
      'q.gguf',
      '--port',
      String(llamaPort),
      '--gpu-layers',
      '99',
      '--parallel',
      '4',
    ])
    expect(llama.status).toBe(0)
    expect(launched()[1]?.argv).toEqual(expect.arrayContaining(['--n-gpu-layers', '99', '--parallel', '4']))

    const wrongEngine = punie([
      'server',
      'start',
      'llamacpp',
      '--model',
      'q.gguf',
      '--name',
      'x',
      '--tensor-parallel',
      '2',
    ])
    expect(wrongEngine.status).toBe(1)
    expect(wrongEngine.stderr).toContain("--tensor-parallel is vLLM's; llama-server runs on one machine")
    const zero = punie(['server', 'start', 'vllm', '--model', 'm', '--tensor-parallel', '0'])
    expect(zero.status).not.toBe(0)
    expect(zero.stderr).toContain('tensor parallel size must be a whole number from 1 to 1024')
  })

  it('reports a server that dies at start, with its output', async () => {
    const ran = punie(['server', 'start', 'vllm', '--model', 'x', '--port', String(await freePort())], 'die')
    expect(ran.status).toBe(1)
    expect(ran.stderr).toContain('exited before it was ready (code 3)')
    expect(ran.stderr).toContain('model file not found')
  })

  it('gives up on a server that never becomes healthy, and kills it', async () => {
    const ran = punie(
      ['server', 'start', 'ollama', '--port', String(await freePort()), '--timeout', '1'],
      'hang',
    )
    expect(ran.status).toBe(1)
    expect(ran.stderr).toMatch(/did not answer http:\/\/127\.0\.0\.1:\d+\/api\/tags within 1 s; stopped it/)
    const [run] = launched()
    expect(run?.argv).toEqual(['serve'])
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(processAlive(run?.pid as number)).toBe(false)
  })

  it('kills a server that ignores SIGTERM after the grace period', async () => {
    const port = await freePort()
    expect(
      punie(
        ['server', 'start', 'llamacpp', '--model', 'm.gguf', '--port', String(port), '--name', 'stubborn'],
        'stubborn',
      ).status,
    ).toBe(0)
    const stopped = punie(['server', 'stop', 'stubborn', '--grace', '1'])
    expect(stopped.stdout).toContain('killed')
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(processAlive(launched()[0]?.pid as number)).toBe(false)
  })

  it('says what to install when the server is missing', () => {
    const ran = punie(['server', 'start', 'mlx', '--model', 'm'])
    expect(ran.status).toBe(1)
    expect(ran.stderr).toContain('mlx_lm.server is not installed or not on PATH (pip install mlx-lm')
  })
})
