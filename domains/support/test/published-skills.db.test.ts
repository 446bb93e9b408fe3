import { join } from 'node:path'
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client'
import { SkillsClient } from '@modelcontextprotocol/client/ext/skills'
import type { SkillWarning } from '@modelcontextprotocol/server/ext/skills'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { packageRoot } from '../../../src/lib/package-root.ts'
import { discoverSkills } from '../../../src/skills/discover-skills.ts'
import { publishSkills } from '../../../src/skills/publish-skills.ts'
import { connect, ERAS, testGateway } from '../../../test/support/gateway-client.ts'
import { serveGatewayOverHttp } from '../../../test/support/gateway-http.ts'
import { tempDir } from '../../../test/support/skill-fixtures.ts'
import { MAYA } from '../../../test/support/support-scenario.ts'
import { pgliteTarget, type TestDatabase } from '../../../test/support/test-databases.ts'
import { supportPack } from '../index.ts'

const SHIPPED = ['escalate-with-context', 'find-similar-cases', 'log-a-note', 'summarize-ticket']

// The support pack's skills as an MCP client gets them: listed, fetched and verified by the SDK
// (its Agent Skills extension), in both protocol eras.
describe.each(ERAS)('publishing the shipped skills over MCP on $revision', ({ era, options }) => {
  let db: TestDatabase
  let tmp: Awaited<ReturnType<typeof tempDir>>
  const warnings: SkillWarning[] = []

  beforeEach(async () => {
    db = await pgliteTarget.open('support')
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

  it('lets the SDK client list, fetch and verify the shipped skills and their references', async () => {
    const catalog = await catalogOf(join(packageRoot(), '.claude', 'skills'))
    const client = await connect(
      await testGateway(db, { pack: supportPack, skills: catalog }),
      MAYA,
      era,
    )
    const skills = new SkillsClient(client)
    expect(skills.supported).toBe(true)
    const { skills: listed } = await skills.list()
    expect(listed.map((s) => s.frontmatter.name)).toEqual(SHIPPED)
    const summarize = listed.find((s) => s.frontmatter.name === 'summarize-ticket')
    if (summarize === undefined) throw new Error('summarize-ticket was not listed')
    expect(summarize.frontmatter.description).toContain("what's the story on #1042")
    const manifest = await skills.read(summarize)
    expect(manifest.verified).toBe(true)
    expect(manifest.body).toContain('Call `domain_get_ticket`')
    const reference = await skills.read(summarize, 'references/summary-format.md')
    expect(reference.verified).toBe(true)
    expect(reference.text).toContain('# Summary format and reply style')
    // The gateway's tools are still there beside the skills.
    expect((await client.listTools()).tools.map((t) => t.name)).toContain('begin_session')
    await client.close()
  })

  it('serves them over streamable HTTP behind the bearer check, to a signed-in client', async () => {
    const catalog = await catalogOf(join(packageRoot(), '.claude', 'skills'))
    const http = await serveGatewayOverHttp(db, tmp.dir, {
      pack: supportPack,
      person: MAYA.sub,
      skills: catalog,
    })
    try {
      const token = await http.token()
      const client = new Client({ name: 'skills-http', version: '1.0.0' }, options)
      await client.connect(
        new StreamableHTTPClientTransport(new URL(http.resource), {
          requestInit: { headers: { authorization: `Bearer ${token}` } },
        }),
      )
      expect(client.getProtocolEra()).toBe(era)
      const skills = new SkillsClient(client)
      const { skills: listed } = await skills.list()
      expect(listed.map((s) => s.frontmatter.name)).toEqual(SHIPPED)
      const note = listed.find((s) => s.frontmatter.name === 'log-a-note')
      if (note === undefined) throw new Error('log-a-note was not listed')
      expect((await skills.read(note)).body).toContain('Call `user_save_note`')
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
