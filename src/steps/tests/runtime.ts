/**
 * Command tests need a running container. They run through the `docker` or `podman` CLI the way
 * container-structure-test's docker driver runs them (pkg/drivers/docker_driver.go): each setup
 * command runs in a container that is committed as the image for the next one, the test command
 * runs with the image's entrypoint cleared, environment variables are expanded against the
 * image's ENV. This is the I/O edge of the tests step; everything it runs goes through `Exec`.
 */
import type { ContainerRuntimeSetting } from './settings.js'
import { execFile } from 'node:child_process'
import { parseSourceSpec } from '../../image/sources.js'
import { formatReference, parseReference } from '../../image/reference.js'
import type { ImageView } from '../step.js'
import { expandEnv, type CheckOutcome } from './checks.js'
import type { CommandTest, EnvVar, Pattern, StructureTestSuite } from './suite.js'

export type RuntimeName = 'docker' | 'podman'

/** Long enough for a `docker pull` of a large image; cst sets no limit at all. */
export const COMMAND_TIMEOUT_MS = 10 * 60 * 1000
/** How much of a command's output a test result keeps (JUnit system-out/system-err). */
const OUTPUT_LIMIT = 16 * 1024

export interface ExecResult {
  stdout: string
  stderr: string
  /** The program's exit status; -1 when it could not be started or was killed. */
  exitCode: number
}

export type Exec = (program: string, args: string[]) => Promise<ExecResult>

