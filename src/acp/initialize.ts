// The answer to `initialize`. Its own small module: it is served before the ACP SDK has loaded.
import type { InitializeResponse } from '@agentclientprotocol/sdk'

export const ACP_PROTOCOL_VERSION = 1

export function initializeResponse(version: string): InitializeResponse {
  return {
    protocolVersion: ACP_PROTOCOL_VERSION,
    agentInfo: { name: 'punie', title: 'Punie', version },
    agentCapabilities: {
      loadSession: true,
      promptCapabilities: { image: false, audio: false, embeddedContext: true },
      mcpCapabilities: { http: true, sse: true },
      sessionCapabilities: { list: {}, resume: {}, close: {} },
    },
    authMethods: [],
  }
}
