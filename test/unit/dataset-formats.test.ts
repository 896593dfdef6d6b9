// Every dataset format both ways: canonical → F → canonical on examples that exercise everything, F → canonical
// → F on hand-written lines in each format's published shape, and the errors for bad lines.
import { describe, expect, it } from 'vitest'
import type { Example } from '../../src/dataset/example.js'
import { parseChatml, renderChatml, type Turn } from '../../src/dataset/formats/chatml.js'
import { FORMATS, formatByName, formatNames, roundTripForm } from '../../src/dataset/formats/index.js'
import { normaliseIds, pythonJson } from '../../src/dataset/formats/shared.js'
import { EXAMPLES, MULTI_CALL, READ_FILE, TOOLS_NO_SYSTEM } from '../helpers/dataset-examples.js'

/** Through JSON text, as a file would carry it. */
const asLine = (value: unknown): unknown => JSON.parse(JSON.stringify(value))

function format(name: string) {
  const f = formatByName(name)
  if (!f) throw new Error(`no format ${name}`)
  return f
}

describe('the format list', () => {
  it('names every format once', () => {
    expect(formatNames()).toEqual(['openai', 'mlx', 'hermes', 'qwen3-coder', 'sharegpt', 'axolotl'])
  })
})

describe.each(FORMATS.map((f) => [f.name, f] as const))('%s: canonical → format → canonical', (_name, f) => {
  it.each(Object.entries(EXAMPLES))(
    '%s comes back the same (up to what the format keeps)',
    (_label, example) => {
      const back = f.toExample(asLine(f.fromExample(example)))
      expect(roundTripForm(back, f.keeps)).toEqual(roundTripForm(example, f.keeps))
    },
  )

  it('a second trip changes nothing more', () => {
    const once = f.toExample(asLine(f.fromExample(MULTI_CALL)))
    const twice = f.toExample(asLine(f.fromExample(once)))
    expect(twice).toEqual(once)
  })

  it('keeps tool-call ids or gives deterministic ones, with each result pointing at its call', () => {
    const back = f.toExample(asLine(f.fromExample(MULTI_CALL)))
    const calls = back.messages.flatMap((m) => (m.role === 'assistant' ? (m.tool_calls ?? []) : []))
    const results = back.messages.flatMap((m) => (m.role === 'tool' ? [m.tool_call_id] : []))
    expect(results).toEqual(calls.map((c) => c.id))
    if (f.keeps.ids) expect(calls.map((c) => c.id)).toEqual(['call_a1', 'call_a2', 'call_b1'])
    else expect(calls.map((c) => c.id)).toEqual(['call_2_0', 'call_2_1', 'call_5_0'])
  })

  it('says which call has arguments that are not JSON', () => {
    const bad: Example = {
      messages: [
        { role: 'user', content: 'x' },
        {
          role: 'assistant',
          tool_calls: [
            { id: 'call_z', type: 'function', function: { name: 'read_file', arguments: '{"path": ' } },
          ],
        },
      ],
    }
    if (f.name === 'openai') expect(f.fromExample(bad)).toBe(bad)
    else expect(() => f.fromExample(bad)).toThrow(/tool call call_z \(read_file\): arguments are not JSON/)
  })
})

describe('what a format drops', () => {
  it('sharegpt drops the text beside calls, weights and ids, and keeps metadata', () => {
    const f = format('sharegpt')
    const back = f.toExample(asLine(f.fromExample(MULTI_CALL)))
    expect(back.messages[2]).toEqual({
      role: 'assistant',
      tool_calls: [
        {
          id: 'call_2_0',
          type: 'function',
          function: { name: 'read_file', arguments: '{"path":"calc.py","line":1}' },
        },
        {
          id: 'call_2_1',
          type: 'function',
          function: { name: 'grep', arguments: '{"pattern":"somme\\\\(","glob":"*.py"}' },
        },
      ],
    })
    expect(back.metadata).toEqual(MULTI_CALL.metadata)
    expect(back.parallel_tool_calls).toBeUndefined()
  })

  it('hermes and qwen3-coder keep the text beside calls but not weights', () => {
    for (const name of ['hermes', 'qwen3-coder']) {
      const f = format(name)
      const back = f.toExample(asLine(f.fromExample(TOOLS_NO_SYSTEM)))
      expect(back.messages[1]).toEqual({ role: 'assistant', content: 'Hello! What shall we work on?' })
      const again = f.toExample(asLine(f.fromExample(MULTI_CALL)))
      expect(again.messages[2]).toMatchObject({ content: 'Je lis le fichier et je cherche les usages.' })
    }
  })

  it('mlx and axolotl keep everything, ids and weights included', () => {
    for (const name of ['mlx', 'axolotl']) {
      const f = format(name)
      expect(f.toExample(asLine(f.fromExample(MULTI_CALL)))).toEqual(MULTI_CALL)
      expect(f.toExample(asLine(f.fromExample(TOOLS_NO_SYSTEM)))).toEqual(TOOLS_NO_SYSTEM)
    }
  })

  it('normalising ids renames calls by position and follows each result to its call', () => {
    const normal = normaliseIds(TOOLS_NO_SYSTEM)
    expect(normal.messages[3]).toMatchObject({ tool_calls: [{ id: 'call_3_0' }] })
    expect(normal.messages[4]).toMatchObject({ tool_call_id: 'call_3_0' })
  })
})

