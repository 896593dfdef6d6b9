// Messages between the agent and the sandbox child process that runs the Python.
export interface SandboxLimits {
  maxDurationSecs: number
  maxMemoryBytes: number
  maxRecursionDepth: number
  maxAllocations?: number
  /** Printed characters passed on, and the size of the returned value; printing far past it stops the run. */
  maxOutputChars: number
}

export interface Diagnostic {
  line: number
  column: number
  code: string
  message: string
}

export type ToParent =
  | { type: 'call'; callId: number; name: string; args: unknown[]; kwargs: Record<string, unknown> }
  /** `dropped`: printing went on past the output cap; the rest is not sent. */
  | { type: 'print'; text: string; dropped?: true }
  | { type: 'done'; value: unknown; valueCut: boolean }
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
