// The canonical training example: one line of the OpenAI chat fine-tuning JSONL form (messages, tools,
// parallel_tool_calls), plus Punie's optional `metadata` (provenance, category, outcome) that every converter
// keeps where its format can and drops where it cannot. Every other format converts to and from this. Pure.
import { z } from 'zod'

export const toolCallSchema = z
  .object({
    id: z.string().min(1),
    type: z.literal('function'),
    function: z.object({
      name: z.string().min(1),
      /** JSON text, as the chat API carries it. */
      arguments: z.string(),
    }),
  })
  .strict()

const text = z.string()

export const messageSchema = z.discriminatedUnion('role', [
  z.object({ role: z.literal('system'), content: text }).strict(),
  z.object({ role: z.literal('user'), content: text }).strict(),
  z
    .object({
      role: z.literal('assistant'),
      content: text.nullable().optional(),
      tool_calls: z.array(toolCallSchema).optional(),
      /** OpenAI's fine-tuning flag: 0 leaves this turn out of the loss. */
      weight: z.union([z.literal(0), z.literal(1)]).optional(),
    })
    .strict(),
  z.object({ role: z.literal('tool'), tool_call_id: z.string().min(1), content: text }).strict(),
])

export const toolDefinitionSchema = z
  .object({
    type: z.literal('function'),
    function: z
      .object({
        name: z.string().min(1),
        description: z.string().optional(),
        parameters: z.record(z.string(), z.unknown()).optional(),
      })
      .strict(),
  })
  .strict()

/** Where an example came from and what is known about it; none of it reaches a trainer. */
export const metadataSchema = z
  .object({
    /** A stable id: the session and turn it was captured from, or the generator and template. */
    id: z.string().optional(),
    /** The file (or files, after a merge) and the line it came from. */
    source: z.string().optional(),
    category: z.string().optional(),
    /** How the turn ended, from what the session store knows (flywheel labels). */
    outcome: z.enum(['success', 'failure', 'mixed', 'unknown']).optional(),
    labels: z.array(z.string()).optional(),
    /** The tool mode the example shows: JSON tool calls, or one execute_code snippet. */
    toolMode: z.enum(['direct', 'code']).optional(),
  })
  .catchall(z.unknown())

export const exampleSchema = z
  .object({
    messages: z.array(messageSchema).min(1),
    tools: z.array(toolDefinitionSchema).optional(),
    parallel_tool_calls: z.boolean().optional(),
    metadata: metadataSchema.optional(),
  })
  .strict()

export type ToolCall = z.infer<typeof toolCallSchema>
export type Message = z.infer<typeof messageSchema>
export type ToolDefinition = z.infer<typeof toolDefinitionSchema>
export type ExampleMetadata = z.infer<typeof metadataSchema>
export type Example = z.infer<typeof exampleSchema>

/** Whether an example's final answer is given without any tool call: the roadmap's "direct answer" share. */
export function isDirectAnswer(example: Example): boolean {
  return !example.messages.some((m) => m.role === 'assistant' && m.tool_calls?.length)
}

/** The names of the tools an example calls, in order of first use. */
export function toolsCalled(example: Example): string[] {
  const names = new Set<string>()
  for (const m of example.messages)
    if (m.role === 'assistant') for (const call of m.tool_calls ?? []) names.add(call.function.name)
  return [...names]
}
