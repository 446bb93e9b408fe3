import { describe, expect, it } from 'vitest'
import { fixturePack } from '../../test/fixture-pack/index.ts'
import { ADA } from '../../test/fixture-pack/people.ts'
import { createLocalEmbedder } from '../embedding/local-embedder.ts'
import { createGateway } from '../gateway/gateway.ts'
import { DatabaseUnavailableError } from '../lib/errors.ts'
import { createLogger } from '../lib/logger.ts'
import { previewApproval } from './approval-preview.ts'
import { inProcessAccess } from './gateway-access.ts'
import { TurnState } from './worker-context.ts'

describe("the Worker's preview of a paused call", () => {
  it('is null, never a summary made up on this side, when the gateway cannot reach its database', async () => {
    const gateway = createGateway({
      db: () => Promise.reject(new DatabaseUnavailableError('connection refused')),
      pack: fixturePack,
      embedder: createLocalEmbedder(),
      logger: createLogger({ level: 'silent' }),
      sessionSecret: undefined,
      sessionTtlSeconds: 600,
      toolTimeoutMs: 5000,
      maxConcurrentPerIdentity: 10,
      rateLimit: undefined,
    })
    const access = inProcessAccess(gateway, ADA)
    const turn = new TurnState({
      conversationId: '00000000-0000-4000-8000-000000000001',
      userId: ADA.sub,
      sessionHandle: 'fses_unchecked',
      grounding: [],
      traceId: 'trace_1',
    })
    const call = {
      tool: 'domain_cancel_booking',
      arguments: { booking: 2, reason: 'r' },
    }
    expect(await previewApproval(await access.connect(), turn, call, 5000)).toBeNull()
    await access.close()
  })
})
