// A permission request of the session's policy as an MCP elicitation: a yes/no that says what would change
// (the diff of each file, or the command and its arguments), and the answer as a permission outcome. Pure.
import type {
  ClientCapabilities,
  ElicitRequestFormParams,
  ElicitResult,
} from '@modelcontextprotocol/sdk/types.js'
import { diffText } from '../../client/diff-text.js'
import type { PermissionRequest } from '../../session/ports.js'
import type { PermissionOutcome } from '../../tools/permission.js'

/** What one elicitation message may say; a client shows it in a dialog. */
const MAX_MESSAGE_CHARS = 8000
const MAX_DIFF_LINES = 60
const MAX_ARGUMENT_CHARS = 2000

/** The field of the form that turns "yes" into "yes, and the same again for this connection". */
export const ALWAYS_FIELD = 'always'

/**
 * Whether the client can show a form: an `elicitation` capability that names `form`, or names neither mode
 * (clients written before URL mode existed send `{}`, which means form).
 */
export function canElicitForm(capabilities: ClientCapabilities | undefined): boolean {
  const elicitation = capabilities?.elicitation as { form?: unknown; url?: unknown } | undefined
  if (!elicitation) return false
  return elicitation.form !== undefined || elicitation.url === undefined
}

export function elicitationFor(
  request: PermissionRequest,
  display: (path: string) => string,
): ElicitRequestFormParams {
  return {
    mode: 'form',
    message: permissionMessage(request, display),
    requestedSchema: {
      type: 'object',
      properties:
        request.allowAlways === false
          ? {}
          : {
              [ALWAYS_FIELD]: {
                type: 'boolean',
                title: 'Allow the same again while this server runs',
                default: false,
              },
            },
    },
  }
}

export function permissionMessage(request: PermissionRequest, display: (path: string) => string): string {
  const lines = [`Allow Punie's ${request.toolName}: ${request.title}?`]
  const diffs = request.content.filter((c) => c.type === 'diff')
  for (const diff of diffs) {
    const path = display(diff.path)
    const shown = diffText(path, diff.oldText, diff.newText, { maxLines: MAX_DIFF_LINES })
    lines.push('', ...(shown.length ? shown : [`${path}: no change`]))
  }
  for (const text of request.content.filter((c) => c.type === 'text')) lines.push('', text.text)
  if (diffs.length === 0)
    lines.push('', `Arguments: ${clip(JSON.stringify(request.input), MAX_ARGUMENT_CHARS)}`)
  return clip(lines.join('\n'), MAX_MESSAGE_CHARS)
}

/** "accept" allows (always, when the form says so); "decline" and "cancel" both refuse this call. */
export function outcomeOf(result: ElicitResult): PermissionOutcome {
  if (result.action !== 'accept') return 'reject_once'
  return result.content?.[ALWAYS_FIELD] === true ? 'allow_always' : 'allow_once'
}

/** Why a call that needs the user's yes was refused without asking: the client cannot ask. */
export function cannotAskMessage(request: Pick<PermissionRequest, 'toolName' | 'title'>): string {
  return (
    `${request.toolName} needs the user's permission (${request.title}), and this MCP client cannot ask: ` +
    'it did not advertise the elicitation capability. Use a client that supports elicitation, or start ' +
    '`punie mcp --mode accept-edits` (edits go ahead, commands still ask) or `--mode yolo` (nothing asks).'
  )
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… [${text.length - max} more characters]`
}
