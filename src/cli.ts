/**
 * The CLI entry point: parses flags into the same inputs the action reads, runs the engine and
 * prints the report. Exit status: 0 the gate passed, 1 the policy failed, 2 the gate could not run
 * — which includes an output (standard output too) that could not be written whole.
 */
import { escapeTerminal } from './report/escape.js'
import { statSync } from 'node:fs'
import type { ParseArgsConfig } from 'node:util'
import { fileURLToPath } from 'node:url'
import { parseFlags, type CommandIo } from './commands/command-io.js'
import { signAfterGate } from './custody/after-gate.js'
import { runGate, type GateResult } from './engine.js'
import { isUserError, ConfigurationError } from './errors.js'
import { checkOutputPath, watchWrites, writeFileAtomic, writeStdout } from './files.js'
import {
  acquireSettings,
  ALL_INPUTS,
  gateRequest,
  idleInputs,
  parseRunInputs,
  requireComposition,
  SBOM_FORMATS,
  type RunInputs
} from './inputs.js'
import type { Logger } from './log.js'
import { inputType } from './policy/file.js'
import { renderJson } from './report/json.js'
import { renderMarkdown } from './report/markdown.js'
import { renderJunit } from './report/junit.js'
import { renderSbom } from './report/sbom.js'
import { renderSarif } from './report/sarif.js'
import { renderTable } from './report/table.js'
import { VERSION } from './version.js'

const FORMATS = ['table', 'json', 'markdown', 'sarif', 'cyclonedx', 'spdx', 'junit'] as const
type Format = (typeof FORMATS)[number]

const COMMANDS = `Usage:
  container-gate scan IMAGE [options]   gate an image; exit 0 pass (or --mode warn), 1 policy failed, 2 could not run
  container-gate demo [options]         scan the bundled sample image, offline (always exits 0 when it ran)
  container-gate manifest IMAGE --output FILE        content manifest of the final filesystem
  container-gate drift TARGET --manifest FILE        TARGET: an image, or fs-archive:PATH (docker export)
  container-gate sign IMAGE --key cosign.key         password in COSIGN_PASSWORD, as cosign
  container-gate verify IMAGE --key cosign.pub       or --certificate-identity/--certificate-oidc-issuer
  container-gate --version | --help | COMMAND --help`

const SCAN_OPTIONS = `IMAGE uses skopeo's transport names: REF or docker://REF (registry), docker-daemon:REF,
docker-archive:PATH, oci-archive:PATH[:REF], oci:DIR[:REF].

Options (a boolean option works alone, or as --option=true|false):
  --format table|json|markdown|sarif|cyclonedx|spdx|junit  what to print (default: table)
  --output FILE                  write the printed report to FILE instead of standard output
  --report FILE                  also write the JSON report to FILE
  --sarif FILE                   also write SARIF 2.1.0 to FILE
  --sbom FILE                    also write the SBOM (--sbom-format cyclonedx|spdx) to FILE
  --junit FILE                   also write the security unit tests as JUnit XML to FILE
  --verbose                      progress messages on standard error
${ALL_INPUTS.filter((input) => !['image', 'report', 'sarif', 'sbom', 'junit'].includes(input.name))
  .map((input) => {
    const shape = input.list
      ? ' (repeatable)'
      : inputType(input) === 'boolean'
        ? '[=true|false]'
        : ''
    // A boolean's default is false unless said; other defaults are worth knowing before a run,
    // but a default list of patterns would bury the description.
    const fallback = input.default ?? ''
    const shown =
      fallback === '' || fallback === 'false'
        ? ''
        : ` (default: ${fallback.length > 40 ? 'a list, in docs/inputs.md' : fallback})`
    return `  --${input.name}${shape}${shown}\n      ${input.description}`
  })
  .join('\n')}
  --insecure-registry HOST[:PORT]  same as --insecure-registries
`

const USAGE = `container-gate ${VERSION}: gate a container image on six security verification methods.

${COMMANDS}

${SCAN_OPTIONS}`

const SCAN_USAGE = `Usage:
  container-gate scan IMAGE [options]   gate an image; exit 0 pass (or --mode warn), 1 policy failed, 2 could not run
  container-gate demo [options]         scan the bundled sample image, offline (always exits 0 when it ran)

${SCAN_OPTIONS}`

function stderrLogger(verbose: boolean): Logger {
  return {
    debug: () => undefined,
    info: (message) => {
      if (verbose) process.stderr.write(`${escapeTerminal(message)}\n`)
    },
    warning: (message) => process.stderr.write(`warning: ${escapeTerminal(message)}\n`),
    error: (message) => process.stderr.write(`error: ${escapeTerminal(message)}\n`),
    group: (_name, fn) => fn()
  }
}

