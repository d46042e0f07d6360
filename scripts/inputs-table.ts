/**
 * Keeps what is generated from the input specs (src/inputs.ts ALL_INPUTS) current:
 *
 * - action.yml `inputs:` (names, descriptions, defaults, required), from ALL_INPUTS;
 * - README.md inputs and outputs tables, from action.yml, between `<!-- inputs:start -->` and
 *   `<!-- inputs:end -->`;
 * - schema/policy.schema.json, the policy file's JSON Schema.
 *
 *   node scripts/run-ts.mjs scripts/inputs-table.ts --write   # regenerate
 *   node scripts/run-ts.mjs scripts/inputs-table.ts --check   # exit 1 when any is stale (CI)
 *
 * `--root DIR` works on another checkout (tests). Output goes through Prettier, so a generated
 * file passes `prettier --check` as written.
 */
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { format, resolveConfig } from 'prettier'
import { parse } from 'yaml'
import { ALL_INPUTS, type InputSpec } from '../src/inputs.js'
import { policySchema } from '../src/policy/file.js'

const START = '<!-- inputs:start -->'
const END = '<!-- inputs:end -->'

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

/** The README's tables, from action.yml. */
export function tables(action: ActionYml): string {
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
    '### Inputs',
    '',
    '| input | description | default |',
    '| --- | --- | --- |',
    ...inputs,
    '',
    '### Outputs',
    '',
    '| output | description |',
    '| --- | --- |',
    ...outputs
  ].join('\n')
}

export function readme(current: string, action: ActionYml): string {
  const start = current.indexOf(START)
  const end = current.indexOf(END)
  if (start === -1 || end === -1 || end < start) {
    throw new Error(`README.md needs the markers ${START} and ${END}`)
  }
  return `${current.slice(0, start + START.length)}\n\n${tables(action)}\n\n${current.slice(end)}`
}

async function pretty(path: string, text: string): Promise<string> {
  const options = (await resolveConfig(path)) ?? {}
  return format(text, { ...options, filepath: path })
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
    readme: join(root, 'README.md'),
    schema: join(root, 'schema', 'policy.schema.json')
  }
  const read = (path: string): string => (existsSync(path) ? readFileSync(path, 'utf8') : '')
  const action = await pretty(files.action, actionYml(read(files.action)))
  const wanted: Array<[string, string]> = [
    [files.action, action],
    [files.schema, await pretty(files.schema, JSON.stringify(policySchema(), null, 2))]
  ]
  const currentReadme = read(files.readme)
  if (currentReadme.includes(START) || check) {
    wanted.push([
      files.readme,
      await pretty(files.readme, readme(currentReadme, parse(action) as ActionYml))
    ])
  } else {
    process.stderr.write(`README.md has no ${START} marker: its tables were not written.\n`)
  }
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
  process.stdout.write('action.yml, README.md tables and schema/policy.schema.json are current\n')
  return 0
}

try {
  process.exitCode = await main(process.argv.slice(2))
} catch (error) {
  process.stderr.write(`inputs-table: ${(error as Error).message}\n`)
  process.exitCode = 2
}
