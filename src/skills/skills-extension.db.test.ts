import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import {
  Client,
  type JSONRPCMessage,
  StreamableHTTPClientTransport,
  type Transport,
} from '@modelcontextprotocol/client'
import { type Skill, SkillsClient } from '@modelcontextprotocol/client/ext/skills'
import { InMemoryTransport } from '@modelcontextprotocol/server'
import { serveStdio } from '@modelcontextprotocol/server/stdio'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { fixturePack } from '../../test/fixture-pack/index.ts'
import { ADA } from '../../test/fixture-pack/people.ts'
import { ERAS, testGateway } from '../../test/support/gateway-client.ts'
import { serveGatewayOverHttp } from '../../test/support/gateway-http.ts'
import { tempDir, writeSkill } from '../../test/support/skill-fixtures.ts'
import { pgliteTarget, type TestDatabase } from '../../test/support/test-databases.ts'
import { discoverSkills } from './discover-skills.ts'
import { publishSkills } from './publish-skills.ts'

// The Agent Skills extension as finally specified (SEP-2640, modelcontextprotocol/ext-skills
// specification/stable/skills.mdx), checked in both protocol eras: against the shapes of the
// specification's own examples on the wire, and through the SDK's SkillsClient.

/** The cache fields every cacheable skills answer carries on 2026-07-28, and none on 2025-11-25. */
const HINT = { ttlMs: 300_000, cacheScope: 'private' }

const BOOK_MD = `---
name: book-a-room
description: Books a room for a day ("book Aurora for Friday").
license: Apache-2.0
metadata:
  version: "2.1"
---
# Book a room

Pick the notice from \`templates/\`; rooms are in \`references/rooms.md\`.
`
const BOOK_FILES = {
  'references/rooms.md': '# Rooms\n\nAurora and Cedar have a projector.\n',
  'templates/regional/notice.md': '# Notice\n\nThe room is yours from nine.\n',
}
const CANCEL_MD = '---\nname: cancel-a-booking\ndescription: Cancels a booking.\n---\n# Cancel\n'

/** The results the server sent, by the method the client had asked: what crossed the wire. */
function recordAnswers(
  clientSide: Transport,
  serverSide: Transport,
): (method: string) => unknown[] {
  const asked = new Map<string | number, string>()
  const answered = new Map<string | number, unknown>()
  const ask = clientSide.send.bind(clientSide)
  clientSide.send = (message: JSONRPCMessage, options) => {
    if ('id' in message && 'method' in message) asked.set(message.id, message.method)
    return ask(message, options)
  }
  const answer = serverSide.send.bind(serverSide)
  serverSide.send = (message: JSONRPCMessage, options) => {
    if ('id' in message && 'result' in message) answered.set(message.id, message.result)
    return answer(message, options)
  }
  return (method) => [...asked].filter(([, m]) => m === method).map(([id]) => answered.get(id))
}

