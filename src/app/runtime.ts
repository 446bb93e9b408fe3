import type { Config } from '../config/config.ts'
import type { Logger } from '../lib/logger.ts'
import type { DomainPack } from '../pack/domain-pack.ts'

/**
 * What the composition root builds from: the parsed configuration, the logger, the domain pack,
 * and the little of the host it needs (the working folder for skill discovery, the environment an
 * `fte mcp` child inherits). The entry point makes it; nothing below reads the host itself.
 */
export interface Runtime {
  config: Config
  logger: Logger
  pack: DomainPack
  host: {
    cwd: string
    env: Readonly<Record<string, string | undefined>>
  }
}