function optionsConfig(): NonNullable<ParseArgsConfig['options']> {
  const options: NonNullable<ParseArgsConfig['options']> = {
    format: { type: 'string' },
    output: { type: 'string' },
    verbose: { type: 'boolean' },
    version: { type: 'boolean' },
    'insecure-registry': { type: 'string', multiple: true }
  }
  for (const input of ALL_INPUTS) {
    if (input.name === 'image') continue
    options[input.name] = input.list
      ? { type: 'string', multiple: true }
      : { type: inputType(input) === 'boolean' ? 'boolean' : 'string' }
  }
  return options
}

interface Command {
  /** `usage`: no command given, so the usage goes to standard error with exit 2. */
  name: 'scan' | 'demo' | 'help' | 'version' | 'usage'
  inputs?: RunInputs
  format: Format
  output?: string
  verbose: boolean
  /** What `help` prints. */
  help?: string
  /** Options that are set but change nothing. */
  warnings?: string[]
}

const isSbomFormat = (format: string): boolean =>
  (SBOM_FORMATS as readonly string[]).includes(format)

/** The demo's vulnerability data: a few real OSV records shipped beside the sample image. */
export function demoVulnerabilityData(): string {
  return fileURLToPath(new URL('../demo/osv', import.meta.url))
}

export function demoImage(): string {
  return `oci-archive:${fileURLToPath(new URL('../demo/sample-image.tar', import.meta.url))}`
}

/**
 * `--vuln-db osv` always means the osv.dev download; a directory is named as a path (`./osv`). A
 * directory called `osv` here makes the bare word ambiguous to a reader, so it is refused.
 */
function checkVulnDb(value: string | undefined): void {
  if (value?.trim() !== 'osv' || statSync('osv', { throwIfNoEntry: false })?.isDirectory() !== true)
    return
  throw new ConfigurationError(
    '--vuln-db osv downloads from osv.dev, but osv is also a directory here; write --vuln-db ./osv to use the directory, or leave --vuln-db out to download.'
  )
}

export function parseCommand(argv: string[]): Command {
  if (argv.length === 0) return { name: 'usage', format: 'table', verbose: false }
  const named = argv[0] === 'scan' || argv[0] === 'demo' ? ` ${argv[0]}` : ''
  const { values, positionals, help } = parseFlags(argv, optionsConfig(), `container-gate${named}`)
  if (values.version === true) return { name: 'version', format: 'table', verbose: false }
  const [command, ...rest] = positionals
  if (command === 'help' || (help && command === undefined)) {
    return { name: 'help', format: 'table', verbose: false, help: USAGE }
  }
  if (command === undefined) return { name: 'usage', format: 'table', verbose: false }
  if (command !== 'scan' && command !== 'demo') {
    throw new ConfigurationError(
      `unknown command "${command}"; use scan, demo, manifest, drift, sign or verify (see container-gate --help).`
    )
  }
  if (help) return { name: 'help', format: 'table', verbose: false, help: SCAN_USAGE }
  const expected = command === 'scan' ? 1 : 0
  if (rest.length !== expected) {
    throw new ConfigurationError(
      command === 'scan'
        ? `"scan" takes exactly one IMAGE, got ${rest.length === 0 ? 'none' : rest.map((r) => `"${r}"`).join(' ')}; usage: container-gate scan IMAGE [options] (see container-gate scan --help).`
        : `"demo" takes no IMAGE; it scans the bundled sample image.`
    )
  }
  const format = (values.format as string | undefined) ?? 'table'
  if (!(FORMATS as readonly string[]).includes(format)) {
    throw new ConfigurationError(
      `--format "${format}" is not supported; use one of ${FORMATS.join(', ')}.`
    )
  }
  const lookup = (name: string): string | undefined => {
    if (name === 'image') return command === 'demo' ? demoImage() : rest[0]
    if (name === 'vuln-db' && command === 'demo' && values[name] === undefined) {
      return demoVulnerabilityData()
    }
    const value = values[name]
    if (name === 'insecure-registries') {
      const all = [
        ...((value as string[] | undefined) ?? []),
        ...((values['insecure-registry'] as string[] | undefined) ?? [])
      ]
      return all.join('\n')
    }
    if (Array.isArray(value)) return value.join('\n')
    if (name === 'vuln-db') checkVulnDb(value as string | undefined)
    return typeof value === 'string' || typeof value === 'boolean' ? String(value) : undefined
  }
  const output = values.output as string | undefined
  const inputs = parseRunInputs(lookup)
  if (isSbomFormat(format))
    requireComposition(
      inputs.policy,
      `--format ${format} prints the SBOM`,
      'add composition to --steps'
    )
  const warnings = idleInputs(inputs)
  if (values['sbom-format'] !== undefined && inputs.sbomPath === undefined && !isSbomFormat(format))
    warnings.push('--sbom-format is set but no --sbom file is given: no SBOM is written.')
  return {
    name: command,
    inputs,
    warnings,
    format: format as Format,
    ...(output === undefined ? {} : { output }),
    verbose: values.verbose === true
  }
}

