// OpenTelemetry export of the event stream, off unless OTEL_EXPORTER_OTLP_ENDPOINT (or the traces endpoint)
// is set. Spans follow the GenAI semantic conventions: invoke_agent per turn, chat {model} per model request,
// execute_tool {tool} per tool call (calls made from code nest under their execute_code span).
import type { Span, Tracer } from '@opentelemetry/api'
import type { Env } from '../config/home.js'
import type { Logger } from '../log/logger.js'
import type { AgentEvent } from '../session/events.js'

export interface EventExporter {
  onEvent(event: AgentEvent): void
  shutdown(): Promise<void>
}

export function otelEnabled(env: Env): boolean {
  return (
    Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) &&
    env.OTEL_SDK_DISABLED !== 'true'
  )
}

/** The exporter, or undefined when OpenTelemetry is not configured. Its libraries load only when it is. */
export async function createOtelExporter(
  env: Env,
  version: string,
  logger: Logger,
): Promise<EventExporter | undefined> {
  if (!otelEnabled(env)) return undefined
  const [
    api,
    { BasicTracerProvider, BatchSpanProcessor },
    { OTLPTraceExporter },
    { resourceFromAttributes },
  ] = await Promise.all([
    import('@opentelemetry/api'),
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
  ])
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      'service.name': env.OTEL_SERVICE_NAME || 'punie',
      'service.version': version,
    }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
  })
  logger.info(
    'OpenTelemetry export on (%s)',
    env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT,
  )
  return new SpanBuilder(provider.getTracer('punie', version), api, provider)
}

type Api = typeof import('@opentelemetry/api')

class SpanBuilder implements EventExporter {
  private readonly turns = new Map<string, Span>()
  private readonly requests = new Map<string, Span>()
  private readonly tools = new Map<string, Span>()

  constructor(
    private readonly tracer: Tracer,
    private readonly api: Api,
    private readonly provider: { shutdown(): Promise<void> },
  ) {}

  onEvent(event: AgentEvent): void {
    const id = (part: string) => `${event.sessionId}\u0000${part}`
    switch (event.type) {
      case 'turn.start':
        this.turns.set(
          id(event.turnId),
          this.tracer.startSpan('invoke_agent punie', {
            startTime: event.at,
            kind: this.api.SpanKind.INTERNAL,
            attributes: {
              'gen_ai.operation.name': 'invoke_agent',
              'gen_ai.agent.name': 'punie',
              'gen_ai.conversation.id': event.sessionId,
            },
          }),
        )
        break
      case 'model.start':
        this.requests.set(
          id(`${event.turnId}/${event.request}`),
          this.child(
            this.turns.get(id(event.turnId)),
            `chat ${event.model}`,
            event.at,
            {
              'gen_ai.operation.name': 'chat',
              'gen_ai.request.model': event.model,
              'server.address': safeHost(event.baseURL),
            },
            this.api.SpanKind.CLIENT,
          ),
        )
        break
      case 'model.end': {
        const span = this.take(this.requests, id(`${event.turnId}/${event.request}`))
        if (!span) break
        if (event.usage) {
          span.setAttribute('gen_ai.usage.input_tokens', event.usage.promptTokens)
          span.setAttribute('gen_ai.usage.output_tokens', event.usage.completionTokens)
        }
        if (event.firstTokenMs !== undefined)
          span.setAttribute('punie.time_to_first_token_ms', event.firstTokenMs)
        if (!event.ok) this.fail(span, event.error ?? 'model request failed')
        span.end(event.at)
        break
      }
      case 'tool.start': {
        const parent = event.parentToolCallId
          ? this.tools.get(id(event.parentToolCallId))
          : this.turns.get(id(event.turnId))
        this.tools.set(
          id(event.toolCallId),
          this.child(parent, `execute_tool ${event.name}`, event.at, {
            'gen_ai.operation.name': 'execute_tool',
            'gen_ai.tool.name': event.name,
            'gen_ai.tool.call.id': event.toolCallId,
            'punie.tool.backend': event.backend ?? 'local',
          }),
        )
        break
      }
      case 'tool.end': {
        const span = this.take(this.tools, id(event.toolCallId))
        if (!span) break
        if (event.status === 'failed') this.fail(span, event.error ?? 'tool failed')
        span.end(event.at)
        break
      }
      case 'turn.end': {
        const span = this.take(this.turns, id(event.turnId))
        if (!span) break
        span.setAttribute('punie.stop_reason', event.stopReason)
        span.end(event.at)
        break
      }
      default:
        break
    }
  }

  async shutdown(): Promise<void> {
    await this.provider.shutdown()
  }

  private child(
    parent: Span | undefined,
    name: string,
    at: number,
    attributes: Record<string, string>,
    kind = this.api.SpanKind.INTERNAL,
  ): Span {
    const context = parent
      ? this.api.trace.setSpan(this.api.context.active(), parent)
      : this.api.context.active()
    return this.tracer.startSpan(name, { startTime: at, kind, attributes }, context)
  }

  private fail(span: Span, message: string) {
    span.setStatus({ code: this.api.SpanStatusCode.ERROR, message })
    span.setAttribute('error.type', message.slice(0, 120))
  }

  private take(map: Map<string, Span>, key: string): Span | undefined {
    const span = map.get(key)
    map.delete(key)
    return span
  }
}

function safeHost(url: string): string {
  try {
    return new URL(url).hostname
  } catch {
    return url
  }
}
