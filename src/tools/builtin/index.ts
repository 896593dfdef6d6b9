import type { Tool } from '../define.js'
import { addImport } from './add-import.js'
import { checkRules } from './check-rules.js'
import { format, gitDiffTool, gitLogTool, gitStatusTool, lint, runTests, typecheck } from './devtools.js'
import { editFile } from './edit-file.js'
import { findPattern } from './find-pattern.js'
import { glob } from './glob.js'
import { grep } from './grep.js'
import { listDir } from './list-dir.js'
import {
  diagnostics,
  documentSymbols,
  findReferences,
  gotoDefinition,
  hover,
  renameSymbol,
  workspaceSymbols,
} from './lsp-tools.js'
import { plan } from './plan.js'
import { readFile } from './read-file.js'
import { runCommand } from './run-command.js'
import { getTerminalOutput, killTerminal, releaseTerminal, waitForTerminalExit } from './terminal-tools.js'
import { writeFile } from './write-file.js'

export const builtinTools: readonly Tool[] = [
  readFile,
  writeFile,
  editFile,
  listDir,
  glob,
  grep,
  runCommand,
  getTerminalOutput,
  waitForTerminalExit,
  killTerminal,
  releaseTerminal,
  plan,
  typecheck,
  lint,
  format,
  runTests,
  gitStatusTool,
  gitDiffTool,
  gitLogTool,
  gotoDefinition,
  findReferences,
  hover,
  documentSymbols,
  workspaceSymbols,
  renameSymbol,
  diagnostics,
  findPattern,
  addImport,
  checkRules,
]