// Lines written by hand in each format's published shape: reading them and writing them back gives the same line.
const HERMES_SYSTEM =
  'You are a helpful assistant.\n\n# Tools\n\nYou may call one or more functions to assist with the user query.\n\n' +
  'You are provided with function signatures within <tools></tools> XML tags:\n<tools>\n' +
  '{"type": "function", "function": {"name": "get_weather", "description": "Weather for a city.", "parameters": {"type": "object", "properties": {"city": {"type": "string"}, "units": {"type": "string", "enum": ["c", "f"]}}, "required": ["city"]}}}\n' +
  '</tools>\n\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\n' +
  '<tool_call>\n{"name": <function-name>, "arguments": <args-json-object>}\n</tool_call>'

const HERMES_LINE = {
  messages: [
    { role: 'system', content: HERMES_SYSTEM },
    { role: 'user', content: 'Wetter in München und Zürich?' },
    {
      role: 'assistant',
      content:
        'Ich schaue nach.\n<tool_call>\n{"name": "get_weather", "arguments": {"city": "München", "units": "c"}}\n</tool_call>\n' +
        '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Zürich"}}\n</tool_call>',
    },
    {
      role: 'user',
      content:
        '<tool_response>\n{"temp": 3}\n</tool_response>\n<tool_response>\n{"temp": 5}\n</tool_response>',
    },
    { role: 'assistant', content: 'München 3 °C, Zürich 5 °C.' },
  ],
}

const QWEN3_SYSTEM =
  'You are Qwen, a helpful AI assistant that can interact with a computer to solve tasks.\n\n# Tools\n\n' +
  'You have access to the following tools:\n\n<tools>\n<function>\n<name>run_command</name>\n' +
  '<description>Run a shell command.</description>\n<parameters>\n<parameter>\n<name>command</name>\n<type>string</type>\n' +
  '<description>The command line.</description>\n</parameter>\n<parameter>\n<name>timeout</name>\n<type>integer</type>\n' +
  '</parameter>\n<parameter>\n<name>env</name>\n<type>object</type>\n<additionalProperties>{"type": "string"}</additionalProperties>\n' +
  '</parameter>\n<required>["command"]</required>\n</parameters>\n</function>\n</tools>\n\n' +
  'If you choose to call a tool ONLY reply in the following format with NO suffix:\n\n<tool_call>\n' +
  '<function=example_function_name>\n<parameter=example_parameter_1>\nvalue_1\n</parameter>\n' +
  '<parameter=example_parameter_2>\nvalue_2\n</parameter>\n</function>\n</tool_call>\n\n<IMPORTANT>\nReminder:\n' +
  '- Function calls MUST follow the specified format: the tool calling block MUST begin with an opening <tool_call> tag ' +
  'and end with a closing </tool_call> tag.\n- Required parameters MUST be specified\n' +
  '- You may provide optional reasoning for your function call in natural language BEFORE the function call, but NOT after\n' +
  '- If there is no function call available, answer the question like normal with your current knowledge and do not ' +
  'tell the user about function calls\n</IMPORTANT>'

