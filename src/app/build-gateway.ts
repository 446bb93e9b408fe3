import type { Embedder } from '../embedding/embedder.ts'
import { createGateway, type Gateway, type GatewayOptions } from '../gateway/gateway.ts'
import type { Runtime } from './runtime.ts'
import { publishedSkills } from './skill-library.ts'

/**
 * The gateway of this configuration: the pack's tools and the published skills over `db`, with
 * the GATEWAY_* settings. Every process that serves one (`fte serve`, `fte mcp`, the CLI's
 * in-process Worker) builds it here.
 */
export async function buildGateway(
  runtime: Runtime,
  db: GatewayOptions['db'],
  embedder: Embedder,
): Promise<Gateway> {
  const { config, logger, pack } = runtime
  return createGateway({
    db,
    pack,
    embedder,
    logger,
    skills: await publishedSkills(runtime),
    ...config.gateway,
  })
}
