// Canonical examples that exercise every part a format must carry: a system prompt, several calls in one turn
// with text beside them, results, a direct answer, an execute_code call in code form, non-ASCII text, nested
// object arguments, a weight, parallel_tool_calls and metadata.
import type { Example, ToolDefinition } from '../../src/dataset/example.js'

export const READ_FILE: ToolDefinition = {
  type: 'function',
  function: {
    name: 'read_file',
    description: 'Read a text file in the workspace (optionally a line range).',
    parameters: {
      type: 'object',
      properties: {
        path: { type: 'string', description: 'Path relative to the workspace.' },
        line: { type: 'integer', description: 'First line, 1-based.' },
        limit: { type: 'integer' },
      },
      required: ['path'],
      additionalProperties: false,
    },
  },
}

export const EDIT_FILE: ToolDefinition = {
  type: 'function',
  function: {
    name: 'edit_file',
    description: 'Replace text in a file.',
    parameters: {
      type: 'object',
      properties: {
        path: { type: 'string' },
        edits: {
          type: 'array',
          items: {
            type: 'object',
            properties: { old: { type: 'string' }, new: { type: 'string' } },
            required: ['old', 'new'],
          },
        },
        options: { type: 'object', properties: { dry_run: { type: 'boolean' } } },
      },
      required: ['path', 'edits'],
    },
  },
}

export const GREP: ToolDefinition = {
  type: 'function',
  function: {
    name: 'grep',
    description: 'Search files for a regular expression.',
    parameters: {
      type: 'object',
      properties: {
        pattern: { type: 'string' },
        glob: { type: 'string', enum: ['*.py', '*.ts'] },
      },
      required: ['pattern'],
    },
  },
}

export const TOOLS = [READ_FILE, EDIT_FILE, GREP]

const args = (value: unknown) => JSON.stringify(value)

/** Several calls in one turn with text beside them, results, nested arguments, non-ASCII, weight, metadata. */
export const MULTI_CALL: Example = {
  messages: [
    {
      role: 'system',
      content: 'You are Punie, a coding agent. Réponds en français si on te parle français.',
    },
    { role: 'user', content: 'Corrige la fonction « somme » dans calc.py et cherche ses usages 🙂' },
    {
      role: 'assistant',
      content: 'Je lis le fichier et je cherche les usages.',
      tool_calls: [
        {
          id: 'call_a1',
          type: 'function',
          function: { name: 'read_file', arguments: args({ path: 'calc.py', line: 1 }) },
        },
        {
          id: 'call_a2',
          type: 'function',
          function: { name: 'grep', arguments: args({ pattern: 'somme\\(', glob: '*.py' }) },
        },
      ],
    },
    { role: 'tool', tool_call_id: 'call_a1', content: 'def somme(a, b):\n    return a - b\n' },
    { role: 'tool', tool_call_id: 'call_a2', content: 'main.py:3: print(somme(1, 2))' },
    {
      role: 'assistant',
      tool_calls: [
        {
          id: 'call_b1',
          type: 'function',
          function: {
            name: 'edit_file',
            arguments: args({
              path: 'calc.py',
              edits: [{ old: 'return a - b', new: 'return a + b  # corrigé' }],
              options: { dry_run: false },
            }),
          },
        },
      ],
    },
    { role: 'tool', tool_call_id: 'call_b1', content: 'Edited calc.py (1 replacement).' },
    {
      role: 'assistant',
      content: 'C’est corrigé : `somme` additionne maintenant. Utilisée dans main.py.',
      weight: 1,
    },
  ],
  tools: TOOLS,
  parallel_tool_calls: true,
  metadata: {
    id: 'session-1/turn-2',
    source: 'store',
    category: 'edit',
    outcome: 'success',
    toolMode: 'direct',
  },
}

/** A direct answer: no tool, no system prompt, no tools offered. */
export const DIRECT_ANSWER: Example = {
  messages: [
    { role: 'user', content: 'What does `git rebase -i` do?' },
    { role: 'assistant', content: 'It lets you reorder, squash, edit or drop commits interactively.' },
  ],
}

/** Tools offered but none called, no system prompt, a weighted-out earlier answer. */
export const TOOLS_NO_SYSTEM: Example = {
  messages: [
    { role: 'user', content: 'Hi' },
    { role: 'assistant', content: 'Hello! What shall we work on?', weight: 0 },
    { role: 'user', content: 'Read README.md' },
    {
      role: 'assistant',
      tool_calls: [
        {
          id: 'x-1',
          type: 'function',
          function: { name: 'read_file', arguments: args({ path: 'README.md' }) },
        },
      ],
    },
    { role: 'tool', tool_call_id: 'x-1', content: '' },
    { role: 'assistant', content: 'README.md is empty.' },
  ],
  tools: [READ_FILE],
  parallel_tool_calls: false,
}

export const EXECUTE_CODE_TOOL: ToolDefinition = {
  type: 'function',
  function: {
    name: 'execute_code',
    description: 'Run a Python snippet that calls the tools as functions.',
    parameters: {
      type: 'object',
      properties: { code: { type: 'string' } },
      required: ['code'],
      additionalProperties: false,
    },
  },
}

/** A Code Mode example: one execute_code call whose code calls two tools, one folded result. */
export const CODE_FORM: Example = {
  messages: [
    {
      role: 'system',
      content: 'Tools are Python functions:\n- read_file(path: str, line?: int)\n- grep(pattern: str)',
    },
    { role: 'user', content: 'Count the TODOs in app.py' },
    {
      role: 'assistant',
      tool_calls: [
        {
          id: 'call_c1',
          type: 'function',
          function: {
            name: 'execute_code',
            arguments: args({
              code: 'text = read_file(path="app.py")\nprint(text["content"].count("TODO"), "TODOs — fin")',
            }),
          },
        },
      ],
    },
    { role: 'tool', tool_call_id: 'call_c1', content: '3 TODOs — fin\n(1 tool call)' },
    { role: 'assistant', content: 'app.py has 3 TODOs.' },
  ],
  tools: [EXECUTE_CODE_TOOL],
  metadata: { toolMode: 'code', labels: ['code-mode'] },
}

export const EXAMPLES: Record<string, Example> = {
  'several calls in one turn': MULTI_CALL,
  'a direct answer': DIRECT_ANSWER,
  'tools without a system prompt': TOOLS_NO_SYSTEM,
  'execute_code in code form': CODE_FORM,
}
