import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { runMeta, trialsOf } from '../../test/support/eval-trials.ts'
import { summarize } from './summarize.ts'
import { writeReports } from './write-reports.ts'

describe('writeReports', () => {
  let dir = ''
  afterEach(() => rm(dir, { recursive: true, force: true }))

  it('writes the JSON (indented) and the HTML, creating their folders', async () => {
    dir = await mkdtemp(join(tmpdir(), 'fte-eval-reports-'))
    const report = summarize(trialsOf('a', 2, 1), runMeta(['a']))
    const json = join(dir, 'out', 'json', 'report.json')
    const html = join(dir, 'out', 'html', 'report.html')
    await writeReports(report, { json, html })
    const text = await readFile(json, 'utf8')
    expect(JSON.parse(text)).toEqual(report)
    expect(text).toMatch(/^{\n {2}"mode": "model",\n/)
    expect(await readFile(html, 'utf8')).toMatch(/^<!doctype html>/)
  })

  it('writes only the files it is given', async () => {
    dir = await mkdtemp(join(tmpdir(), 'fte-eval-reports-'))
    const report = summarize(trialsOf('a', 1, 1), runMeta(['a']))
    await writeReports(report, { json: join(dir, 'only.json') })
    expect((await stat(join(dir, 'only.json'))).isFile()).toBe(true)
    await writeReports(report, {})
    expect(await readdir(dir)).toEqual(['only.json'])
  })
})
