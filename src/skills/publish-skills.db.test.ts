import { symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client'
import { SkillsClient } from '@modelcontextprotocol/client/ext/skills'
import type { SkillWarning } from '@modelcontextprotocol/server/ext/skills'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { fixturePack } from '../../test/fixture-pack/index.ts'
import { ADA } from '../../test/fixture-pack/people.ts'
import { connect, testGateway } from '../../test/support/gateway-client.ts'
import { serveGatewayOverHttp } from '../../test/support/gateway-http.ts'
import { skillText, tempDir, writeSkill } from '../../test/support/skill-fixtures.ts'
import { pgliteTarget, type TestDatabase } from '../../test/support/test-databases.ts'
import { discoverSkills } from './discover-skills.ts'
import { publishSkills } from './publish-skills.ts'

const BOOK_STEPS = '1. Call `domain_book_room` with the room and the day.\n'
const CANCEL_STEPS = '1. Call `domain_cancel_booking`; see `references/approval.md`.\n'

/** Two skills with a reference each, as a pack ships them. */
async function writeSkills(root: string): Promise<void> {
  await writeSkill(
    root,
    'book-a-room',
    skillText('book-a-room', 'Books a room for a day ("book Aurora for Friday").', BOOK_STEPS),
    { 'references/rooms.md': '# Rooms\n\nAurora and Cedar have a projector; Birch has none.\n' },
  )
  await writeSkill(
    root,
    'cancel-a-booking',
    skillText('cancel-a-booking', 'Cancels a booking once the person approves it.', CANCEL_STEPS),
    { 'references/approval.md': '# Approval\n\nThe person approves every cancellation.\n' },
  )
}

describe('publishing the skills over MCP (the SDK Agent Skills extension)', () => {
  let db: TestDatabase
  let tmp: Awaited<ReturnType<typeof tempDir>>
  const warnings: SkillWarning[] = []

  beforeEach(async () => {
    db = await pgliteTarget.open('fixture')
    tmp = await tempDir()
    warnings.length = 0
  })
  afterEach(async () => {
    await db.close()
    await tmp.remove()
  })

  async function catalogOf(...dirs: string[]) {
    const library = await discoverSkills(dirs.map((dir) => ({ dir, level: 'project' as const })))
    return publishSkills(library, (warning) => warnings.push(warning))
  }

  it("lets the SDK client list, fetch and verify a catalog's skills and their references", async () => {
    await writeSkills(tmp.dir)
    const catalog = await catalogOf(tmp.dir)
    const client = await connect(await testGateway(db, { pack: fixturePack, skills: catalog }), ADA)
    const skills = new SkillsClient(client)
    expect(skills.supported).toBe(true)
    const { skills: listed } = await skills.list()
    expect(listed.map((s) => s.frontmatter.name)).toEqual(['book-a-room', 'cancel-a-booking'])
    const book = listed.find((s) => s.frontmatter.name === 'book-a-room')
    if (book === undefined) throw new Error('book-a-room was not listed')
    expect(book.frontmatter.description).toContain('book Aurora for Friday')
    const manifest = await skills.read(book)
    expect(manifest.verified).toBe(true)
    expect(manifest.body).toContain('Call `domain_book_room`')
    const reference = await skills.read(book, 'references/rooms.md')
    expect(reference.verified).toBe(true)
    expect(reference.text).toContain('# Rooms')
    // The gateway's tools are still there beside the skills.
    expect((await client.listTools()).tools.map((t) => t.name)).toContain('begin_session')
    await client.close()
  })

  it('serves the winning copy of a name, and leaves out what the SDK refuses, with a warning', async () => {
    const first = join(tmp.dir, 'first')
    const second = join(tmp.dir, 'second')
    await writeSkill(first, 'shared', skillText('shared', 'The project copy.'))
    await writeSkill(second, 'shared', skillText('shared', 'The user copy.'))
    const linked = await writeSkill(second, 'has-link', skillText('has-link', 'Has a link.'))
    await writeFile(join(tmp.dir, 'secret.txt'), 'secret')
    await symlink(join(tmp.dir, 'secret.txt'), join(linked, 'secret.md'))
    const catalog = await catalogOf(first, second)
    const client = await connect(await testGateway(db, { pack: fixturePack, skills: catalog }), ADA)
    const { skills: listed } = await new SkillsClient(client).list()
    expect(listed.map((s) => [s.frontmatter.name, s.frontmatter.description])).toEqual([
      ['shared', 'The project copy.'],
    ])
    expect(warnings).toEqual([
      { path: 'has-link/secret.md', message: expect.stringContaining('skill skipped') },
    ])
    await client.close()
  })

  it('serves them over streamable HTTP behind the bearer check, to a signed-in client', async () => {
    const root = join(tmp.dir, 'skills')
    await writeSkills(root)
    const catalog = await catalogOf(root)
    const http = await serveGatewayOverHttp(db, join(tmp.dir, 'keys'), {
      pack: fixturePack,
      person: ADA.sub,
      skills: catalog,
    })
    try {
      const token = await http.token()
      const client = new Client({ name: 'skills-http', version: '1.0.0' })
      await client.connect(
        new StreamableHTTPClientTransport(new URL(http.resource), {
          requestInit: { headers: { authorization: `Bearer ${token}` } },
        }),
      )
      const skills = new SkillsClient(client)
      const { skills: listed } = await skills.list()
      expect(listed.map((s) => s.frontmatter.name)).toEqual(['book-a-room', 'cancel-a-booking'])
      const cancel = listed.find((s) => s.frontmatter.name === 'cancel-a-booking')
      if (cancel === undefined) throw new Error('cancel-a-booking was not listed')
      expect((await skills.read(cancel)).body).toContain('Call `domain_cancel_booking`')
      await client.close()
      const anonymous = await fetch(http.resource, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'skills/list', params: {} }),
      })
      expect(anonymous.status).toBe(401)
    } finally {
      await http.close()
    }
  })
})
