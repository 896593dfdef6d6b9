// `punie mcp` figures: start-up to an answered initialize, the size of tools/list, and the round trip of a
// read and of a write that asks through elicitation, driven by the MCP SDK's client.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js'
import { quantile } from '../src/perf/collector.js'
import { BIN } from '../test/helpers/acp-harness.js'
import { makeTempDir } from '../test/helpers/temp.js'

const STARTS = 5
const CALLS = 200

export interface McpServerFigures {
  startMs: number
  listBytes: number
  tools: number
  readMs: number
  askedWriteMs: number
}

const median = (xs: number[]) => quantile(xs, 0.5) ?? 0

export async function mcpServerFigures(): Promise<McpServerFigures> {
  const home = makeTempDir('punie-bench-mcp-home-')
  const workspace = makeTempDir('punie-bench-mcp-ws-')
  writeFileSync(join(workspace.path, 'main.py'), 'print("hello")\n')
  const starts: number[] = []
  const reads: number[] = []
  const writes: number[] = []
  let listBytes = 0
  let tools = 0
  try {
    for (let run = 0; run < STARTS; run++) {
      const client = new Client({ name: 'bench', version: '1' }, { capabilities: { elicitation: {} } })
      client.setRequestHandler(ElicitRequestSchema, async () => ({ action: 'accept', content: {} }))
      const started = performance.now()
      await client.connect(
        new StdioClientTransport({
          command: process.execPath,
          args: [BIN, 'mcp', '--cwd', workspace.path],
          env: { ...(process.env as Record<string, string>), PUNIE_HOME: home.path },
        }),
      )
      starts.push(performance.now() - started)
      const list = await client.listTools()
      listBytes = JSON.stringify(list).length
      tools = list.tools.length
      if (run === 0) {
        for (let i = 0; i < CALLS; i++) {
          const t = performance.now()
          await client.callTool({ name: 'read_file', arguments: { path: 'main.py' } })
          reads.push(performance.now() - t)
        }
        for (let i = 0; i < CALLS / 10; i++) {
          const t = performance.now()
          await client.callTool({ name: 'write_file', arguments: { path: 'out.txt', content: `${i}\n` } })
          writes.push(performance.now() - t)
        }
      }
      await client.close()
    }
  } finally {
    home.remove()
    workspace.remove()
  }
  return { startMs: median(starts), listBytes, tools, readMs: median(reads), askedWriteMs: median(writes) }
}
