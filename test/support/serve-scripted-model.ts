// A local OpenAI-compatible server that plays the #4429 scenario, for trying `fte chat` and
// `fte ask` without a model provider:
//   node test/support/serve-scripted-model.ts          (prints the URL to use as LLM_BASE_URL)
// It answers /chat/completions and /responses, streamed or not, and /models. Each new scenario
// starts when the last one ended; a reply outside the script says so.
import { scriptedModel } from './scripted-model.ts'
import { scriptScenario } from './support-scenario.ts'

const port = Number(process.env.PORT ?? 0)
const model = await scriptedModel().start(port)
scriptScenario(model)
setInterval(() => {
  if (model.pending === 0) scriptScenario(model)
}, 200).unref()
process.stdout.write(
  `A scripted model that plays the #4429 scenario is listening.\n` +
    `In the web UI: start the server with it, open the URL the server prints, sign in as Maya Okafor:\n` +
    `  LLM_PROVIDER=compatible LLM_BASE_URL=${model.url} LLM_MODEL=gpt-4o-mini npm start\n` +
    `In the terminal:\n` +
    `  LLM_PROVIDER=compatible LLM_BASE_URL=${model.url} LLM_MODEL=gpt-4o-mini \\\n` +
    `  MCP_STDIO_SUB='demo|maya-okafor' MCP_STDIO_ROLE=customer npm run fte -- chat\n` +
    `Then say: I haven't received my refund from order #4429, it's been two weeks.\n`,
)
await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()))
await model.stop()
