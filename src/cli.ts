/**
 * The CLI entry point: parses flags into the same inputs the action reads, runs the engine and
 * prints the report. Exit status: 0 the gate passed, 1 the policy failed, 2 the gate could not run.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util'
import { fileURLToPath } from 'node:url'
import { runGate } from './engine.js'
import { isUserError, ConfigurationError } from './errors.js'
import { writeFileAtomic } from './files.js'
import { acquireSettings, ALL_INPUTS, parseRunInputs, type RunInputs } from './inputs.js'
import type { Logger } from './log.js'
import { renderJson } from './report/json.js'
import { renderMarkdown } from './report/markdown.js'
import type { GateReport } from './report/model.js'
import { renderTable } from './report/table.js'
import { VERSION } from './version.js'

const FORMATS = ['table', 'json', 'markdown'] as const
type Format = (typeof FORMATS)[number]

const USAGE = `container-gate ${VERSION}: gate a container image on six security verification methods.

Usage:
  container-gate scan IMAGE [options]   gate an image; exit 0 pass, 1 policy failed, 2 could not run
  container-gate demo [options]         scan the bundled sample image, offline (always exits 0 when it ran)
  container-gate --version | --help

IMAGE uses skopeo's transport names: REF or docker://REF (registry), docker-daemon:REF,
docker-archive:PATH, oci-archive:PATH[:REF], oci:DIR[:REF].

Options:
  --format table|json|markdown   what to print (default: table)
  --output FILE                  write the printed report to FILE instead of standard output
  --report FILE                  also write the JSON report to FILE
  --verbose                      progress messages on standard error
${ALL_INPUTS.filter((input) => input.name !== 'image' && input.name !== 'report')
  .map(
    (input) => `  --${input.name}${input.list ? ' (repeatable)' : ''}\n      ${input.description}`
  )
  .join('\n')}
  --insecure-registry HOST[:PORT]  same as --insecure-registries
`

function stderrLogger(verbose: boolean): Logger {
  return {
    debug: () => undefined,
    info: (message) => {
      if (verbose) process.stderr.write(`${message}\n`)
    },
    warning: (message) => process.stderr.write(`warning: ${message}\n`),
    error: (message) => process.stderr.write(`error: ${message}\n`),
    group: (_name, fn) => fn()
  }
}

function optionsConfig(): NonNullable<ParseArgsConfig['options']> {
  const options: NonNullable<ParseArgsConfig['options']> = {
    format: { type: 'string' },
    output: { type: 'string' },
    verbose: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
    version: { type: 'boolean' },
    'insecure-registry': { type: 'string', multiple: true }
  }
  for (const input of ALL_INPUTS) {
    if (input.name === 'image') continue
    options[input.name] = input.list ? { type: 'string', multiple: true } : { type: 'string' }
  }
  return options
}

interface Command {
  name: 'scan' | 'demo' | 'help' | 'version'
  inputs?: RunInputs
  format: Format
  output?: string
  verbose: boolean
}

export function demoImage(): string {
  return `oci-archive:${fileURLToPath(new URL('../demo/sample-image.tar', import.meta.url))}`
}

export function parseCommand(argv: string[]): Command {
  let parsed: ReturnType<typeof parseArgs>
  try {
    parsed = parseArgs({
      args: argv,
      options: optionsConfig(),
      allowPositionals: true,
      strict: true
    })
  } catch (error) {
    throw new ConfigurationError(
      `${(error as Error).message}; run "container-gate --help" for the options.`
    )
  }
  const { values, positionals } = parsed
  if (values.version === true) return { name: 'version', format: 'table', verbose: false }
  const [command, ...rest] = positionals
  if (values.help === true || command === undefined || command === 'help') {
    return { name: 'help', format: 'table', verbose: false }
  }
  if (command !== 'scan' && command !== 'demo') {
    throw new ConfigurationError(
      `unknown command "${command}"; use "scan IMAGE" or "demo" (see container-gate --help).`
    )
  }
  const expected = command === 'scan' ? 1 : 0
  if (rest.length !== expected) {
    throw new ConfigurationError(
      command === 'scan'
        ? `"scan" takes exactly one IMAGE, got ${rest.length === 0 ? 'none' : rest.map((r) => `"${r}"`).join(' ')}.`
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
    const value = values[name]
    if (name === 'insecure-registries') {
      const all = [
        ...((value as string[] | undefined) ?? []),
        ...((values['insecure-registry'] as string[] | undefined) ?? [])
      ]
      return all.join('\n')
    }
    if (Array.isArray(value)) return value.join('\n')
    return typeof value === 'string' ? value : undefined
  }
  const output = values.output as string | undefined
  return {
    name: command,
    inputs: parseRunInputs(lookup),
    format: format as Format,
    ...(output === undefined ? {} : { output }),
    verbose: values.verbose === true
  }
}

function render(report: GateReport, format: Format, color: boolean): string {
  switch (format) {
    case 'json':
      return renderJson(report)
    case 'markdown':
      return renderMarkdown(report)
    case 'table':
      return renderTable(report, { color })
  }
}

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let command: Command
  try {
    command = parseCommand(argv)
    if (command.name === 'help') {
      process.stdout.write(USAGE)
      return 0
    }
    if (command.name === 'version') {
      process.stdout.write(`${VERSION}\n`)
      return 0
    }
    const inputs = command.inputs!
    const logger = stderrLogger(command.verbose)
    const { report } = await runGate(
      {
        image: inputs.image,
        policy: inputs.policy,
        acquire: acquireSettings(inputs, env)
      },
      logger
    )
    if (inputs.reportPath !== undefined)
      await writeFileAtomic(inputs.reportPath, renderJson(report), '--report')
    const color =
      command.output === undefined && process.stdout.isTTY === true && env.NO_COLOR === undefined
    const text = render(report, command.format, color)
    if (command.output !== undefined) await writeFileAtomic(command.output, text, '--output')
    else process.stdout.write(text)
    if (command.name === 'demo') return 0
    return report.verdict === 'pass' ? 0 : 1
  } catch (error) {
    if (isUserError(error)) {
      process.stderr.write(`container-gate: ${error.message}\n`)
    } else {
      process.stderr.write(
        `container-gate: internal error, please report it: ${(error as Error).stack ?? String(error)}\n`
      )
    }
    return 2
  }
}
