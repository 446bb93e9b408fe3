import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadFixtureDemoData } from '../../test/fixture-pack/demo-data.ts'
import { fixturePack } from '../../test/fixture-pack/index.ts'
import { ADA } from '../../test/fixture-pack/people.ts'
import { serveGatewayOverHttp } from '../../test/support/gateway-http.ts'
import { reply, scriptedModel } from '../../test/support/scripted-model.ts'
import { pgliteTarget } from '../../test/support/test-databases.ts'
import { collect, testWorker } from '../../test/support/worker-fixture.ts'
import { httpAccess } from './gateway-access.ts'
import type { WorkerEvent } from './worker-events.ts'

const message = (events: WorkerEvent[]) =>
  events.find((e): e is Extract<WorkerEvent, { type: 'message' }> => e.type === 'message')?.text

describe('the Worker over a remote gateway (streamable HTTP with a bearer token)', () => {
  it('runs a turn through /mcp as the token’s subject', async () => {
    const db = await pgliteTarget.open('fixture')
    await loadFixtureDemoData(db)
    const keys = await mkdtemp(join(tmpdir(), 'fte-keys-'))
    const model = await scriptedModel().start()
    const served = await serveGatewayOverHttp(db, keys, { pack: fixturePack, person: ADA.sub })
    try {
      model.enqueue(
        reply({ toolCalls: [{ name: 'domain_get_booking', arguments: { booking: 1 } }] }),
        reply({ text: 'Found booking #1.' }),
      )
      const worker = await testWorker(db, model, {
        pack: fixturePack,
        gateway: httpAccess({
          url: served.resource,
          token: await served.token(),
          timeoutMs: 10_000,
        }),
      })
      const events = await collect(worker.send({ message: 'where is booking #1' }))
      expect(message(events)).toBe('Found booking #1.')
      const { rows } = await db.query<{ user_id: string }>(
        'SELECT user_id FROM conversations WHERE id = $1',
        [events[0]?.conversationId],
      )
      expect(rows[0]?.user_id).toBe('demo|ada-park')
      await worker.close()
    } finally {
      await served.close()
      await model.stop()
      await db.close()
      await rm(keys, { recursive: true, force: true })
    }
  })
})
