// The answer to `initialize`. Its own small module: it is served before the ACP SDK has loaded.
import type { InitializeResponse } from '@agentclientprotocol/sdk'

export const ACP_PROTOCOL_VERSION = 1

/** `images`: whether the model new sessions start with takes images (config/image-prompts.ts). */
export function initializeResponse(version: string, images = false): InitializeResponse {
  return {
    protocolVersion: ACP_PROTOCOL_VERSION,
    agentInfo: { name: 'punie', title: 'Punie', version },
    agentCapabilities: {
      loadSession: true,
      promptCapabilities: { image: images, audio: false, embeddedContext: true },
      mcpCapabilities: { http: true, sse: true },
      sessionCapabilities: { list: {}, resume: {}, close: {} },
    },
    authMethods: [],
  }
}
