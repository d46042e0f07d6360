import { describe, expect, it } from '@jest/globals'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { STEP_IDS } from '../../src/findings.js'
import { isKnownRule, RULE_FAMILIES, RULE_IDS } from '../../src/policy/rules.js'
import { TEST_KINDS } from '../../src/test-results.js'

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name))
}

/** `rule: 'x'` and `rule: 'step/x'` literals; a secret's own rule is reported as `secret-x`. */
function literalRules(step: string, file: string): string[] {
  const ids = [...readFileSync(file, 'utf8').matchAll(/\brule: '([a-z0-9/-]+)'/g)].map(
    (match) => match[1]!
  )
  const prefix = file.includes('/secrets/') ? `${step}/secret-` : `${step}/`
  return ids.map((id) => (id.includes('/') ? id : `${prefix}${id}`))
}

describe('RULE_IDS', () => {
  it.each(STEP_IDS)('knows every rule the %s step names in its sources', (step) => {
    const found = sources(join('src/steps', step)).flatMap((file) => literalRules(step, file))
    expect(found.filter((id) => !isKnownRule(id))).toEqual([])
  })

  it('knows a rule for every kind of security unit test', () => {
    expect(TEST_KINDS.length).toBeGreaterThan(3)
    expect(TEST_KINDS.map((kind) => `tests/${kind}`).filter((id) => !isKnownRule(id))).toEqual([])
  })

  it('knows the rules of the code step’s rule types and the drift comparison', () => {
    const code = ['src/steps/code/index.ts', 'src/steps/code/source-rules.ts']
      .map((file) => readFileSync(file, 'utf8'))
      .join('\n')
    const unions = [
      ...code.matchAll(/type (?:ElfRule|SourceRuleId) =\n((?: {2}\| '[a-z0-9-]+'\n)+)/g)
    ]
    const union = unions
      .flatMap((m) => [...m[1]!.matchAll(/'([a-z0-9-]+)'/g)])
      .map((m) => `code/${m[1]!}`)
    const drift = [
      ...readFileSync('src/custody/drift.ts', 'utf8').matchAll(/'(drift-[a-z-]+)'/g)
    ].map((m) => `custody/${m[1]!}`)
    expect(union.length).toBeGreaterThan(10)
    expect(drift.length).toBeGreaterThan(3)
    expect([...union, ...drift].filter((id) => !isKnownRule(id))).toEqual([])
  })

  it('knows every rule in the rule tables of docs/, and the docs list every rule it knows', () => {
    const docs = ['docs/rules/identity.md', 'docs/rules/code.md', 'docs/rules/hardening.md']
      .concat(
        readdirSync('docs')
          .filter((f) => f.endsWith('.md'))
          .map((f) => join('docs', f))
      )
      .map((file) => readFileSync(file, 'utf8'))
      .join('\n')
    const documented = new Set(
      [...docs.matchAll(/^\| `([a-z]+\/[a-z0-9-]+)`/gm)].map((match) => match[1]!)
    )
    expect([...documented].filter((id) => !isKnownRule(id))).toEqual([])
    const known = Object.entries(RULE_IDS).flatMap(([step, names]) =>
      names.map((name) => `${step}/${name}`)
    )
    // Rules a step table documents; composition and the input-not-analysed rules are in prose.
    const tabled = known.filter(
      (id) => !id.startsWith('composition/') && !id.endsWith('/input-not-analysed')
    )
    expect(tabled.filter((id) => !documented.has(id))).toEqual([])
  })

  it('keeps data-named families open and refuses the rest', () => {
    expect(RULE_FAMILIES.every((family) => isKnownRule(`${family}anything`))).toBe(true)
    expect(isKnownRule('identity/root-user')).toBe(true)
    expect(isKnownRule('identity/root-usr')).toBe(false)
    expect(isKnownRule('hardening/secrets-aws')).toBe(false)
  })
})
