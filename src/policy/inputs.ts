/**
 * The policy inputs every entry point has (action inputs, CLI flags of the same names), parsed
 * from strings into a Policy. Pure: the caller supplies the lookup. A blank value means the default.
 */
import { invalidInput, splitList } from '../input-values.js'
import { isSeverity, isStepId, SEVERITIES, STEP_IDS, type StepId } from '../findings.js'
import { defaultPolicy } from './defaults.js'
import type { Policy, RuleAction } from './policy.js'
import { checkRuleId, rulesNamed } from './rules.js'
import { STEP_SETTINGS } from './step-settings.js'

export interface PolicyInputSpec {
  name: string
  description: string
  default: string
  /** Takes a list: newline- or comma-separated. */
  list?: boolean
}

const FAIL_ON_VALUES = [...SEVERITIES, 'none'] as const
const RULE_ACTIONS: readonly RuleAction[] = ['off', 'warn', 'error']

/** Names, descriptions and defaults; action.yml and the CLI flags are checked against this table. */
export const POLICY_INPUTS = [
  {
    name: 'fail-on',
    default: 'high',
    description: `Findings at or above this severity fail the gate: ${FAIL_ON_VALUES.join(', ')}.`
  },
  {
    name: 'steps',
    default: 'all',
    list: true,
    description: `Steps to run, or \`all\`: ${STEP_IDS.join(', ')}. Steps left out are reported as skipped.`
  },
  {
    name: 'rules',
    default: '',
    list: true,
    description:
      'Per-rule overrides, one `rule-id=off|warn|error` per line or comma: `off` drops the finding, `warn` never blocks, `error` always blocks.'
  }
] as const satisfies readonly PolicyInputSpec[]

export type PolicyInputName = (typeof POLICY_INPUTS)[number]['name']

type Lookup = (name: string) => string | undefined

function parseFailOn(value: string): Policy['steps'][StepId]['failOn'] {
  const failOn = value.toLowerCase()
  if (failOn === 'none' || isSeverity(failOn)) return failOn
  throw invalidInput('fail-on', value, `use one of ${FAIL_ON_VALUES.join(', ')}.`)
}

function parseSteps(value: string): Set<StepId> {
  const names = splitList(value.toLowerCase(), /[\s,]/)
  if (names.length === 1 && names[0] === 'all') return new Set(STEP_IDS)
  const unknown = names.filter((name) => !isStepId(name))
  if (names.length === 0 || unknown.length > 0) {
    throw invalidInput('steps', value, `list step ids from ${STEP_IDS.join(', ')}, or use all.`)
  }
  return new Set(names.filter(isStepId))
}

const RULE_ID = new RegExp(`^(${STEP_IDS.join('|')})/[a-z0-9]+(-[a-z0-9]+)*$`)

function parseRules(value: string): Record<string, RuleAction> {
  const rules: Record<string, RuleAction> = {}
  for (const item of splitList(value, /,/)) {
    const [rule = '', action = '', ...rest] = item.split('=').map((part) => part.trim())
    if (!RULE_ID.test(rule) || rest.length > 0) {
      // A rule named without its step, as a policy file's step section writes it.
      const full = rest.length === 0 ? rulesNamed(rule) : []
      throw invalidInput(
        'rules',
        item,
        full.length > 0
          ? `name the rule with its step: ${full.map((id) => `${id}=${action}`).join(' or ')}.`
          : `write rule-id=off|warn|error, where the rule id is step/kebab-name with a step from ${STEP_IDS.join(', ')}.`
      )
    }
    const known = RULE_ACTIONS.find((candidate) => candidate === action.toLowerCase())
    if (known === undefined) {
      throw invalidInput('rules', item, `set ${rule} to one of ${RULE_ACTIONS.join(', ')}.`)
    }
    checkRuleId('rules', item, rule)
    rules[rule] = known
  }
  return rules
}

export { splitList }

export function parsePolicyInputs(get: Lookup, base: Policy = defaultPolicy()): Policy {
  const read = (name: PolicyInputName): string | undefined => {
    const value = get(name)?.trim()
    return value === undefined || value === '' ? undefined : value
  }

  const failOnInput = read('fail-on')
  const stepsInput = read('steps')
  const failOn = failOnInput === undefined ? undefined : parseFailOn(failOnInput)
  const enabled = stepsInput === undefined ? undefined : parseSteps(stepsInput)
  const steps = Object.fromEntries(
    STEP_IDS.map((id) => [
      id,
      {
        enabled: enabled === undefined ? base.steps[id].enabled : enabled.has(id),
        failOn: failOn ?? base.steps[id].failOn
      }
    ])
  ) as Policy['steps']

  const rulesInput = read('rules')
  return {
    steps,
    rules: { ...base.rules, ...(rulesInput === undefined ? {} : parseRules(rulesInput)) },
    identity: STEP_SETTINGS.identity.parse(get, base.identity),
    tests: STEP_SETTINGS.tests.parse(get, base.tests),
    code: STEP_SETTINGS.code.parse(get, base.code),
    composition: STEP_SETTINGS.composition.parse(get, base.composition),
    hardening: STEP_SETTINGS.hardening.parse(get, base.hardening),
    custody: STEP_SETTINGS.custody.parse(get, base.custody)
  }
}
