import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'
import { ALL_INPUTS } from '../src/inputs.js'

interface ActionYml {
  inputs: Record<string, { description: string; default?: string; required?: boolean }>
  outputs: Record<string, { description: string }>
  runs: { using: string; main: string }
}

const action = parse(readFileSync('action.yml', 'utf8')) as ActionYml

describe('action.yml', () => {
  it('runs the bundled action on node24', () => {
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' })
  })

  it('declares exactly the inputs the engine reads, with the same defaults', () => {
    expect(Object.keys(action.inputs).sort()).toEqual(ALL_INPUTS.map((i) => i.name).sort())
    for (const input of ALL_INPUTS) {
      const declared = action.inputs[input.name]!
      expect([input.name, declared.description.length > 0]).toEqual([input.name, true])
      if (input.name === 'github-token') {
        expect(declared.default).toBe('${{ github.token }}')
      } else {
        expect([input.name, declared.default ?? '']).toEqual([input.name, input.default ?? ''])
      }
      expect([input.name, declared.required ?? false]).toEqual([
        input.name,
        input.required ?? false
      ])
    }
  })

  it('declares the outputs the action sets', () => {
    const published = readFileSync('src/github/publish.ts', 'utf8')
    const set = [...published.matchAll(/core\.setOutput\('([a-z-]+)'/g)].map((m) => m[1])
    expect(Object.keys(action.outputs).sort()).toEqual(set.sort())
  })

  it('documents every input and output in docs/inputs.md', () => {
    const reference = readFileSync('docs/inputs.md', 'utf8')
    for (const name of [...Object.keys(action.inputs), ...Object.keys(action.outputs)]) {
      expect([name, reference.includes(`\n| \`${name}\``)]).toEqual([name, true])
    }
  })

  it('links the README to the full reference and keeps its own table to names action.yml declares', () => {
    const readme = readFileSync('README.md', 'utf8')
    expect(readme).toContain('](docs/inputs.md)')
    const listed = [...readme.matchAll(/^\| `([a-z-]+)`/gm)].map((m) => m[1]!)
    const declared = [...Object.keys(action.inputs), ...Object.keys(action.outputs)]
    expect(listed.filter((name) => !declared.includes(name))).toEqual([])
  })
})
