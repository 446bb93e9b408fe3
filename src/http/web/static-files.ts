import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { extname, join, relative, sep } from 'node:path'
import { gzipSync } from 'node:zlib'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
}

/** One served file: its bytes as read, and gzipped when that saves anything worth a header. */
export interface StaticFile {
  type: string
  body: Uint8Array
  etag: string
  gzip?: { body: Uint8Array; etag: string } | undefined
}

/**
 * Below this, compression saves less than its header costs a browser to undo; above it, the
 * saving is what a 400 KB chart library needs on a phone.
 */
const COMPRESS_FROM = 1024

/**
 * Every file of a known type under `dir`, subfolders included, keyed `prefix` + its path with
 * `/` separators. Read and compressed once, here, so a request costs a map look-up: nothing a
 * request names is ever joined to a path on disk. `transform` rewrites a text file before it is
 * stored (the vendored packages lose their source-map comment).
 */
export function readStaticFiles(
  dir: string,
  prefix: string,
  options: { only?: (file: string) => boolean; transform?: (text: string) => string } = {},
): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>()
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue
    const type = TYPES[extname(entry.name)]
    const path = join(entry.parentPath, entry.name)
    const name = relative(dir, path).split(sep).join('/')
    if (type === undefined || (options.only !== undefined && !options.only(name))) continue
    const text = readFileSync(path, 'utf8')
    files.set(`${prefix}${name}`, staticFile(type, options.transform?.(text) ?? text))
  }
  return files
}

/** @param text what to serve, as it will be sent */
export function staticFile(type: string, text: string): StaticFile {
  const body = new TextEncoder().encode(text)
  const file: StaticFile = { type, body, etag: tag(body) }
  if (body.byteLength >= COMPRESS_FROM) {
    const zipped = gzipSync(body, { level: 9 })
    if (zipped.byteLength < body.byteLength * 0.9) file.gzip = { body: zipped, etag: tag(zipped) }
  }
  return file
}

/** The response for `file`, gzipped when the request accepts it; validators per encoding. */
export function staticResponse(
  file: StaticFile,
  acceptEncoding: string | undefined,
  headers: Record<string, string>,
): Response {
  const gzip = file.gzip !== undefined && acceptsGzip(acceptEncoding) ? file.gzip : undefined
  return new Response((gzip ?? file).body, {
    headers: {
      ...headers,
      'content-type': file.type,
      etag: (gzip ?? file).etag,
      ...(file.gzip === undefined ? {} : { vary: 'accept-encoding' }),
      ...(gzip === undefined ? {} : { 'content-encoding': 'gzip' }),
    },
  })
}

/** `gzip` listed without `q=0` (RFC 9110, 12.5.3); `*` counts too. */
function acceptsGzip(header: string | undefined): boolean {
  if (header === undefined) return false
  return header.split(',').some((part) => {
    const [coding = '', ...params] = part.trim().toLowerCase().split(';')
    if (coding.trim() !== 'gzip' && coding.trim() !== '*') return false
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='))
    return q === undefined || Number(q.slice(2)) > 0
  })
}

function tag(bytes: Uint8Array): string {
  return `"${createHash('sha256').update(bytes).digest('base64url').slice(0, 27)}"`
}
