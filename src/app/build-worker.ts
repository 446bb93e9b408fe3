import type { GatewayAccess } from '../agent/gateway-access.ts'
import type { WorkerModel } from '../agent/model-factory.ts'
import { createWorker, type Worker } from '../agent/worker.ts'
import { consentTools } from '../pack/domain-pack.ts'
import { SkillRuntime } from '../skills/skill-runtime.ts'
import { createSandbox } from '../skills/skill-sandbox.ts'
import type { Database } from '../store/database.ts'
import type { Runtime } from './runtime.ts'
import { loadSkillLibrary, logSkillWarnings } from './skill-library.ts'

/**
 * The Worker over `gateway` with the configuration's skills and settings: memory and audit on its
 * own pool of `db`; skill reads and activations audited as `actor`.
 */
export async function buildWorker(
  runtime: Runtime,
  db: Database,
  gateway: GatewayAccess,
  model: WorkerModel,
  actor: string,
): Promise<Worker> {
  const { config, logger, pack } = runtime
  const library = await loadSkillLibrary(runtime)
  logSkillWarnings(logger, library)
  const scripts = config.skills.scripts
  const skills = new SkillRuntime({
    library,
    db,
    actor,
    maxResourceBytes: config.skills.resourceMaxBytes,
    workspaceRoot: config.skills.workspaceDir,
    sandbox:
      scripts === undefined
        ? undefined
        : createSandbox({
            bwrap: scripts.bwrap,
            limits: { ...scripts, fileBytes: scripts.outputBytes },
          }),
  })
  return createWorker({
    db: db.pool({ purpose: 'worker', max: 2 }),
    model,
    gateway,
    skills,
    settings: config.worker,
    approvalTools: approvalToolsOf(runtime),
    actionClaims: pack.gateway?.actionClaims ?? [],
    price: config.llm.configured ? config.llm.price : undefined,
    logger,
  })
}

/**
 * The tools the Worker asks a person's consent for: WORKER_APPROVAL_TOOLS, or the pack's consent
 * tools. A tool whose consent the gateway asks for itself is always among them: the Worker answers
 * the gateway's question with the person's answer to its card, and has no other.
 */
export function approvalToolsOf({ config, pack }: Runtime): readonly string[] {
  const asked = config.worker.approvalTools ?? consentTools(pack)
  return [...new Set([...asked, ...consentTools(pack, 'server')])]
}
