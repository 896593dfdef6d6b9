// Parallel serving options: the argv each engine gets (flags as vLLM's and llama.cpp's docs spell them), the slots
// read back from a command line, the probe's reading of llama.cpp /props, and how eval concurrency is chosen.
import { describe, expect, it } from 'vitest'
import { AUTO_JOBS_CAP, chooseConcurrency } from '../../src/model/concurrency.js'
import { slotsFromLlamaProps, windowFromLlamaProps } from '../../src/model/context-probe.js'
import { configuredSlots, servedModelName, serverCommand } from '../../src/model/servers/commands.js'

const at = { host: '127.0.0.1', port: 9000 }

describe('parallel serving options', () => {
  it('passes vLLM its tensor, pipeline and data parallel sizes and --max-num-seqs', () => {
    const vllm = serverCommand({
      kind: 'vllm',
      model: 'Qwen/Qwen3-32B',
      ...at,
      tensorParallel: 4,
      pipelineParallel: 2,
      dataParallel: 2,
      parallel: 64,
      toolCalls: false,
    })
    expect(vllm.args).toEqual([
      'serve',
      'Qwen/Qwen3-32B',
      '--host',
      '127.0.0.1',
      '--port',
      '9000',
      '--tensor-parallel-size',
      '4',
      '--pipeline-parallel-size',
      '2',
      '--data-parallel-size',
      '2',
      '--max-num-seqs',
      '64',
    ])
    // Every replica batches its own --max-num-seqs.
    expect(configuredSlots('vllm', vllm.args, vllm.env)).toBe(128)
  })

  it('passes llama.cpp --n-gpu-layers and --parallel, and Ollama OLLAMA_NUM_PARALLEL', () => {
    const llama = serverCommand({ kind: 'llamacpp', model: 'q.gguf', ...at, gpuLayers: 0, parallel: 4 })
    expect(llama.args).toEqual([
      '-m',
      'q.gguf',
      '--host',
      '127.0.0.1',
      '--port',
      '9000',
      '--n-gpu-layers',
      '0',
      '--parallel',
      '4',
      '--jinja',
    ])
    expect(configuredSlots('llamacpp', llama.args, llama.env)).toBe(4)
    const ollama = serverCommand({ kind: 'ollama', ...at, parallel: 3 })
    expect(ollama.env).toEqual({ OLLAMA_HOST: '127.0.0.1:9000', OLLAMA_NUM_PARALLEL: '3' })
    expect(configuredSlots('ollama', ollama.args, ollama.env)).toBe(3)
  })

  it('refuses an option the engine does not have, naming whose it is', () => {
    expect(() => serverCommand({ kind: 'llamacpp', model: 'q.gguf', ...at, tensorParallel: 2 })).toThrow(
      /--tensor-parallel is vLLM's; llama-server runs on one machine/,
    )
    expect(() => serverCommand({ kind: 'ollama', ...at, pipelineParallel: 2 })).toThrow(/vLLM's/)
    expect(() => serverCommand({ kind: 'vllm', model: 'm', ...at, gpuLayers: 10 })).toThrow(
      /--gpu-layers is llama.cpp's/,
    )
    expect(() => serverCommand({ kind: 'mlx', model: 'm', ...at, parallel: 2 })).toThrow(/mlx_lm.server/)
  })

  it('reads slots back from flags given after --, in either spelling, and leaves defaults unknown', () => {
    expect(configuredSlots('llamacpp', ['-m', 'x.gguf', '-np', '6'])).toBe(6)
    expect(configuredSlots('llamacpp', ['--parallel=2'])).toBe(2)
    expect(configuredSlots('llamacpp', ['-m', 'x.gguf'])).toBeUndefined()
    expect(configuredSlots('llamacpp', ['--parallel', '-1'])).toBeUndefined()
    expect(configuredSlots('vllm', ['serve', 'm', '--data-parallel-size', '4'])).toBeUndefined()
    expect(configuredSlots('vllm', ['serve', 'm', '--max-num-seqs', '8', '-dp', '2'])).toBe(16)
    expect(configuredSlots('ollama', ['serve'], { OLLAMA_NUM_PARALLEL: 'x' })).toBeUndefined()
    expect(configuredSlots('mlx', ['--parallel', '4'])).toBeUndefined()
  })
})

describe('eval concurrency', () => {
  it('reads total_slots from llama.cpp /props next to the context window', () => {
    const props = { default_generation_settings: { n_ctx: 65536 }, total_slots: 4 }
    expect(slotsFromLlamaProps(props)).toBe(4)
    expect(windowFromLlamaProps(props)).toBe(65536)
    expect(slotsFromLlamaProps({ total_slots: 0 })).toBeUndefined()
    expect(slotsFromLlamaProps('garbage')).toBeUndefined()
  })

  it('takes -j, else the configured slots, else the reported ones, capped; else 1', () => {
    expect(chooseConcurrency({ given: 3, configured: { slots: 16, server: 's' } })).toEqual({
      jobs: 3,
      why: '-j',
    })
    expect(
      chooseConcurrency({
        configured: { slots: 4, server: 'big' },
        reported: { slots: 2, source: 'llama.cpp /props' },
      }),
    ).toEqual({ jobs: 4, why: 'server big was started with 4 slots; -j N to change' })
    expect(chooseConcurrency({ reported: { slots: 100, source: 'llama.cpp /props' } })).toEqual({
      jobs: AUTO_JOBS_CAP,
      why: `llama.cpp /props reports 100 slots, capped at ${AUTO_JOBS_CAP}; -j N to change`,
    })
    expect(chooseConcurrency({}).jobs).toBe(1)
    expect(chooseConcurrency({}).why).toMatch(/does not say/)
  })
})

describe('served adapters', () => {
  it('names the model a vLLM adapter is served as, and nothing for servers that apply theirs to every request', () => {
    const vllm = serverCommand({ kind: 'vllm', model: 'b', ...at, adapter: '/runs/r/best-adapter' })
    expect(vllm.args).toEqual(
      expect.arrayContaining(['--enable-lora', '--lora-modules', 'adapter=/runs/r/best-adapter']),
    )
    expect(servedModelName('vllm', vllm.args)).toBe('adapter')
    expect(servedModelName('vllm', ['serve', 'b'])).toBeUndefined()
    const llama = serverCommand({ kind: 'llamacpp', model: 'q.gguf', ...at, adapter: 'lora.gguf' })
    expect(servedModelName('llamacpp', llama.args)).toBeUndefined()
  })
})
