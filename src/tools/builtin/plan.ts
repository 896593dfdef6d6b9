import { z } from 'zod'
import { defineTool } from '../define.js'

export const planEntry = z.object({
  content: z.string().min(1).describe('What to do'),
  status: z.enum(['pending', 'in_progress', 'completed']),
  priority: z.enum(['high', 'medium', 'low']).optional(),
})

export const plan = defineTool({
  name: 'plan',
  description:
    "Record a multi-step task's plan as a todo list. Update it as steps finish; each call replaces the whole list.",
  kind: 'think',
  permission: 'never',
  presentation: 'plan',
  input: z.object({ entries: z.array(planEntry).min(1) }),
  output: z.object({
    entries: z.array(planEntry.required()),
  }),
  render: (out) =>
    `Plan recorded: ${out.entries.filter((e) => e.status === 'completed').length}/${out.entries.length} done.`,
  run: async ({ entries }) => ({ entries: entries.map((e) => ({ ...e, priority: e.priority ?? 'medium' })) }),
})