const QWEN3_LINE = {
  messages: [
    { role: 'system', content: QWEN3_SYSTEM },
    { role: 'user', content: 'Run the tests' },
    {
      role: 'assistant',
      content:
        'Running them.\n\n<tool_call>\n<function=run_command>\n<parameter=command>\nnpm test -- --run\n</parameter>\n' +
        '<parameter=timeout>\n120\n</parameter>\n<parameter=env>\n{"CI": "1", "LANG": "de_DE.UTF-8"}\n</parameter>\n</function>\n</tool_call>',
    },
    { role: 'user', content: '<tool_response>\n3 passed\n</tool_response>\n' },
    { role: 'assistant', content: 'All 3 tests pass.' },
  ],
  metadata: { id: 'q-1' },
}

const SHAREGPT_LINE = {
  conversations: [
    { from: 'system', value: 'You are a helpful assistant.' },
    { from: 'human', value: 'Convert 100 USD to EUR and JPY.' },
    {
      from: 'function_call',
      value:
        '[{"name":"convert","arguments":{"amount":100,"from":"USD","to":"EUR"}},{"name":"convert","arguments":{"amount":100,"from":"USD","to":"JPY"}}]',
    },
    {
      from: 'observation',
      value: `{"result": 92.5}${'\n</tool_response>\n<tool_response>\n'}{"result": 15700}`,
    },
    { from: 'gpt', value: '100 USD is 92.50 EUR or 15,700 JPY.' },
    { from: 'human', value: 'And 5 USD to EUR?' },
    { from: 'function_call', value: '{"name":"convert","arguments":{"amount":5,"from":"USD","to":"EUR"}}' },
    { from: 'observation', value: '{"result": 4.63}' },
    { from: 'gpt', value: '4.63 EUR.' },
  ],
  tools:
    '[{"name":"convert","description":"Convert money.","parameters":{"type":"object","properties":{"amount":{"type":"number"},"from":{"type":"string"},"to":{"type":"string"}},"required":["amount","from","to"]}}]',
}

const STRUCTURED_LINE = {
  messages: [
    { role: 'system', content: 'You are a helpful assistant.' },
    { role: 'user', content: '¿Qué hora es en Tokio?' },
    {
      role: 'assistant',
      content: null,
      tool_calls: [
        {
          id: 'call_1',
          type: 'function',
          function: { name: 'get_time', arguments: { tz: 'Asia/Tokyo', opts: { h24: true } } },
        },
      ],
    },
    { role: 'tool', tool_call_id: 'call_1', content: '{"time": "21:04"}' },
    { role: 'assistant', content: 'Son las 21:04 en Tokio.' },
  ],
  tools: [
    {
      type: 'function',
      function: {
        name: 'get_time',
        description: 'Current time in a time zone.',
        parameters: {
          type: 'object',
          properties: { tz: { type: 'string' }, opts: { type: 'object' } },
          required: ['tz'],
        },
      },
    },
  ],
}

