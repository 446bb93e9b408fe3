import { z } from 'zod'
import { defineTool, READ_ONLY } from '../../pack/tool-definition.ts'

/** `health`: whether the database behind every other tool answers; needs no session. */
export const healthTool = defineTool({
  name: 'health',
  title: 'Check the system of record',
  description:
    'Says whether the database behind every other tool is reachable. Needs no session. Use it ' +
    'when tools fail, to tell the user whether the system is down.',
  input: z.strictObject({}),
  annotations: READ_ONLY,
  isolation: 'statement',
  needsSession: false,
  async run(ctx) {
    await ctx.tx.query('SELECT 1')
    return { data: { database: 'reachable' }, text: 'The system of record is reachable.' }
  },
})
