// Messages between the agent and the sandbox child process that runs the Python.
export interface SandboxLimits {
  maxDurationSecs: number
  maxMemoryBytes: number
  maxRecursionDepth: number
  maxAllocations?: number
}

export interface Diagnostic {
  line: number
  column: number
  code: string
  message: string
}

export type ToParent =
  | { type: 'call'; callId: number; name: string; args: unknown[]; kwargs: Record<string, unknown> }
  | { type: 'print'; text: string }
  | { type: 'done'; value: unknown }
  | {
      type: 'error'
      kind: 'syntax' | 'runtime' | 'typing'
      typeName: string
      message: string
      traceback: string
      diagnostics?: Diagnostic[]
    }

export type ToChild =
  | { type: 'run'; code: string; typeCheckPrefix?: string; prefixLines: number; limits: SandboxLimits }
  | { type: 'result'; callId: number; value: unknown }
  | { type: 'raise'; callId: number; exception: string; message: string }