describe.each(ERAS)('the Agent Skills extension on $revision', ({ era, options }) => {
  let db: TestDatabase
  let tmp: Awaited<ReturnType<typeof tempDir>>
  let root: string

  beforeEach(async () => {
    db = await pgliteTarget.open('fixture')
    tmp = await tempDir()
    root = join(tmp.dir, 'skills')
    await writeSkill(root, 'book-a-room', BOOK_MD, BOOK_FILES)
    await writeSkill(root, 'cancel-a-booking', CANCEL_MD)
  })
  afterEach(async () => {
    await db.close()
    await tmp.remove()
  })

  const catalog = async () =>
    publishSkills(await discoverSkills([{ dir: root, level: 'project' }]), () => {})

  /** The entry the specification describes for a skill folder, digests and sizes read from disk. */
  async function entryOf(frontmatter: Skill['frontmatter'], files: string[]): Promise<Skill> {
    const name = frontmatter.name
    const resources = await Promise.all(
      ['SKILL.md', ...files].map(async (file) => {
        const bytes = await readFile(join(root, name, file))
        const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`
        return { uri: `skill://${name}/${file}`, digest, size: bytes.length }
      }),
    )
    return { uri: `skill://${name}/SKILL.md`, frontmatter, resources }
  }

  it('declares the extension with directoryRead beside resources, and lists and gets skills in the shapes of the specification', async () => {
    const gateway = await testGateway(db, { pack: fixturePack, skills: await catalog() })
    // In process, both eras: serveStdio picks the era from the opening message.
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair()
    const answersTo = recordAnswers(clientSide, serverSide)
    const served = serveStdio(gateway.factoryFor(ADA), { transport: serverSide })
    const client = new Client({ name: 'skills-wire', version: '1.0.0' }, options)
    try {
      await client.connect(clientSide)
      expect(client.getProtocolEra()).toBe(era)
      const capabilities = client.getServerCapabilities()
      expect(capabilities?.extensions?.['io.modelcontextprotocol/skills']).toEqual({
        directoryRead: true,
      })
      expect(capabilities?.resources).toBeDefined()

      const skills = new SkillsClient(client)
      await skills.list()
      await skills.get('skill://book-a-room/SKILL.md')
      const cache = era === 'modern' ? { resultType: 'complete', ...HINT } : {}
      // Every field the author wrote, verbatim; every file, SKILL.md included.
      const book = await entryOf(
        {
          name: 'book-a-room',
          description: 'Books a room for a day ("book Aurora for Friday").',
          license: 'Apache-2.0',
          metadata: { version: '2.1' },
        },
        Object.keys(BOOK_FILES),
      )
      const cancel = await entryOf(
        { name: 'cancel-a-booking', description: 'Cancels a booking.' },
        [],
      )
      const [listed] = answersTo('skills/list') as [{ skills: Skill[] }]
      // skill://<name>/SKILL.md: the skill path's last segment is the frontmatter's name.
      for (const skill of listed.skills) {
        expect(skill.uri).toBe(`skill://${skill.frontmatter.name}/SKILL.md`)
      }
      const { _meta: _listMeta, ...list } = listed as Record<string, unknown>
      expect(list).toEqual({ skills: [book, cancel], ...cache })
      const [got] = answersTo('skills/get') as [Record<string, unknown>]
      const { _meta: _getMeta, ...get } = got
      expect(get).toEqual({ skill: book, ...cache })

      await expect(skills.get('skill://no-such-skill/SKILL.md')).rejects.toMatchObject({
        code: -32602,
      })
    } finally {
      await client.close()
      await served.close()
    }
  })

  it("lets the SDK's SkillsClient read every file, checked against its digest, and walk a skill's directories", async () => {
    const http = await serveGatewayOverHttp(db, join(tmp.dir, 'keys'), {
      pack: fixturePack,
      person: ADA.sub,
      skills: await catalog(),
    })
    const client = new Client({ name: 'skills-http', version: '1.0.0' }, options)
    try {
      const token = await http.token()
      await client.connect(
        new StreamableHTTPClientTransport(new URL(http.resource), {
          requestInit: { headers: { authorization: `Bearer ${token}` } },
        }),
      )
      expect(client.getProtocolEra()).toBe(era)
      const cache = era === 'modern' ? HINT : {}
      const skills = new SkillsClient(client)
      expect(skills.directoryRead).toBe(true)
      const { skills: listed, invalid, ...listCache } = await skills.list()
      expect(invalid).toEqual([])
      expect(listCache).toEqual(cache)
      const book = listed.find((skill) => skill.frontmatter.name === 'book-a-room')
      if (book === undefined) throw new Error('book-a-room was not listed')
      const { skill, ...getCache } = await skills.get(book.uri)
      expect(skill).toEqual(book)
      expect(getCache).toEqual(cache)

      const manifest = await skills.read(book)
      expect(manifest).toMatchObject({ verified: true, frontmatter: book.frontmatter })
      expect(manifest.body).toContain('Pick the notice')
      for (const [file, text] of Object.entries(BOOK_FILES)) {
        const read = await skills.read(book, file)
        expect(read.verified).toBe(true)
        expect(new TextDecoder().decode(read.bytes)).toBe(text)
      }
      const {
        contents: _contents,
        _meta,
        ...readCache
      } = await client.readResource({
        uri: book.uri,
      })
      expect(readCache).toEqual(cache)

      // Verification is real: a digest that does not match, or a file the entry does not list.
      const resources = book.resources === 'dynamic' ? [] : book.resources
      const tampered = {
        ...book,
        resources: resources.map((r) => ({ ...r, digest: `sha256:${'0'.repeat(64)}` })),
      }
      await expect(skills.read(tampered, 'references/rooms.md')).rejects.toMatchObject({
        reason: 'digest',
      })
      await expect(skills.read(book, 'references/missing.md')).rejects.toMatchObject({
        reason: 'unlisted',
      })

      const top = await skills.readDirectory('skill://book-a-room')
      expect(top).toEqual({
        resources: [
          expect.objectContaining({
            uri: 'skill://book-a-room/SKILL.md',
            mimeType: 'text/markdown',
          }),
          expect.objectContaining({
            uri: 'skill://book-a-room/references',
            mimeType: 'inode/directory',
          }),
          expect.objectContaining({
            uri: 'skill://book-a-room/templates',
            mimeType: 'inode/directory',
          }),
        ],
        ...cache,
      })
      const nested = await skills.readDirectory('skill://book-a-room/templates/regional')
      expect(nested.resources.map((r) => r.uri)).toEqual([
        'skill://book-a-room/templates/regional/notice.md',
      ])
      await expect(skills.readDirectory('skill://book-a-room/SKILL.md')).rejects.toMatchObject({
        code: -32602,
      })
    } finally {
      await client.close()
      await http.close()
    }
  })
})
