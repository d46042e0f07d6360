/**
 * The policy file (`.container-gate.yml`): the same keys as the inputs, per step, plus ignores.
 * Its JSON Schema (schema/policy.schema.json) is generated from the input specs, so a step that
 * declares an input in its settings gets a policy-file key of the same name with no code here.
 * The file is validated against the schema on load; a mistake names the key and the line.
 */
import { existsSync } from 'node:fs'
import { Ajv, type ErrorObject } from 'ajv'
import { isMap, isScalar, LineCounter, parseDocument, type Document } from 'yaml'
import { ConfigurationError } from '../errors.js'
import { readInputFileSync } from '../files.js'
import { SEVERITIES, STEP_IDS, type StepId } from '../findings.js'
import { closestName, type InputSpec } from '../input-values.js'
import type { Mode } from '../report/model.js'
import { parsePolicyInputs, POLICY_INPUTS, splitList } from './inputs.js'
import type { Policy, RuleAction } from './policy.js'
import { checkRuleId } from './rules.js'
import { STEP_SETTINGS } from './step-settings.js'
import type { Ignore } from './suppress.js'
import { MAX_YAML_BYTES, yamlData } from './yaml.js'

/** Read from the working directory when present and no `config` input names another file. */
export const POLICY_FILE = '.container-gate.yml'

export const SCHEMA_ID =
  'https://raw.githubusercontent.com/container-gate/container-gate/main/schema/policy.schema.json'

/** Policy inputs that apply to every step: the top level of the file. */
const GLOBAL_POLICY_INPUTS = new Set<string>(POLICY_INPUTS.map((input) => input.name))

const RULE_ACTIONS = ['off', 'warn', 'error'] as const
/** What an ignore selects by (at least one), and every key an ignore may have. */
const IGNORE_SELECTORS = ['rule', 'fingerprint', 'path', 'package', 'vulnerability']
const IGNORE_KEYS = [...IGNORE_SELECTORS, 'reason', 'until']
const KEBAB = '[a-z0-9]+(-[a-z0-9]+)*'

/** The step whose section of the policy file holds the input `name`, if one does. */
function sectionOf(name: string): StepId | undefined {
  return STEP_IDS.find((id) => stepInputs(id).some((input) => input.name === name))
}

/** The inputs a step owns, by input name: its section of the policy file. */
export function stepInputs(id: StepId): InputSpec[] {
  return STEP_SETTINGS[id].inputs
}

type InputType = NonNullable<InputSpec['type']> | 'scalar'

/** An input's declared type, else boolean when its default is true/false, else a scalar. */
export function inputType(input: InputSpec): InputType {
  if (input.type !== undefined) return input.type
  if (input.default === 'true' || input.default === 'false') return 'boolean'
  return 'scalar'
}

type Schema = Record<string, unknown>

/** A list takes a YAML sequence or one string; a scalar a string or a number, as YAML has both. */
function inputSchema(input: InputSpec): Schema {
  const description = input.description
  const fallback = input.default === undefined || input.default === '' ? undefined : input.default
  if (input.list) {
    return {
      description,
      type: ['array', 'string'],
      items: { type: 'string' },
      ...(fallback === undefined ? {} : { default: splitList(fallback) })
    }
  }
  const type = inputType(input)
  if (type === 'json') return { description }
  const types = type === 'scalar' ? ['string', 'number'] : type
  const numeric = fallback !== undefined && type !== 'string' && /^-?\d+(\.\d+)?$/.test(fallback)
  const value =
    fallback === undefined
      ? undefined
      : type === 'boolean'
        ? fallback === 'true'
        : numeric
          ? Number(fallback)
          : fallback
  return { description, type: types, ...(value === undefined ? {} : { default: value }) }
}

function rulesSchema(names: string, description: string): Schema {
  return {
    description,
    type: 'object',
    propertyNames: { type: 'string', pattern: `^${names}$` },
    additionalProperties: { enum: RULE_ACTIONS }
  }
}

