/**
 * Step 2, security unit tests: the team's container-structure-test files and the built-in pack,
 * run against the image. File, metadata and license tests read the final filesystem and the
 * config; command tests need a container runtime and are skipped, with the reason, without one.
 * Each test is one TestResult (JUnit); a failing test is also a finding. docs/structure-tests.md.
 */
import { posix } from 'node:path'
import type { Finding, FindingLocation } from '../../findings.js'
import type { Policy } from '../../policy/policy.js'
import type { ImageView, Step, StepContext, StepNeeds, StepOutcome } from '../step.js'
import { builtinSuite } from './builtin.js'
import {
  checkFileContent,
  checkFileExistence,
  checkLicenses,
  checkMetadata,
  CONTENT_LIMIT,
  imageEnv,
  lstat,
  precondition,
  type CheckOutcome
} from './checks.js'
import type { TestKind, TestResult } from '../../test-results.js'
import {
  detectRuntime,
  prepareImage,
  processExec,
  runCommandTest,
  RuntimeError,
  type CommandOutcome,
  type Exec,
  type RuntimeName
} from './runtime.js'
import type { TestsSettings } from './settings.js'
import { isGlob, type CommandTest, type StructureTest, type StructureTestSuite } from './suite.js'

const KIND_TITLES: Record<TestKind, string> = {
  command: 'Command test',
  'file-existence': 'File existence test',
  'file-content': 'File content test',
  metadata: 'Metadata test',
  license: 'License test'
}

const DEBIAN_COPYRIGHTS = '/usr/share/doc/*/copyright'

function activeSuites(settings: TestsSettings): StructureTestSuite[] {
  return [...(settings.builtinTests ? [builtinSuite()] : []), ...settings.structureTests]
}

/**
 * Globs for a path whose content a test reads. `$VAR` becomes `**` (the image's ENV is not known
 * before the image is read). A symlink's target is not known either, so files of the same name
 * anywhere are kept too: Debian's /etc/os-release, for one, links to /usr/lib/os-release.
 */
function contentGlobs(path: string): string[] {
  const glob = path.replace(/\$(\{[^}]*\}|[A-Za-z_][A-Za-z0-9_]*)/g, '**')
  if (isGlob(path)) return [glob]
  const name = posix.basename(glob)
  return isGlob(name) ? [glob] : [glob, `/**/${name}`]
}

function needs(policy: Policy): StepNeeds {
  const globs = activeSuites(policy.tests).flatMap((suite) =>
    suite.tests.flatMap((test) => {
      if (test.kind === 'file-content') return contentGlobs(test.path)
      if (test.kind !== 'license') return []
      return [...(test.debian ? [DEBIAN_COPYRIGHTS] : []), ...test.files.flatMap(contentGlobs)]
    })
  )
  return {
    files: globs.length === 0 ? [] : [{ globs: [...new Set(globs)], maxBytes: CONTENT_LIMIT }]
  }
}

function locate(image: ImageView, path: string | undefined): FindingLocation {
  if (path === undefined) return {}
  const node = image.fs.get(path) ?? lstat(image, path)
  const layerDigest = node === undefined ? undefined : image.layers[node.layer]?.digest
  return layerDigest === undefined ? { path } : { path, layerDigest }
}

function toFinding(
  image: ImageView,
  suite: StructureTestSuite,
  test: StructureTest,
  outcome: CheckOutcome
): Finding {
  const kind = KIND_TITLES[test.kind]
  const title =
    outcome.status === 'error'
      ? `${kind} "${test.name}" could not run`
      : `${kind} "${test.name}" failed`
  const where = suite.file === builtinSuite().file ? 'the built-in pack' : suite.file
  return {
    step: 'tests',
    rule: `tests/${test.kind}`,
    severity: test.severity,
    title,
    detail:
      `${outcome.message ?? ''} Fix the image, or the test (${where}, line ${test.line}).`.trim(),
    subject: `${suite.file}: ${test.name}`,
    location: locate(image, outcome.path)
  }
}