describe('format → canonical → format on hand-written lines', () => {
  it.each([
    ['hermes', HERMES_LINE],
    ['qwen3-coder', QWEN3_LINE],
    ['sharegpt', SHAREGPT_LINE],
    ['mlx', STRUCTURED_LINE],
    ['axolotl', STRUCTURED_LINE],
  ] as const)('%s: the line comes back byte for byte', (name, line) => {
    const f = format(name)
    const example = f.toExample(line)
    expect(JSON.stringify(f.fromExample(example))).toBe(JSON.stringify(line))
  })

  it('hermes: reads the calls, the tools and the results in order', () => {
    const example = format('hermes').toExample(HERMES_LINE)
    expect(example.messages[0]).toEqual({ role: 'system', content: 'You are a helpful assistant.' })
    expect(example.tools?.[0]?.function.name).toBe('get_weather')
    expect(example.messages[2]).toEqual({
      role: 'assistant',
      content: 'Ich schaue nach.',
      tool_calls: [
        {
          id: 'call_2_0',
          type: 'function',
          function: { name: 'get_weather', arguments: '{"city":"München","units":"c"}' },
        },
        {
          id: 'call_2_1',
          type: 'function',
          function: { name: 'get_weather', arguments: '{"city":"Zürich"}' },
        },
      ],
    })
    expect(example.messages.slice(3, 5)).toEqual([
      { role: 'tool', tool_call_id: 'call_2_0', content: '{"temp": 3}' },
      { role: 'tool', tool_call_id: 'call_2_1', content: '{"temp": 5}' },
    ])
  })

  it('qwen3-coder: parameter values are read by the tool schema (string stays text, integer and object parsed)', () => {
    const example = format('qwen3-coder').toExample(QWEN3_LINE)
    const call = example.messages[2]
    expect(call).toMatchObject({ role: 'assistant', content: 'Running them.' })
    const args =
      call?.role === 'assistant' ? JSON.parse(call.tool_calls?.[0]?.function.arguments ?? '') : undefined
    expect(args).toEqual({
      command: 'npm test -- --run',
      timeout: 120,
      env: { CI: '1', LANG: 'de_DE.UTF-8' },
    })
    expect(example.tools?.[0]?.function.parameters).toEqual({
      type: 'object',
      properties: {
        command: { type: 'string', description: 'The command line.' },
        timeout: { type: 'integer' },
        env: { type: 'object', additionalProperties: { type: 'string' } },
      },
      required: ['command'],
    })
    expect(example.metadata).toEqual({ id: 'q-1' })
  })

  it('qwen3-coder: a string parameter that looks like a number stays a string', () => {
    const f = format('qwen3-coder')
    const example: Example = {
      messages: [
        { role: 'user', content: 'read 42' },
        {
          role: 'assistant',
          tool_calls: [
            {
              id: 'c',
              type: 'function',
              function: { name: 'read_file', arguments: '{"path":"42","line":7}' },
            },
          ],
        },
      ],
      tools: [READ_FILE],
    }
    const back = f.toExample(asLine(f.fromExample(example)))
    expect(back.messages[1]).toMatchObject({
      tool_calls: [{ function: { arguments: '{"path":"42","line":7}' } }],
    })
  })

  it('sharegpt: splits the joined observation between the parallel calls', () => {
    const example = format('sharegpt').toExample(SHAREGPT_LINE)
    expect(example.messages.filter((m) => m.role === 'tool')).toEqual([
      { role: 'tool', tool_call_id: 'call_2_0', content: '{"result": 92.5}' },
      { role: 'tool', tool_call_id: 'call_2_1', content: '{"result": 15700}' },
      { role: 'tool', tool_call_id: 'call_7_0', content: '{"result": 4.63}' },
    ])
    expect(example.tools?.[0]).toMatchObject({ type: 'function', function: { name: 'convert' } })
  })

  it('mlx: a line without ids gets them, results matched in order', () => {
    const line = {
      messages: [
        { role: 'user', content: 'q' },
        {
          role: 'assistant',
          tool_calls: [
            { function: { name: 'a', arguments: {} } },
            { function: { name: 'b', arguments: '{"x":1}' } },
          ],
        },
        { role: 'tool', content: '1' },
        { role: 'tool', content: '2' },
      ],
    }
    const example = format('mlx').toExample(line)
    expect(example.messages.slice(1)).toEqual([
      {
        role: 'assistant',
        tool_calls: [
          { id: 'call_1_0', type: 'function', function: { name: 'a', arguments: '{}' } },
          { id: 'call_1_1', type: 'function', function: { name: 'b', arguments: '{"x":1}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1_0', content: '1' },
      { role: 'tool', tool_call_id: 'call_1_1', content: '2' },
    ])
  })

  it('axolotl: reads the human/gpt role aliases', () => {
    const example = format('axolotl').toExample({
      messages: [
        { role: 'human', content: 'hi' },
        { role: 'gpt', content: 'hello' },
      ],
    })
    expect(example.messages).toEqual([
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: 'hello' },
    ])
  })
})

describe('ChatML text lines', () => {
  // As Qwen2.5's template renders HERMES_LINE's conversation: apply_chat_template(messages, tools=tools).
  const rendered = renderChatml(HERMES_LINE.messages as Turn[])

  it('a {"text": …} line reads the same as its turns', () => {
    const f = format('hermes')
    expect(f.toExample({ text: rendered })).toEqual(f.toExample(HERMES_LINE))
    expect(parseChatml(rendered)).toEqual(HERMES_LINE.messages)
  })

  it('the rendered text has the template shape: the call right after the role line', () => {
    expect(rendered).toContain(
      '<|im_start|>assistant\nIch schaue nach.\n<tool_call>\n{"name": "get_weather", "arguments": {"city": "München", "units": "c"}}\n</tool_call>\n<tool_call>',
    )
    expect(rendered).toContain(
      '<|im_start|>user\n<tool_response>\n{"temp": 3}\n</tool_response>\n<tool_response>',
    )
  })

  it('text outside the turns is an error that says where', () => {
    expect(() => format('hermes').toExample({ text: `${rendered}oops` })).toThrow(
      /expected <\|im_start\|>ROLE at character \d+/,
    )
    expect(() => format('hermes').toExample({ text: '<|im_start|>robot\nhi<|im_end|>\n' })).toThrow(
      /unknown ChatML role "robot"/,
    )
  })

  it('writes JSON the way the templates` tojson does', () => {
    expect(pythonJson({ a: [1, { b: 'ü' }], c: null })).toBe('{"a": [1, {"b": "ü"}], "c": null}')
  })
})

describe('bad lines say what is wrong', () => {
  const cases: [string, unknown, RegExp][] = [
    ['openai', { messages: [{ role: 'robot', content: 'x' }] }, /messages\.0\.role/],
    ['mlx', { messages: 'hello' }, /messages: expected a list of messages/],
    ['mlx', [1, 2], /a line must be a JSON object/],
    [
      'mlx',
      { messages: [{ role: 'tool', content: 'x' }] },
      /messages\.0: a tool result with no tool call before it/,
    ],
    [
      'mlx',
      { messages: [{ role: 'assistant', tool_calls: [{ function: { name: 'f', arguments: '{nope' } }] }] },
      /messages\.0\.tool_calls\.0 \(f\): arguments are text that is not a JSON object/,
    ],
    [
      'axolotl',
      { messages: [{ role: 'assistant', tool_calls: {} }] },
      /messages\.0\.tool_calls: expected a list/,
    ],
    ['axolotl', { messages: [{ role: 'user', content: [{ type: 'image', url: 'x' }] }] }, /only text parts/],
    [
      'hermes',
      { messages: [{ role: 'tool', content: 'x' }] },
      /messages\.0\.role: expected system, user or assistant/,
    ],
    ['hermes', { foo: 1 }, /expected messages .* or text/],
    [
      'hermes',
      {
        messages: [
          { role: 'user', content: 'q' },
          { role: 'assistant', content: '<tool_call>\n{"name": \n</tool_call>' },
        ],
      },
      /messages\.1: <tool_call> 1 is not JSON/,
    ],
    [
      'hermes',
      { messages: [{ role: 'user', content: '<tool_response>\nx\n</tool_response>' }] },
      /messages\.0: a tool result with no tool call before it/,
    ],
    [
      'hermes',
      {
        messages: [
          {
            role: 'assistant',
            content: '<tool_call>\n{"name": "f", "arguments": {}}\n</tool_call> and then',
          },
        ],
      },
      /text after the tool calls/,
    ],
    [
      'qwen3-coder',
      {
        messages: [
          { role: 'assistant', content: '<tool_call>\n<function=f>\n<parameter=a>\n1\n</parameter>\n' },
        ],
      },
      /call 1 \(f\) does not end with <\/function><\/tool_call>/,
    ],
    [
      'qwen3-coder',
      {
        messages: [
          {
            role: 'system',
            content: '# Tools\n\nYou have access to the following tools:\n\n<tools>\n<function>',
          },
        ],
      },
      /never closes it/,
    ],
    [
      'sharegpt',
      { conversations: [{ from: 'bot', value: 'x' }] },
      /conversations\.0\.from: expected system, human, gpt/,
    ],
    [
      'sharegpt',
      { conversations: [{ from: 'function_call', value: 'read_file(x)' }] },
      /conversations\.0: a function_call value must be JSON/,
    ],
    ['sharegpt', { conversations: [{ from: 'human', value: 1 }] }, /conversations\.0\.value: expected text/],
    ['sharegpt', { conversations: [], tools: '{bad' }, /tools: not JSON/],
    [
      'sharegpt',
      { conversations: [{ from: 'human', value: 'x' }], metadata: 'm' },
      /metadata must be an object/,
    ],
  ]
  it.each(cases)('%s: %j', (name, line, message) => {
    expect(() => format(name).toExample(line)).toThrow(message)
  })

  it('sharegpt cannot write a system message after the first', () => {
    const example: Example = {
      messages: [
        { role: 'user', content: 'a' },
        { role: 'system', content: 'b' },
      ],
    }
    expect(() => format('sharegpt').fromExample(example)).toThrow(
      /messages\.1: ShareGPT has no system message after the first/,
    )
  })
})
