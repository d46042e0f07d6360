/**
 * Keeps what is generated from the input specs (src/inputs.ts ALL_INPUTS) current:
 *
 * - action.yml `inputs:` (names, descriptions, defaults, required), from ALL_INPUTS;
 * - docs/inputs.md, the full inputs and outputs reference, from action.yml (the README keeps a
 *   short hand-written table of the inputs people set most and links there);
 * - schema/policy.schema.json, the policy file's JSON Schema;
 * - src/steps/tests/builtin-suite.generated.ts, the built-in test pack parsed from its YAML, so
 *   a scan does not parse it at start-up.
 *
 *   node scripts/run-ts.mjs scripts/inputs-table.ts --write   # regenerate
 *   node scripts/run-ts.mjs scripts/inputs-table.ts --check   # exit 1 when any is stale (CI)
 *
 * `--root DIR` works on another checkout (tests). Output goes through Prettier, so a generated
 * file passes `prettier --check` as written; the tables of docs/inputs.md sit in a
 * `prettier-ignore` range, because Prettier pads every cell to the widest one and long
 * descriptions made the padded tables several times larger than their text.
 */
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { format, resolveConfig } from 'prettier'
import { parse } from 'yaml'
import type { InputSpec } from '../src/input-values.js'
import { ALL_INPUTS } from '../src/inputs.js'
import { policySchema } from '../src/policy/file.js'
import { builtinSuiteData } from '../src/steps/tests/builtin.js'

/** action.yml's default for the token is the workflow's own, which the engine cannot know. */
const ACTION_DEFAULTS: Record<string, string> = { 'github-token': '${{ github.token }}' }

interface ActionYml {
  inputs: Record<string, { description: string; default?: string; required?: boolean }>
  outputs: Record<string, { description: string }>
}

/** Wraps at 96 columns under a 6-space indent, as the folded (`>-`) block of action.yml. */
function folded(text: string): string[] {
  const lines: string[] = []
  let line = ''
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line !== '' && 6 + line.length + 1 + word.length > 100) {
      lines.push(line)
      line = word
    } else line = line === '' ? word : `${line} ${word}`
  }
  if (line !== '') lines.push(line)
  return lines
}

function yamlString(value: string): string {
  return /^[\w./-]+$/.test(value) && !/^(true|false|\d+(\.\d+)?)$/.test(value)
    ? value
    : `'${value.replace(/'/g, "''")}'`
}

function inputBlock(input: InputSpec): string[] {
  const fallback = ACTION_DEFAULTS[input.name] ?? input.default
  return [
    `  ${input.name}:`,
    '    description: >-',
    ...folded(input.description).map((line) => `      ${line}`),
    ...(input.required ? ['    required: true'] : []),
    ...(fallback === undefined || fallback === '' ? [] : [`    default: ${yamlString(fallback)}`])
  ]
}

/** action.yml with its `inputs:` block regenerated from ALL_INPUTS, everything else kept. */
export function actionYml(current: string): string {
  const start = current.indexOf('\ninputs:\n')
  const end = current.indexOf('\noutputs:\n')
  if (start === -1 || end === -1 || end < start) {
    throw new Error('action.yml needs top-level `inputs:` followed by `outputs:`')
  }
  const block = ['inputs:', ...ALL_INPUTS.flatMap(inputBlock)].join('\n')
  return `${current.slice(0, start + 1)}${block}${current.slice(end)}`
}

function cell(text: string): string {
  return text.replace(/\s+/g, ' ').trim().replace(/\|/g, '\\|')
}