const FAIL_ON = {
  description: 'Findings at or above this severity block; `none` never blocks.',
  enum: [...SEVERITIES, 'none']
}

function stepSchema(id: StepId): Schema {
  const own = Object.fromEntries(stepInputs(id).map((input) => [input.name, inputSchema(input)]))
  return {
    description: `Settings of the ${id} step.`,
    type: 'object',
    additionalProperties: false,
    properties: {
      'fail-on': FAIL_ON,
      rules: rulesSchema(
        `(${id}/)?${KEBAB}`,
        `Per-rule overrides for ${id}: \`rule-name: off|warn|error\` (with or without the \`${id}/\` prefix).`
      ),
      ...own
    }
  }
}

/** The JSON Schema of the policy file (draft-07), generated from the input specs. */
export function policySchema(): Schema {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: SCHEMA_ID,
    title: 'container-gate policy file',
    description:
      'The same keys as the action inputs; inputs override the file. Generated from the input specs: run `node scripts/run-ts.mjs scripts/inputs-table.ts --write`.',
    type: 'object',
    additionalProperties: false,
    properties: {
      $schema: { type: 'string' },
      mode: {
        description: '`warn` reports everything and never fails the run.',
        enum: ['enforce', 'warn']
      },
      'fail-on': FAIL_ON,
      'fail-on-new-only': {
        description: 'Findings already in the baseline are reported but do not block.',
        type: 'boolean'
      },
      steps: {
        description: 'Steps to run (default all); steps left out are reported as skipped.',
        type: 'array',
        items: { enum: [...STEP_IDS] },
        uniqueItems: true
      },
      rules: rulesSchema(
        `(${STEP_IDS.join('|')})/${KEBAB}`,
        'Per-rule overrides: `step/rule-name: off|warn|error`.'
      ),
      ...Object.fromEntries(STEP_IDS.map((id) => [id, stepSchema(id)])),
      ignores: {
        description:
          'Findings that do not block, each with a reason and maybe an expiry date. Every selector given must match.',
        type: 'array',
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['reason'],
          anyOf: IGNORE_SELECTORS.map((key) => ({
            required: [key]
          })),
          properties: {
            rule: { type: 'string', pattern: `^(${STEP_IDS.join('|')})/${KEBAB}$` },
            fingerprint: { type: 'string', pattern: '^[0-9a-f]{16}$' },
            path: { type: 'string', description: 'Glob of absolute paths in the image.' },
            package: { type: 'string', description: 'Package name or purl.' },
            vulnerability: { type: 'string', description: 'Vulnerability id or alias.' },
            reason: { type: 'string', minLength: 1 },
            until: {
              description:
                'Last day (UTC) the ignore applies, YYYY-MM-DD; after it, it is reported as expired.',
              type: 'string',
              pattern: '^\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])$'
            }
          }
        }
      }
    }
  }
}

/** What a policy file holds, ready to lay under the inputs. */
export interface PolicyFile {
  path: string
  /** Applies the file's thresholds and settings over `base`. */
  apply(base: Policy): Policy
  ignores: Ignore[]
  mode?: Mode
  failOnNewOnly?: boolean
}

type Path = Array<string | number>

function keyName(path: Path): string {
  return path.map(String).join('.')
}

/** 1-based line of the node at `path`, or of the key `key` in the map at `path`. */
function lineOf(doc: Document, counter: LineCounter, path: Path, key?: string): number {
  const node = doc.getIn(path, true)
  if (key !== undefined && isMap(node)) {
    const pair = node.items.find((item) => isScalar(item.key) && item.key.value === key)
    const range = isScalar(pair?.key) ? pair.key.range : undefined
    if (range) return counter.linePos(range[0]).line
  }
  const range = (node as { range?: [number, number, number] } | undefined)?.range
  if (range) return counter.linePos(range[0]).line
  return path.length === 0 ? 1 : lineOf(doc, counter, path.slice(0, -1))
}

function describeValue(value: unknown): string {
  return JSON.stringify(value) ?? String(value)
}

