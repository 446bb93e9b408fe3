// A local OpenAI-compatible server that plays the #4429 scenario, for trying `fte chat` and
// `fte ask` without a model provider (`npm run scripted-model`). It prints the URL to use as
// LLM_BASE_URL. It answers /chat/completions and /responses, streamed or not, and /models, and
// plays the scenario in each conversation on its own (see scripted-demo-model.ts).
// SCRIPTED_MODEL_PORT chooses its port (default: a free one). It never reads PORT, which is the
// server's: a shell that exported PORT for `npm start` must not start the model on it.
import { scriptedDemoModel } from './scripted-demo-model.ts'
import { QUESTION } from './support-scenario.ts'

const port = Number(process.env.SCRIPTED_MODEL_PORT || 0)
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(
    `SCRIPTED_MODEL_PORT must be a port number (0-65535), not ${process.env.SCRIPTED_MODEL_PORT}\n`,
  )
  process.exit(2)
}
const model = await scriptedDemoModel().start(port)
process.stdout.write(
  `A scripted model that plays the #4429 scenario is listening on ${model.url}.\n` +
    `In the web UI: start the server with it, open the URL the server prints, sign in as Maya Okafor:\n` +
    `  LLM_PROVIDER=compatible LLM_BASE_URL=${model.url} LLM_MODEL=gpt-4o-mini npm start\n` +
    `In the terminal:\n` +
    `  LLM_PROVIDER=compatible LLM_BASE_URL=${model.url} LLM_MODEL=gpt-4o-mini \\\n` +
    `  MCP_STDIO_SUB='demo|maya-okafor' MCP_STDIO_ROLE=customer npm run fte -- chat\n` +
    `Then say: ${QUESTION}\n` +
    'It plays that conversation only; to anything else it says what to try. Ctrl-C stops it.\n',
)
await new Promise<void>((resolve) => {
  process.once('SIGINT', () => resolve())
  process.once('SIGTERM', () => resolve())
})
await model.stop()
