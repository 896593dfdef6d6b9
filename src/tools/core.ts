// Which tools are core: offered to the model as JSON tools, with their schemas, in every request. Every other
// tool (built-in, IDE catalog, MCP) is listed in one line and described on demand by tool_help, so the first
// request stays small. By name, so an IDE tool that replaces a core built-in stays core.
export const CORE_TOOLS: ReadonlySet<string> = new Set([
  'read_file',
  'edit_file',
  'write_file',
  'grep',
  'glob',
  'run_command',
  // Present only when the project has skills; then the model must reach it as easily as read_file.
  'load_skill',
])

export function isCoreTool(tool: { name: string }): boolean {
  return CORE_TOOLS.has(tool.name)
}
