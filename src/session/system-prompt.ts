// The system prompt. Kept short: on a local model every token of it is paid on every request. Each tool is
// described once: as a JSON tool (schemas travel beside the prompt, or in it with text tool calls), or as one
// line of the listing below; tool_help gives the rest on demand.
import type { CodeModeLimits } from '../codemode/execute-code.js'
import type { ToolSchema } from '../model/types.js'
import type { PermissionMode } from '../tools/permission.js'

export interface SystemPromptOptions {
  cwd: string
  mode: PermissionMode
  /** Whether the model has any tool at all. */
  hasTools: boolean
  /** Code Mode: the sandbox's limits, and whether the JSON tools are also functions in the code (`both`). */
  code?: { limits: CodeModeLimits; jsonToolsToo: boolean }
  /** The listed tools, one line each, and how they are reached. */
  listing?: { lines: readonly string[]; via: 'code' | 'call_tool' }
  /** For servers without native tool calls: the JSON tools and how to call them in text. */
  textTools?: readonly ToolSchema[]
  /** The project's instructions file (AGENTS.md), already capped, and its path as read_file takes it. */
  instructions?: { display: string; text: string }
  /** The skills' names and descriptions, one line each (knowledge/skills.ts); absent without skills. */
  skills?: readonly string[]
}

export function buildSystemPrompt(options: SystemPromptOptions): string {
  return [
    'You are Punie, a coding agent working inside the user’s project.',
    `The workspace root is ${options.cwd}; paths are relative to it.`,
    options.hasTools
      ? 'Use the tools to look at the code instead of guessing; answer from what they return.'
      : 'Answer from what the user gives you.',
    ...(options.mode === 'read-only'
      ? [
          'The session is read-only: you cannot change files or run commands; say what you would change instead.',
        ]
      : []),
    ...(options.textTools?.length ? textToolsSection(options.textTools) : []),
    ...(options.code ? codeModeSection(options.code) : []),
    ...(options.listing?.lines.length ? listingSection(options.listing) : []),
    ...(options.skills ?? []),
    ...(options.instructions ? instructionsSection(options.instructions) : []),
    'Be concise. When you are done, reply with the answer and no tool call.',
  ].join('\n')
}

function textToolsSection(tools: readonly ToolSchema[]): string[] {
  return [
    'To call a tool, write on its own lines:',
    '<tool_call>',
    '{"name": "TOOL", "arguments": {…}}',
    '</tool_call>',
    'and stop; the result comes back in <tool_response>. The tools, with their JSON schemas:',
    ...tools.map((t) => `- ${t.name}: ${t.description} ${JSON.stringify(t.parameters)}`),
  ]
}

function codeModeSection(code: NonNullable<SystemPromptOptions['code']>): string[] {
  const { limits } = code
  return [
    `${code.jsonToolsToo ? 'For several steps, use' : 'Work with'} execute_code: one Python snippet that calls tools as functions, loops and`,
    'prints what you need; the output and the last expression’s value come back. A Python subset: no classes,',
    'str.format, %, yield, match, del or print(file=); json, re and math import. A failing tool raises',
    `FileNotFoundError, PermissionError, ValueError, TimeoutError or RuntimeError. Limits: ${limits.timeoutMs / 1000} s, ${limits.maxToolCalls} tool calls.`,
    ...(code.jsonToolsToo ? ['Each JSON tool is also a function with the same parameters.'] : []),
  ]
}

function listingSection(listing: NonNullable<SystemPromptOptions['listing']>): string[] {
  const how =
    listing.via === 'code'
      ? 'Functions for the code (each returns a dict; tool_help(["name"]) shows its fields; ? = optional):'
      : 'More tools, called with call_tool(name, arguments); tool_help(names) gives their parameters and results (? = optional):'
  return [how, ...listing.lines]
}

function instructionsSection(instructions: NonNullable<SystemPromptOptions['instructions']>): string[] {
  return [
    `The project's instructions, from ${instructions.display} (follow them where they apply):`,
    instructions.text.trimEnd(),
    `(end of ${instructions.display})`,
  ]
}