function schemaError(error: ErrorObject, data: unknown): { path: Path; key?: string; why: string } {
  const path: Path = error.instancePath
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part))
  const value = path.reduce<unknown>(
    (node, part) => (node as Record<string | number, unknown> | undefined)?.[part],
    data
  )
  const params = error.params as Record<string, unknown>
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty)
      const home = path.length === 0 ? sectionOf(key) : undefined
      return {
        path,
        key,
        why:
          `unknown key "${keyName([...path, key])}"` +
          (home === undefined
            ? ''
            : `; it is a setting of the ${home} step: write it under "${home}:"`)
      }
    }
    case 'pattern':
    case 'propertyNames':
      if (error.propertyName !== undefined) {
        const key = error.propertyName
        return { path, key, why: `key "${keyName([...path, key])}" is not a valid name` }
      }
      return {
        path,
        why:
          path.at(-1) === 'until'
            ? `"${keyName(path)}" is ${describeValue(value)}; write the date as YYYY-MM-DD`
            : `"${keyName(path)}" is ${describeValue(value)}, which does not match ${String(params.pattern)}`
      }
    case 'type':
      return {
        path,
        why: `"${keyName(path)}" must be ${String(params.type).split(',').join(' or ')}, not ${describeValue(value)}`
      }
    case 'enum':
      return {
        path,
        why: `"${keyName(path)}" is ${describeValue(value)}; use one of ${(params.allowedValues as unknown[]).join(', ')}`
      }
    case 'required':
      return { path, why: `"${keyName(path)}" needs "${String(params.missingProperty)}"` }
    case 'anyOf': {
      // A misspelt selector (`rules:`) is why none is there: name it rather than the absence.
      const unknown = Object.keys(value ?? {}).find((key) => !IGNORE_KEYS.includes(key))
      if (unknown !== undefined) {
        const closest = closestName(unknown, IGNORE_KEYS)
        return {
          path,
          key: unknown,
          why:
            `unknown key "${keyName([...path, unknown])}"` +
            (closest === undefined ? '' : `; did you mean "${closest}"?`)
        }
      }
      return {
        path,
        why: `"${keyName(path)}" needs at least one of ${IGNORE_SELECTORS.join(', ')}`
      }
    }
    default:
      return { path, why: `"${keyName(path)}" ${error.message ?? 'is invalid'}` }
  }
}

let validator: ReturnType<Ajv['compile']> | undefined

function validate(data: unknown): ErrorObject | undefined {
  validator ??= new Ajv({ strict: true, strictRequired: false, allowUnionTypes: true }).compile(
    policySchema()
  )
  if (validator(data)) return undefined
  // An anyOf reports each branch's error first; the anyOf itself says what is wanted.
  const errors = validator.errors ?? []
  return errors.find((error) => error.keyword === 'anyOf') ?? errors[0]
}

/** A file value as the string an input would hold, so the inputs' own parsers read it. */
function asInput(value: unknown, input: InputSpec | undefined): string {
  if (input?.type === 'json' && typeof value !== 'string') return JSON.stringify(value)
  if (Array.isArray(value)) return value.map(String).join('\n')
  return String(value)
}

type Section = Record<string, unknown>

function rulesOf(section: Section | undefined, step?: StepId): Record<string, RuleAction> {
  const rules = (section?.rules ?? {}) as Record<string, RuleAction>
  return Object.fromEntries(
    Object.entries(rules).map(([rule, action]) => [
      step === undefined || rule.includes('/') ? rule : `${step}/${rule}`,
      action
    ])
  )
}