/** docs/inputs.md: every input and output, from action.yml, unpadded. */
export function inputsDoc(action: ActionYml): string {
  const inputs = Object.entries(action.inputs).map(
    ([name, input]) =>
      `| \`${name}\`${input.required ? ' (required)' : ''} | ${cell(input.description)} | ${
        input.default === undefined || input.default === '' ? '' : `\`${cell(input.default)}\``
      } |`
  )
  const outputs = Object.entries(action.outputs).map(
    ([name, output]) => `| \`${name}\` | ${cell(output.description)} |`
  )
  return [
    '# Inputs and outputs',
    '',
    '<!-- Generated from action.yml by `npm run generate`; `npm run check-generated` fails when it is stale. -->',
    '',
    'Every input is also a CLI flag of the same name (`--fail-on high`). The policy file',
    '([policy.md](policy.md)) takes `mode`, `fail-on`, `fail-on-new-only`, `steps` and `rules` at its',
    "top level and each step's settings in that step's section (`composition:` holds `vuln-db`,",
    '`allow-no-vuln-data`, …); the inputs about one run (the image, registry credentials, `baseline`,',
    '`dockerfile`, `timeout`, the layer cache, output files, comment and check run) are not file keys.',
    'The inputs most workflows set are in the [README](../README.md#inputs-people-set-most).',
    '',
    '## Inputs',
    '',
    '<!-- prettier-ignore-start -->',
    '| input | description | default |',
    '| --- | --- | --- |',
    ...inputs,
    '<!-- prettier-ignore-end -->',
    '',
    '## Outputs',
    '',
    '<!-- prettier-ignore-start -->',
    '| output | description |',
    '| --- | --- |',
    ...outputs,
    '<!-- prettier-ignore-end -->',
    ''
  ].join('\n')
}

async function pretty(path: string, text: string): Promise<string> {
  const options = (await resolveConfig(path)) ?? {}
  return format(text, { ...options, filepath: path })
}

function builtinSuiteModule(): string {
  return [
    '// Generated by `npm run generate` from BUILTIN_TESTS_YAML (builtin.ts): the pack parsed, each',
    '// pattern by its source; `npm run check-generated` fails when it is stale. Do not edit.',
    `export const BUILTIN_SUITE_DATA: unknown = ${JSON.stringify(builtinSuiteData())}`,
    ''
  ].join('\n')
}

async function main(args: string[]): Promise<number> {
  const write = args.includes('--write')
  const check = args.includes('--check')
  const rootAt = args.indexOf('--root')
  const root = rootAt === -1 ? '.' : (args[rootAt + 1] ?? '.')
  if (write === check) {
    process.stderr.write('usage: inputs-table.ts --write | --check [--root DIR]\n')
    return 2
  }
  const files = {
    action: join(root, 'action.yml'),
    inputs: join(root, 'docs', 'inputs.md'),
    schema: join(root, 'schema', 'policy.schema.json'),
    builtin: join(root, 'src', 'steps', 'tests', 'builtin-suite.generated.ts')
  }
  const read = (path: string): string => (existsSync(path) ? readFileSync(path, 'utf8') : '')
  const action = await pretty(files.action, actionYml(read(files.action)))
  const wanted: Array<[string, string]> = [
    [files.action, action],
    [files.schema, await pretty(files.schema, JSON.stringify(policySchema(), null, 2))],
    [files.inputs, await pretty(files.inputs, inputsDoc(parse(action) as ActionYml))],
    [files.builtin, await pretty(files.builtin, builtinSuiteModule())]
  ]
  const stale = wanted.filter(([path, text]) => read(path) !== text).map(([path]) => path)
  if (write) {
    for (const [path, text] of wanted) {
      mkdirSync(dirname(path), { recursive: true })
      writeFileSync(path, text)
    }
    process.stdout.write(`wrote ${stale.length === 0 ? 'nothing new' : stale.join(', ')}\n`)
    return 0
  }
  if (stale.length > 0) {
    process.stderr.write(
      `${stale.join(', ')} ${stale.length === 1 ? 'is' : 'are'} not current: run node scripts/run-ts.mjs scripts/inputs-table.ts --write and commit.\n`
    )
    return 1
  }
  process.stdout.write(
    'action.yml, docs/inputs.md, schema/policy.schema.json and the built-in test pack are current\n'
  )
  return 0
}

try {
  process.exitCode = await main(process.argv.slice(2))
} catch (error) {
  process.stderr.write(`inputs-table: ${(error as Error).message}\n`)
  process.exitCode = 2
}
