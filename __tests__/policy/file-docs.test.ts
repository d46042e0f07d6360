import { describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse } from 'yaml'
import { ALL_INPUTS } from '../../src/inputs.js'

function inputsTable(...args: string[]) {
  return spawnSync(process.execPath, ['scripts/run-ts.mjs', 'scripts/inputs-table.ts', ...args], {
    encoding: 'utf8'
  })
}

describe('scripts/inputs-table.ts', () => {
  it('regenerates action.yml inputs, docs/inputs.md, the schema and the built-in pack, and --check tells when they are stale', () => {
    const root = mkdtempSync(join(tmpdir(), 'inputs-table-'))
    try {
      const current = readFileSync('action.yml', 'utf8')
      const stripped = current.replace(
        /\ninputs:\n[\s\S]*\noutputs:\n/,
        '\ninputs:\n  image:\n    description: old\noutputs:\n'
      )
      writeFileSync(join(root, 'action.yml'), stripped)
      const stale = inputsTable('--check', '--root', root)
      expect([stale.status, stale.stderr]).toEqual([
        1,
        `${join(root, 'action.yml')}, ${join(root, 'schema', 'policy.schema.json')}, ${join(root, 'docs', 'inputs.md')}, ${join(root, 'src', 'steps', 'tests', 'builtin-suite.generated.ts')} are not current: run node scripts/run-ts.mjs scripts/inputs-table.ts --write and commit.\n`
      ])
      expect(inputsTable('--write', '--root', root).status).toBe(0)
      expect(inputsTable('--check', '--root', root).status).toBe(0)
      expect(
        readFileSync(join(root, 'src', 'steps', 'tests', 'builtin-suite.generated.ts'), 'utf8')
      ).toContain('export const BUILTIN_SUITE_DATA: unknown = {')

      const inputs = readFileSync(join(root, 'docs', 'inputs.md'), 'utf8')
      expect(inputs).toMatch(/^# Inputs and outputs\n/)
      for (const input of ALL_INPUTS)
        expect([input.name, inputs.includes(`\n| \`${input.name}\``)]).toEqual([input.name, true])
      expect(inputs).toContain('\n| `verdict` | `pass` or `fail`. |\n')
      // Unpadded: Prettier would pad every cell to the widest description.
      expect(inputs).toContain('\n| input | description | default |\n| --- | --- | --- |\n')
      const action = parse(readFileSync(join(root, 'action.yml'), 'utf8')) as {
        inputs: Record<string, unknown>
      }
      expect(Object.keys(action.inputs)).toEqual(ALL_INPUTS.map((input) => input.name))
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  })
})