/** Parses and validates a policy file's text. Pure: `path` only names it in messages. */
export function parsePolicyFile(text: string, path: string): PolicyFile {
  const counter = new LineCounter()
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false })
  const syntax = doc.errors[0]
  if (syntax !== undefined) {
    const line = counter.linePos(syntax.pos[0]).line
    throw new ConfigurationError(
      `policy file ${path} line ${line}: ${syntax.message.split('\n')[0]}; fix the YAML.`,
      'BAD_POLICY_FILE'
    )
  }
  const data: unknown = yamlData(doc, `policy file ${path}`, 'BAD_POLICY_FILE') ?? {}
  const error = validate(data)
  if (error !== undefined) {
    const { path: at, key, why } = schemaError(error, data)
    throw new ConfigurationError(
      `policy file ${path} line ${lineOf(doc, counter, at, key)}: ${why} (see schema/policy.schema.json).`,
      'BAD_POLICY_FILE'
    )
  }
  const file = data as Section
  // A value the schema accepts can still be refused by the input's parser (e.g. a relative glob).
  const located = <T>(at: Path, fn: () => T): T => {
    try {
      return fn()
    } catch (cause) {
      if (!(cause instanceof ConfigurationError)) throw cause
      // The input parsers name the input: point at its key in this section when it is there.
      const input = /input "([^"]+)"/.exec(cause.message)?.[1]
      const key = input !== undefined && doc.hasIn([...at, input]) ? [...at, input] : at
      throw new ConfigurationError(
        `policy file ${path} line ${lineOf(doc, counter, key)}: ${cause.message}`,
        'BAD_POLICY_FILE',
        { cause }
      )
    }
  }

  const apply = (base: Policy): Policy => {
    const top = (name: string): string | undefined => {
      if (!GLOBAL_POLICY_INPUTS.has(name) || file[name] === undefined) return undefined
      if (name === 'rules') {
        return Object.entries(rulesOf(file))
          .map(([rule, action]) => `${rule}=${action}`)
          .join('\n')
      }
      return asInput(file[name], undefined)
    }
    let policy = located([], () => parsePolicyInputs(top, base))
    for (const id of STEP_IDS) {
      const section = file[id] as Section | undefined
      if (section === undefined) continue
      const inputs = new Map(stepInputs(id).map((input) => [input.name, input]))
      const own = (name: string): string | undefined =>
        inputs.has(name) && section[name] !== undefined
          ? asInput(section[name], inputs.get(name))
          : undefined
      policy = located([id], () => parsePolicyInputs(own, policy))
      for (const key of Object.keys((section.rules ?? {}) as Section)) {
        const rule = key.includes('/') ? key : `${id}/${key}`
        located([id, 'rules', key], () => checkRuleId('rules', key, rule))
      }
      const failOn = section['fail-on'] as Policy['steps'][StepId]['failOn'] | undefined
      policy = {
        ...policy,
        steps: {
          ...policy.steps,
          [id]: { ...policy.steps[id], ...(failOn === undefined ? {} : { failOn }) }
        },
        rules: { ...policy.rules, ...rulesOf(section, id) }
      }
    }
    return policy
  }

  const ignores = ((file.ignores ?? []) as Array<Omit<Ignore, 'source'>>).map(
    (ignore, index): Ignore => ({
      ...ignore,
      source: `${path}:${lineOf(doc, counter, ['ignores', index])}`
    })
  )
  return {
    path,
    apply,
    ignores,
    ...(file.mode === undefined ? {} : { mode: file.mode as Mode }),
    ...(file['fail-on-new-only'] === undefined
      ? {}
      : { failOnNewOnly: file['fail-on-new-only'] as boolean })
  }
}

/**
 * Reads the policy file named by the `config` input (which must exist), else `.container-gate.yml`
 * in the working directory when present.
 */
export function readPolicyFile(configInput: string | undefined, cwd = '.'): PolicyFile | undefined {
  const explicit = configInput !== undefined && configInput !== ''
  const path = explicit ? configInput : POLICY_FILE
  const full = explicit && path.startsWith('/') ? path : `${cwd}/${path}`
  if (!explicit && !existsSync(full)) return undefined
  const text = readInputFileSync(full, {
    subject: `input "config" ${path}`,
    fix: 'name an existing policy file or leave it empty.',
    code: 'BAD_POLICY_FILE',
    maxBytes: MAX_YAML_BYTES,
    tooLarge: 'shorten it.'
  })
  return parsePolicyFile(text.toString('utf8'), path)
}