function checkFileTest(
  image: ImageView,
  test: Exclude<StructureTest, CommandTest>,
  env: Map<string, string>
): CheckOutcome {
  switch (test.kind) {
    case 'file-existence':
    case 'file-content': {
      const skip = precondition(image, test.ifExists, env)
      if (skip !== undefined) return { status: 'skipped', message: skip }
      return test.kind === 'file-existence'
        ? checkFileExistence(image, test, env)
        : checkFileContent(image, test, env)
    }
    case 'metadata':
      return checkMetadata(image, test)
    case 'license':
      return checkLicenses(image, test)
  }
}

/** Finds the runtime and loads the image once, on the first command test. */
class CommandRunner {
  private ready?: Promise<{ runtime: RuntimeName; imageRef: string } | CheckOutcome>
  constructor(
    private readonly exec: Exec,
    private readonly context: StepContext
  ) {}

  skipReason?: string

  private prepare(): Promise<{ runtime: RuntimeName; imageRef: string } | CheckOutcome> {
    this.ready ??= (async () => {
      const { image, policy, logger } = this.context
      const detected = await detectRuntime(policy.tests.containerRuntime, this.exec)
      if ('reason' in detected) {
        this.skipReason = detected.reason
        return {
          status: 'skipped',
          message: `command tests need a container runtime: ${detected.reason}.`
        }
      }
      logger.info(`Command tests run through ${detected.runtime}.`)
      try {
        return {
          runtime: detected.runtime,
          imageRef: await prepareImage(detected.runtime, this.exec, image)
        }
      } catch (error) {
        if (!(error instanceof RuntimeError)) throw error
        return {
          status: 'error',
          message: `the image could not be given to ${detected.runtime}: ${error.message}.`
        }
      }
    })()
    return this.ready
  }

  async run(suite: StructureTestSuite, test: CommandTest): Promise<CommandOutcome> {
    const ready = await this.prepare()
    if ('status' in ready) return ready
    const env = imageEnv(this.context.image.config)
    return runCommandTest(ready.runtime, this.exec, ready.imageRef, suite, test, env)
  }
}

function summary(results: TestResult[], skipReason: string | undefined): string[] {
  const count = (status: TestResult['status']): number =>
    results.filter((r) => r.status === status).length
  const notes = [
    `${results.length} tests: ${count('pass')} passed, ${count('fail')} failed, ${count('skipped')} skipped, ${count('error')} could not run`
  ]
  const commands = results.filter((r) => r.kind === 'command' && r.status === 'skipped').length
  if (skipReason !== undefined && commands > 0) {
    notes.push(`${commands} command test${commands === 1 ? '' : 's'} skipped: ${skipReason}`)
  }
  return notes
}

export interface TestsStepOptions {
  /** Environment of the docker/podman CLI (PATH, DOCKER_HOST); default process.env. */
  env?: NodeJS.ProcessEnv
  /** How runtime commands are run; default a child process per command. */
  exec?: Exec
}

export function createTestsStep(options: TestsStepOptions = {}): Step {
  return {
    id: 'tests',
    title: 'Security unit tests',
    needs,
    async run(context: StepContext): Promise<StepOutcome> {
      const { image, policy } = context
      const suites = activeSuites(policy.tests).filter((suite) => suite.tests.length > 0)
      if (suites.length === 0) {
        return {
          findings: [],
          skipped:
            'no structure tests: builtin-tests is false and structure-tests names no file with tests'
        }
      }
      const commands = new CommandRunner(
        options.exec ?? processExec(options.env ?? process.env),
        context
      )
      const env = imageEnv(image.config)
      const results: TestResult[] = []
      const findings: Finding[] = []
      for (const suite of suites) {
        for (const test of suite.tests) {
          const started = Date.now()
          const outcome =
            test.kind === 'command'
              ? await commands.run(suite, test)
              : checkFileTest(image, test, env)
          const { stdout, stderr }: CommandOutcome = outcome
          results.push({
            suite: suite.file,
            name: test.name,
            kind: test.kind,
            status: outcome.status,
            ...(outcome.message === undefined ? {} : { message: outcome.message }),
            durationMs: Date.now() - started,
            ...(stdout === undefined ? {} : { stdout }),
            ...(stderr === undefined ? {} : { stderr })
          })
          if (outcome.status === 'fail' || outcome.status === 'error') {
            findings.push(toFinding(image, suite, test, outcome))
          }
        }
      }
      return {
        findings,
        notes: summary(results, commands.skipReason),
        artifacts: { testResults: results }
      }
    }
  }
}

export const testsStep: Step = createTestsStep()
