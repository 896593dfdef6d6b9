import type { Tool } from '../define.js'
import { readFile } from './read-file.js'

export const builtinTools: readonly Tool[] = [readFile]