/** Runs a program without a shell, with the given environment (PATH finds docker/podman). */
export function processExec(env: NodeJS.ProcessEnv, timeoutMs = COMMAND_TIMEOUT_MS): Exec {
  return (program, args) =>
    new Promise((resolve) => {
      execFile(
        program,
        args,
        { env, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
        (error, stdout, stderr) => {
          if (error === null) return resolve({ stdout, stderr, exitCode: 0 })
          const code = (error as NodeJS.ErrnoException & { code?: unknown }).code
          const why =
            code === 'ENOENT'
              ? `${program} not found on PATH`
              : error.killed
                ? `${program} ${args[0] ?? ''} did not finish within ${timeoutMs / 1000}s`
                : ''
          resolve({
            stdout,
            stderr: why === '' ? stderr : why,
            exitCode: typeof code === 'number' ? code : -1
          })
        }
      )
    })
}

/** The first line of what a failed runtime command printed, for a one-line reason. */
function firstLine(result: ExecResult): string {
  const line = result.stderr.trim().split('\n')[0]?.trim()
  return line === undefined || line === '' ? `exit status ${result.exitCode}` : line
}

/** `info` fails when the CLI exists but no engine answers (no Docker daemon on the runner). */
const PROBES: Record<RuntimeName, string[]> = {
  docker: ['info', '--format', '{{.ServerVersion}}'],
  podman: ['info', '--format', '{{.Version.Version}}']
}

export type Detection = { runtime: RuntimeName } | { reason: string }

export async function detectRuntime(
  setting: ContainerRuntimeSetting,
  exec: Exec
): Promise<Detection> {
  if (setting === 'none') return { reason: 'container-runtime is none' }
  const candidates: RuntimeName[] = setting === 'auto' ? ['docker', 'podman'] : [setting]
  const failures: string[] = []
  for (const runtime of candidates) {
    const result = await exec(runtime, PROBES[runtime])
    if (result.exitCode === 0) return { runtime }
    failures.push(`\`${runtime} info\` failed: ${firstLine(result)}`)
  }
  return { reason: `no container runtime (${failures.join('; ')})` }
}

export class RuntimeError extends Error {
  override readonly name = 'RuntimeError'
}

async function must(exec: Exec, runtime: RuntimeName, args: string[]): Promise<string> {
  const result = await exec(runtime, args)
  if (result.exitCode !== 0) {
    throw new RuntimeError(`\`${runtime} ${args.join(' ')}\` failed: ${firstLine(result)}`)
  }
  return result.stdout.trim()
}

/** `docker load` prints `Loaded image: NAME:TAG` or `Loaded image ID: sha256:…` per image. */
function loadedImage(output: string, ref: string | undefined): string | undefined {
  const loaded = [...output.matchAll(/^Loaded image(?: ID)?: (\S+)$/gm)].map((m) => m[1] ?? '')
  return loaded.find((name) => name === ref) ?? loaded[0]
}

/**
 * Makes the scanned image available to the runtime and returns what to run: the registry image
 * pinned to the scanned digest, the daemon image as named, or the archive loaded.
 */
export async function prepareImage(
  runtime: RuntimeName,
  exec: Exec,
  image: Pick<ImageView, 'reference' | 'digest'>
): Promise<string> {
  const spec = parseSourceSpec(image.reference)
  if (spec.transport === 'docker') {
    const parsed = parseReference(spec.reference)
    const pinned = formatReference({ ...parsed, tag: undefined, digest: image.digest })
    await must(exec, runtime, [
      'pull',
      '--quiet',
      runtime === 'podman' ? `docker://${pinned}` : pinned
    ])
    return pinned
  }
  if (runtime === 'podman') {
    // podman pulls from every skopeo transport; the last line of --quiet output is the image ID.
    const output = await must(exec, runtime, ['pull', '--quiet', image.reference])
    return output.split('\n').pop() ?? output
  }
  switch (spec.transport) {
    case 'docker-daemon':
      return spec.reference
    case 'docker-archive':
    case 'oci-archive': {
      const output = await must(exec, runtime, ['load', '--input', spec.path])
      const loaded = loadedImage(output, spec.ref)
      if (loaded === undefined) {
        throw new RuntimeError(`\`docker load --input ${spec.path}\` named no loaded image`)
      }
      return loaded
    }
    case 'oci':
      throw new RuntimeError(
        'docker cannot load an oci: layout directory; pass the image as oci-archive:FILE (tar -cf FILE -C DIR .) or use podman'
      )
  }
}

/** `--env KEY=VALUE` pairs, values expanded against the image's ENV (cst processEnvVars). */
function envFlags(vars: EnvVar[], imageEnv: ReadonlyMap<string, string>): string[] {
  return vars.flatMap(({ key, value }) => ['--env', `${key}=${expandEnv(value, imageEnv)}`])
}

/** cst containerRunOptions as `docker run` flags. */
function runOptionFlags(suite: StructureTestSuite): string[] {
  const o = suite.runOptions
  return [
    ...(o.user === undefined ? [] : ['--user', o.user]),
    ...(o.privileged ? ['--privileged'] : []),
    ...(o.allocateTty ? ['--tty'] : []),
    ...(o.envFile === undefined ? [] : ['--env-file', o.envFile]),
    ...o.envVars.flatMap((name) => ['--env', name]),
    ...o.capabilities.flatMap((cap) => ['--cap-add', cap]),
    ...o.bindMounts.flatMap((mount) => ['--volume', mount])
  ]
}

function truncate(text: string): string {
  return text.length <= OUTPUT_LIMIT ? text : `${text.slice(0, OUTPUT_LIMIT)}\n… (truncated)`
}

function outputProblems(
  stream: 'stdout' | 'stderr',
  text: string,
  expected: Pattern[],
  excluded: Pattern[]
): string[] {
  return [
    ...expected
      .filter((p) => !p.regex.test(text))
      .map((p) => `expected ${stream} to match /${p.source}/; actual: no match`),
    ...excluded
      .filter((p) => p.regex.test(text))
      .map((p) => `expected ${stream} not to match /${p.source}/; actual: it matches`)
  ]
}

export type CommandOutcome = CheckOutcome & { stdout?: string; stderr?: string }

/** Runs one command test: setup (run and commit), the command, teardown, then removes what it made. */
export async function runCommandTest(
  runtime: RuntimeName,
  exec: Exec,
  imageRef: string,
  suite: StructureTestSuite,
  test: CommandTest,
  imageEnv: ReadonlyMap<string, string>
): Promise<CommandOutcome> {
  const flags = [
    '--entrypoint',
    '',
    ...runOptionFlags(suite),
    ...envFlags([...suite.globalEnvVars, ...test.envVars], imageEnv)
  ]
  const committed: string[] = []
  let current = imageRef
  try {
    for (const command of test.setup) {
      const container = await must(exec, runtime, ['create', ...flags, current, ...command])
      const started = await exec(runtime, ['start', '--attach', container])
      if (started.exitCode !== 0) {
        await exec(runtime, ['rm', container])
        return {
          status: 'fail',
          message: `setup command ${JSON.stringify(command)} exited ${started.exitCode}: ${firstLine(started)}.`
        }
      }
      current = await must(exec, runtime, ['commit', container])
      committed.push(current)
      await must(exec, runtime, ['rm', container])
    }
    // cst substitutes the image's ENV into the command and its arguments.
    const argv = [test.command, ...test.args].map((arg) => expandEnv(arg, imageEnv))
    const result = await exec(runtime, ['run', '--rm', ...flags, current, ...argv])
    // 125: the runtime itself failed (docker run(1) EXIT STATUS), not the command.
    if (result.exitCode === 125 || result.exitCode === -1) {
      throw new RuntimeError(`\`${runtime} run\` failed: ${firstLine(result)}`)
    }
    // Teardown runs like cst's host driver; its status does not decide the test.
    for (const command of test.teardown) {
      await exec(runtime, ['run', '--rm', ...flags, current, ...command])
    }
    const problems = [
      ...outputProblems('stdout', result.stdout, test.expectedOutput, test.excludedOutput),
      ...outputProblems('stderr', result.stderr, test.expectedError, test.excludedError),
      ...(result.exitCode === test.exitCode
        ? []
        : [`exit code: expected ${test.exitCode}, actual ${result.exitCode}`])
    ]
    const output = { stdout: truncate(result.stdout), stderr: truncate(result.stderr) }
    return problems.length === 0
      ? { status: 'pass', ...output }
      : { status: 'fail', message: `${problems.join('; ')}.`, ...output }
  } catch (error) {
    if (error instanceof RuntimeError) return { status: 'error', message: `${error.message}.` }
    throw error
  } finally {
    if (committed.length > 0) await exec(runtime, ['rmi', ...committed.reverse()])
  }
}
