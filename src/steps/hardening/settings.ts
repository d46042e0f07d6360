/** Settings of the `hardening` step: lean-image thresholds and the secret scanner's allow-lists. */
import { invalidInput, parseBooleanInput, parseSizeInput, splitList } from '../../input-values.js'
import { ConfigurationError } from '../../errors.js'
import { isSeverity, SEVERITIES } from '../../findings.js'
import type { InputLookup, InputSpec } from '../../input-values.js'
import type { CustomSecretRule } from '../../secrets/scanner.js'
import type { StepSettings } from '../settings.js'

export interface HardeningSettings {
  /** Total bytes wasted across layers (dive's wasted bytes) above which the image fails the lean check; undefined means no limit. */
  maxWastedBytes?: number
  /** dive's efficiency score, 0..1. */
  minEfficiency: number
  /** Wasted bytes as a share of the bytes above the first layer, 0..1 (dive's userWastedPercent). */
  maxUserWastedRatio: number
  /** A path whose duplicated or deleted copies waste at least this many bytes gets its own finding. */
  minWasterBytes: number
  /** Files at least this large are reported (info). */
  largeFileBytes: number
  /** Package managers and tool chains block (high) instead of being reported as info/low. */
  leanBaseImage: boolean
  /** Tool names (gcc, make, pip, npm, …) the application needs at run time. */
  allowedTools: string[]
  /** Files above this size are not scanned for secrets; a text file skipped this way is reported. */
  secretMaxFileBytes: number
  /** Minimum Shannon entropy of values in `password=`-style assignments. */
  secretMinEntropy: number
  /** Secret rules whose findings are suppressed: `hardening/secret-jwt` or `jwt`. */
  secretAllowRules: string[]
  /** Globs of absolute paths whose secret findings are suppressed. */
  secretAllowPaths: string[]
  /** Fingerprints (16 hex digits, as in the report) of secret findings to suppress. */
  secretAllowFingerprints: string[]
  /** Globs of package test fixtures and docs: secrets there are reported as low, never blocking. */
  secretFixturePaths: string[]
  customSecretRules: CustomSecretRule[]
}

export const DEFAULT_FIXTURE_PATHS = [
  '/usr/lib/python3*/**/test/**',
  '/usr/lib/python3*/**/tests/**',
  '**/site-packages/**/test/**',
  '**/site-packages/**/tests/**',
  '**/dist-packages/**/test/**',
  '**/dist-packages/**/tests/**',
  '**/node_modules/**/test/**',
  '**/node_modules/**/tests/**',
  '**/node_modules/**/__tests__/**',
  '**/gems/*/spec/**',
  '**/gems/*/test/**',
  '**/testdata/**',
  // Go test sources (never built into a binary), and the test trees of software installed under
  // /usr (an SDK's vendored libraries carry their test keys and certificates).
  '**/*_test.go',
  '/usr/{lib,lib64,share,local/lib,local/share}/**/{test,tests,test_data,__tests__}/**',
  // Packages' own documentation: README examples are written to look real (a wheel's METADATA
  // holds its README).
  '**/{node_modules,site-packages,dist-packages,gems}/**/*.{md,markdown,rst}',
  '**/{site-packages,dist-packages}/*.dist-info/METADATA',
  '/usr/share/doc/**',
  '/usr/share/man/**'
]

export const HARDENING_INPUTS = [
  {
    name: 'max-wasted-bytes',
    default: '',
    description:
      'Bytes wasted across layers (files written more than once or deleted later, as dive counts them) above which hardening/wasted-space is reported, e.g. `50MiB`. Empty means no limit.'
  },
  {
    name: 'min-efficiency',
    default: '0.9',
    description:
      'Lowest accepted image efficiency (dive: bytes that reach the final image over all bytes written), 0 to 1 or a percentage.'
  },
  {
    name: 'max-user-wasted-percent',
    default: '10',
    description:
      'Highest accepted wasted bytes as a percentage of the bytes above the first layer (dive: userWastedPercent).'
  },
  {
    name: 'min-waster-size',
    default: '1MiB',
    description:
      'A path that wastes at least this much across layers gets its own hardening/wasted-file finding; below this much waste in all, efficiency and share are not reported.'
  },
  {
    name: 'large-file-size',
    default: '100MiB',
    description: 'Files at least this large are reported by hardening/large-file (info).'
  },
  {
    name: 'lean-base-image',
    default: 'false',
    description:
      'Report package managers and build tool chains in the image as high (blocking) instead of info/low.'
  },
  {
    name: 'allowed-tools',
    default: '',
    list: true,
    description:
      'Package managers and tool chains the application needs at run time, by name (e.g. `pip`, `make`); they are not reported.'
  },
  {
    name: 'secret-max-file-size',
    default: '10MiB',
    description:
      'Files larger than this are not scanned for secrets; a text file skipped for its size is reported as hardening/input-not-analysed (high, blocking by default).'
  },
  {
    name: 'secret-min-entropy',
    default: '3',
    description:
      'Minimum Shannon entropy (bits per character) of a value in a `password=`-style assignment for it to count as a secret.'
  },
  {
    name: 'secret-allow-rules',
    default: '',
    list: true,
    description:
      'Secret rules whose findings are reported as suppressed, never blocking, e.g. `hardening/secret-jwt` or `jwt`.'
  },
  {
    name: 'secret-allow-paths',
    default: '',
    list: true,
    description:
      'Globs of absolute paths whose secret findings are reported as suppressed, never blocking, e.g. `/app/test/fixtures/**`.'
  },
  {
    name: 'secret-allow-fingerprints',
    default: '',
    list: true,
    description:
      'Fingerprints (16 hex digits, from the report) of secret findings to report as suppressed, never blocking.'
  },
  {
    name: 'secret-fixture-paths',
    default: DEFAULT_FIXTURE_PATHS.join(','),
    list: true,
    description:
      "Globs of packages' test fixtures and docs: secrets found there are reported as low, never blocking."
  },
  {
    name: 'secret-rules',
    default: '',
    type: 'json',
    description:
      'Custom secret rules as a JSON array of `{"id", "regex", "keywords", "severity", "entropy", "title", "paths"}`; see docs/rules/hardening.md.'
  }
] as const satisfies readonly InputSpec[]

