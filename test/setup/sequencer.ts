import { BaseSequencer, type TestSpecification } from 'vitest/node'

/** The slowest project first, so that its long files overlap the rest instead of trailing them. */
const PROJECTS = ['end-to-end', 'database', 'unit']

/**
 * Vitest runs one project's files after another's, in the order of their names: the end-to-end
 * files (the longest, mostly waiting on their subprocesses) would start last and end the run alone.
 * Within a project the order stays Vitest's: failed first, then the longest (or largest) first.
 */
export class SlowestProjectFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (file: TestSpecification) => PROJECTS.indexOf(file.project.name)
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b))
  }
}
