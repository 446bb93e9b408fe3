// A local OpenAI-compatible server that plays the references of the scenario files given on the
// command line (see reference-model.ts), for CI's scripted-model evaluation and the benchmarks:
//   node test/support/serve-reference-model.ts domains/support/eval/*.yaml
// It prints the URL to use as LLM_BASE_URL. SCRIPTED_MODEL_PORT chooses its port (default: a free
// one); like serve-scripted-model.ts it never reads PORT, which is the server's.
import { loadScenarioFile } from '../../src/eval/scenario-file.ts'
import { errorMessage } from '../../src/lib/errors.ts'
import { referenceModel } from './reference-model.ts'

const port = Number(process.env.SCRIPTED_MODEL_PORT || 0)
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(
    `SCRIPTED_MODEL_PORT must be a port number (0-65535), not ${process.env.SCRIPTED_MODEL_PORT}\n`,
  )
  process.exit(2)
}
const files = process.argv.slice(2)
if (files.length === 0) {
  process.stderr.write('Usage: node test/support/serve-reference-model.ts <scenario file>...\n')
  process.exit(2)
}
let model: ReturnType<typeof referenceModel>
try {
  const scenarios = (await Promise.all(files.map((file) => loadScenarioFile(file)))).flat()
  model = await referenceModel(scenarios).start(port)
} catch (error) {
  process.stderr.write(`${errorMessage(error)}\n`)
  process.exit(2)
}
process.stdout.write(
  `A reference model that plays the scenarios of ${files.join(', ')} ` +
    `is listening on ${model.url}.\n` +
    `  LLM_PROVIDER=compatible LLM_BASE_URL=${model.url} LLM_MODEL=gpt-4o-mini\n` +
    'Ctrl-C stops it.\n',
)
await new Promise<void>((resolve) => {
  process.once('SIGINT', () => resolve())
  process.once('SIGTERM', () => resolve())
})
await model.stop()