function render({ report, artifacts }: GateResult, format: Format, color: boolean): string {
  switch (format) {
    case 'json':
      return renderJson(report)
    case 'markdown':
      return renderMarkdown(report)
    case 'table':
      return renderTable(report, { color })
    case 'sarif':
      return renderSarif(report)
    case 'cyclonedx':
    case 'spdx':
      return renderSbom({ report, artifacts }, format)
    case 'junit':
      return renderJunit(report, artifacts.testResults ?? [])
  }
}

type Subcommand = (argv: string[], env: NodeJS.ProcessEnv, io: CommandIo) => Promise<number>

/**
 * Commands with their own flags (custody): they get the rest of the command line. Each is loaded
 * when it runs, so a scan does not load sigstore's signing client.
 */
const SUBCOMMANDS: Record<'manifest' | 'drift' | 'sign' | 'verify', Subcommand> = {
  manifest: async (...args) => (await import('./commands/manifest.js')).manifestCommand(...args),
  drift: async (...args) => (await import('./commands/drift.js')).driftCommand(...args),
  sign: async (...args) => (await import('./commands/sign.js')).signCommand(...args),
  verify: async (...args) => (await import('./commands/verify.js')).verifyCommand(...args)
}

function isSubcommand(name: string | undefined): name is keyof typeof SUBCOMMANDS {
  return name !== undefined && Object.hasOwn(SUBCOMMANDS, name)
}

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const [first, ...rest] = argv
  if (isSubcommand(first)) {
    return SUBCOMMANDS[first](rest, env, {
      stdout: (text) => process.stdout.write(text),
      stderr: (text) => process.stderr.write(text)
    })
  }
  let command: Command
  try {
    command = parseCommand(argv)
    if (command.name === 'usage') {
      process.stderr.write(USAGE)
      return 2
    }
    if (command.name === 'help') {
      await writeStdout(command.help ?? USAGE)
      return 0
    }
    if (command.name === 'version') {
      await writeStdout(`${VERSION}\n`)
      return 0
    }
    const inputs = command.inputs!
    // A path that cannot take its output fails now, not after the whole scan.
    for (const [path, flag] of [
      [command.output, '--output'],
      [inputs.reportPath, '--report'],
      [inputs.sarifPath, '--sarif'],
      [inputs.sbomPath, '--sbom'],
      [inputs.junitPath, '--junit']
    ] as const) {
      if (path !== undefined) await checkOutputPath(path, flag)
    }
    const logger = stderrLogger(command.verbose)
    for (const warning of command.warnings ?? []) logger.warning(warning)
    const result = await runGate(gateRequest(inputs, env), logger)
    const { report } = result
    if (inputs.reportPath !== undefined)
      await writeFileAtomic(inputs.reportPath, renderJson(report), '--report')
    if (inputs.sarifPath !== undefined)
      await writeFileAtomic(inputs.sarifPath, renderSarif(report), '--sarif')
    if (inputs.sbomPath !== undefined)
      await writeFileAtomic(inputs.sbomPath, renderSbom(result, inputs.sbomFormat), '--sbom')
    if (inputs.junitPath !== undefined) {
      const junit = renderJunit(report, result.artifacts.testResults ?? [])
      await writeFileAtomic(inputs.junitPath, junit, '--junit')
    }
    // Signing follows a passing gate only (never a failing one); it is off unless --sign true.
    await signAfterGate(result, inputs.policy, { registry: acquireSettings(inputs, env), logger })
    const color =
      command.output === undefined && process.stdout.isTTY === true && env.NO_COLOR === undefined
    const text = render(result, command.format, color)
    // Awaited to the write callback: the status below is a verdict only once the report is out.
    if (command.output !== undefined) await writeFileAtomic(command.output, text, '--output')
    else await writeStdout(text)
    // warn mode reports the failing verdict and exits 0 (docs/policy.md).
    if (command.name === 'demo' || inputs.mode === 'warn') return 0
    return report.verdict === 'pass' ? 0 : 1
  } catch (error) {
    return failed(error)
  }
}

/**
 * Exit 2 with one line on standard error. A reader that closed standard output early (`| head`)
 * took what it wanted: that ends quietly, as SIGPIPE ends other tools, but still with exit 2,
 * since the report was not delivered whole and the status must not read as a verdict.
 */
function failed(error: unknown): number {
  if (error instanceof ConfigurationError && error.code === 'STDOUT_CLOSED') return 2
  if (isUserError(error)) {
    process.stderr.write(`container-gate: ${escapeTerminal(error.message)}\n`)
  } else {
    process.stderr.write(
      `container-gate: internal error, please report it: ${(error as Error).stack ?? String(error)}\n`
    )
  }
  return 2
}

/**
 * The process entry (bin.ts): runs `main`, then waits until standard output has taken everything
 * written to it — the custody commands write without waiting — so the exit status is set only
 * after the output is out, and a failed write is exit 2, never 0 or 1.
 */
export async function runCli(argv: string[]): Promise<number> {
  watchWrites(process.stdout)
  const status = await main(argv)
  try {
    await writeStdout('')
  } catch (error) {
    // Exit 2 was already explained (a failed report write is that explanation).
    return status === 2 ? 2 : failed(error)
  }
  return status
}