type HardeningInputName = (typeof HARDENING_INPUTS)[number]['name']

/** `0.9`, `90%`; `percentDefault` reads a bare number as a percentage. */
function parseRatio(name: HardeningInputName, value: string, percentDefault: boolean): number {
  const match = /^(\d+(?:\.\d+)?)\s*(%?)$/.exec(value)
  const number = Number(match?.[1])
  const ratio = match?.[2] === '%' || percentDefault ? number / 100 : number
  if (match === null || !(ratio >= 0 && ratio <= 1)) {
    const example = percentDefault ? '10 or 10%' : '0.9 or 90%'
    throw invalidInput(name, value, `use a share from 0 to 1 or a percentage, e.g. ${example}.`)
  }
  return ratio
}

function parseEntropy(name: HardeningInputName, value: string): number {
  const entropy = /^\d+(\.\d+)?$/.test(value) ? Number(value) : Number.NaN
  // log2 of the 95 printable ASCII characters bounds the entropy of any text secret.
  if (!(entropy >= 0 && entropy <= 6.6)) {
    throw invalidInput(name, value, 'use bits per character from 0 to 6.6, e.g. 3.')
  }
  return entropy
}

function parseGlobs(name: HardeningInputName, value: string): string[] {
  const globs = splitList(value)
  const relative = globs.find((glob) => !glob.startsWith('/') && !glob.startsWith('*'))
  if (relative !== undefined) {
    throw invalidInput(
      name,
      relative,
      'use globs of absolute paths, e.g. /app/test/** or **/fixtures/**.'
    )
  }
  return globs
}

const RULE_ID = /^[a-z0-9]+(-[a-z0-9]+)*$/

function parseAllowRules(value: string): string[] {
  return splitList(value).map((item) => {
    const id = item.replace(/^hardening\/(secret-)?/, '')
    if (!RULE_ID.test(id)) {
      throw invalidInput(
        'secret-allow-rules',
        item,
        'name secret rules as hardening/secret-NAME or NAME, e.g. hardening/secret-jwt.'
      )
    }
    return id
  })
}

function parseFingerprints(value: string): string[] {
  return splitList(value).map((item) => {
    if (!/^[0-9a-f]{16}$/.test(item)) {
      throw invalidInput(
        'secret-allow-fingerprints',
        item,
        "use a finding's fingerprint from the report: 16 lowercase hex digits."
      )
    }
    return item
  })
}

/**
 * Validates one custom rule as written in the `secret-rules` input or the policy file;
 * `where` names it in errors, e.g. `input "secret-rules" item 2`.
 */
