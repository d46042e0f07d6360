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
  it('regenerates action.yml inputs, the README tables and the schema, and --check tells when they are stale', () => {
    const root = mkdtempSync(join(tmpdir(), 'inputs-table-'))
    try {
      const current = readFileSync('action.yml', 'utf8')
      const stripped = current.replace(
        /\ninputs:\n[\s\S]*\noutputs:\n/,
        '\ninputs:\n  image:\n    description: old\noutputs:\n'
      )
      writeFileSync(join(root, 'action.yml'), stripped)
      writeFileSync(
        join(root, 'README.md'),
        '# x\n\n## Inputs\n\n<!-- inputs:start -->\nold\n<!-- inputs:end -->\n\nMore.\n'
      )
      const stale = inputsTable('--check', '--root', root)
      expect([stale.status, stale.stderr]).toEqual([
        1,
        `${join(root, 'action.yml')}, ${join(root, 'schema', 'policy.schema.json')}, ${join(root, 'README.md')} are not current: run node scripts/run-ts.mjs scripts/inputs-table.ts --write and commit.\n`
      ])
      expect(inputsTable('--write', '--root', root).status).toBe(0)
      expect(inputsTable('--check', '--root', root).status).toBe(0)

      const readme = readFileSync(join(root, 'README.md'), 'utf8')
      expect(readme).toMatch(/^# x\n\n## Inputs\n\n<!-- inputs:start -->\n\n### Inputs\n/)
      expect(readme).toMatch(/\n<!-- inputs:end -->\n\nMore\.\n$/)
      for (const input of ALL_INPUTS)
        expect([input.name, readme.includes(`| \`${input.name}\``)]).toEqual([input.name, true])
      expect(readme).toContain('| `verdict`')
      const action = parse(readFileSync(join(root, 'action.yml'), 'utf8')) as {
        inputs: Record<string, unknown>
      }
      expect(Object.keys(action.inputs)).toEqual(ALL_INPUTS.map((input) => input.name))
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  })
})