export function parseCustomSecretRule(value: unknown, where: string): CustomSecretRule {
  const fail = (fix: string): ConfigurationError =>
    new ConfigurationError(`${where} is not a valid secret rule; ${fix}`)
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw fail('write an object with at least "id" and "regex".')
  }
  const rule = value as Record<string, unknown>
  const known = ['id', 'regex', 'keywords', 'severity', 'entropy', 'title', 'paths']
  const unknown = Object.keys(rule).find((key) => !known.includes(key))
  if (unknown !== undefined) throw fail(`remove "${unknown}"; the keys are ${known.join(', ')}.`)
  const { id, regex, keywords = [], severity = 'high', entropy = 0, title, paths } = rule
  if (typeof id !== 'string' || !RULE_ID.test(id)) {
    throw fail('give "id" in kebab-case, e.g. "acme-api-token".')
  }
  if (typeof regex !== 'string' || regex === '') throw fail('give "regex" as a string.')
  try {
    new RegExp(regex, 'g')
  } catch (error) {
    throw fail(`"regex" does not compile (${(error as Error).message}).`)
  }
  const isStrings = (list: unknown): list is string[] =>
    Array.isArray(list) && list.every((item) => typeof item === 'string' && item !== '')
  if (!isStrings(keywords)) throw fail('give "keywords" as a list of literal strings.')
  if (typeof severity !== 'string' || !isSeverity(severity)) {
    throw fail(`give "severity" as one of ${SEVERITIES.join(', ')}.`)
  }
  if (typeof entropy !== 'number' || !(entropy >= 0 && entropy <= 6.6)) {
    throw fail('give "entropy" as bits per character from 0 to 6.6.')
  }
  if (title !== undefined && typeof title !== 'string') throw fail('give "title" as a string.')
  if (paths !== undefined && (!isStrings(paths) || paths.some((p) => !/^[/*]/.test(p)))) {
    throw fail('give "paths" as a list of globs of absolute paths.')
  }
  return {
    id,
    regex,
    keywords: keywords.map((keyword) => keyword.toLowerCase()),
    severity,
    entropy,
    ...(title === undefined ? {} : { title }),
    ...(paths === undefined ? {} : { paths })
  }
}

function parseCustomRules(value: string): CustomSecretRule[] {
  let parsed: unknown
  try {
    parsed = JSON.parse(value)
  } catch {
    throw invalidInput('secret-rules', value, 'write a JSON array of rule objects.')
  }
  if (!Array.isArray(parsed)) {
    throw invalidInput('secret-rules', value, 'write a JSON array of rule objects.')
  }
  const rules = parsed.map((rule, i) =>
    parseCustomSecretRule(rule, `input "secret-rules" item ${i + 1}`)
  )
  const ids = rules.map((rule) => rule.id)
  const twice = ids.find((id, i) => ids.indexOf(id) !== i)
  if (twice !== undefined) {
    throw invalidInput('secret-rules', twice, 'give each custom rule its own id.')
  }
  return rules
}

export const hardeningSettings: StepSettings<HardeningSettings> = {
  inputs: [...HARDENING_INPUTS],
  defaults: () => ({
    minEfficiency: 0.9,
    maxUserWastedRatio: 0.1,
    minWasterBytes: 1024 ** 2,
    largeFileBytes: 100 * 1024 ** 2,
    leanBaseImage: false,
    allowedTools: [],
    secretMaxFileBytes: 10 * 1024 ** 2,
    secretMinEntropy: 3,
    secretAllowRules: [],
    secretAllowPaths: [],
    secretAllowFingerprints: [],
    secretFixturePaths: [...DEFAULT_FIXTURE_PATHS],
    customSecretRules: []
  }),
  parse(get: InputLookup, base: HardeningSettings): HardeningSettings {
    const read = (name: HardeningInputName): string | undefined => {
      const value = get(name)?.trim()
      return value === undefined || value === '' ? undefined : value
    }
    const settings: HardeningSettings = { ...base }
    const wasted = read('max-wasted-bytes')
    if (wasted !== undefined) {
      if (wasted === 'none') delete settings.maxWastedBytes
      else settings.maxWastedBytes = parseSizeInput('max-wasted-bytes', wasted)
    }
    const apply = <K extends keyof HardeningSettings>(
      name: HardeningInputName,
      key: K,
      parse: (value: string) => HardeningSettings[K]
    ): void => {
      const value = read(name)
      if (value !== undefined) settings[key] = parse(value)
    }
    apply('min-efficiency', 'minEfficiency', (v) => parseRatio('min-efficiency', v, false))
    apply('max-user-wasted-percent', 'maxUserWastedRatio', (v) =>
      parseRatio('max-user-wasted-percent', v, true)
    )
    apply('min-waster-size', 'minWasterBytes', (v) => parseSizeInput('min-waster-size', v))
    apply('large-file-size', 'largeFileBytes', (v) => parseSizeInput('large-file-size', v))
    apply('lean-base-image', 'leanBaseImage', (v) => parseBooleanInput('lean-base-image', v))
    apply('allowed-tools', 'allowedTools', (v) => splitList(v).map((t) => t.toLowerCase()))
    apply('secret-max-file-size', 'secretMaxFileBytes', (v) =>
      parseSizeInput('secret-max-file-size', v)
    )
    apply('secret-min-entropy', 'secretMinEntropy', (v) => parseEntropy('secret-min-entropy', v))
    apply('secret-allow-rules', 'secretAllowRules', parseAllowRules)
    apply('secret-allow-paths', 'secretAllowPaths', (v) => parseGlobs('secret-allow-paths', v))
    apply('secret-allow-fingerprints', 'secretAllowFingerprints', parseFingerprints)
    apply('secret-fixture-paths', 'secretFixturePaths', (v) =>
      parseGlobs('secret-fixture-paths', v)
    )
    apply('secret-rules', 'customSecretRules', parseCustomRules)
    return settings
  }
}
