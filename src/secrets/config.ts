/**
 * Secrets in the image config (OCI image-spec config.md): `Env`, `Labels`, `Entrypoint`/`Cmd`
 * and every `history[].created_by`, where build arguments leak as `RUN |2 A=x B=y /bin/sh -c …`
 * (the classic builder and BuildKit both record the values of ARGs a RUN line used).
 */
import type { ImageConfig } from '../image/types.js'
import { BUILT_IN_RULES, type SecretRule } from './rules.js'
import { isPlaceholder, redact, SecretScanner, type SecretMatch } from './scanner.js'

/** Where in the config a value was found; never the value itself. */
export interface ConfigSecret extends SecretMatch {
  /** `Env`, `Labels`, `Entrypoint`, `Cmd` or `history`. */
  field: string
  /** The variable, label or build argument name, when there is one. */
  name?: string
  /** Index into `history`, for history findings. */
  history?: number
}

/** A name that says its value is a credential: DB_PASSWORD, NPM_TOKEN, AWS_SECRET_ACCESS_KEY, PGPASSWORD. */
const SENSITIVE_NAME =
  /PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIAL|(?:^|_)(?:PASS|PWD|AUTH|PAT)(?:_|$)/i
/** Names that hold something about a credential, not the credential. */
const METADATA_NAME =
  /_(?:FILE|PATH|DIR|URL|URI|ID|NAME|USER|USERNAME|VERSION|SHA\d*|HASH|CHECKSUM|LENGTH|TTL|EXPIRY|EXPIRES|TYPE|HEADER|ENDPOINT|HOST|PORT|ENABLED|MODE|ALGORITHM|LOCATION|REGION)$|^GPG_KEY$/i

/** `NAME=value` whose name marks a credential and whose value is not a placeholder or a path. */
function sensitiveAssignment(name: string, value: string, rule: string): boolean {
  if (!SENSITIVE_NAME.test(name) || METADATA_NAME.test(name)) return false
  if (value.length < 4 || /^\d+$/.test(value) || /^(?:\/|~\/|\.\/)/.test(value)) return false
  return !isPlaceholder(value, { id: rule, chosen: true })
}

function splitAssignment(entry: string): [string, string] {
  const eq = entry.indexOf('=')
  return eq < 0 ? [entry, ''] : [entry.slice(0, eq), entry.slice(eq + 1)]
}

/** `RUN |2 A=x B=y cmd`: the build arguments (name, value) a RUN line recorded. */
export function buildArgs(createdBy: string): Array<[string, string]> {
  // BuildKit writes `RUN |1 A=x …`, the classic builder `|1 A=x …`.
  const match = /^(?:RUN )?\|(\d+) (.*)$/s.exec(createdBy.trim())
  if (match === null) return []
  const words = (match[2] ?? '').split(' ')
  return words.slice(0, Number(match[1])).map(splitAssignment)
}

/** `ENV A=x B=y` / `ARG A=x` as BuildKit and the classic builder record them. */
function declarations(createdBy: string): Array<[string, string, 'env' | 'build-arg']> {
  const match = /^(?:\/bin\/sh -c #\(nop\)\s+)?(ENV|ARG) (.*)$/s.exec(createdBy.trim())
  if (match === null) return []
  const kind = match[1] === 'ENV' ? 'env' : 'build-arg'
  return (match[2] ?? '')
    .split(' ')
    .filter((word) => word.includes('='))
    .map((word) => [...splitAssignment(word), kind])
}

function named(
  scanner: SecretScanner,
  rule: 'env' | 'build-arg' | 'label',
  value: string,
  where: Omit<ConfigSecret, keyof SecretMatch>
): ConfigSecret {
  const titles = {
    env: 'Secret in an environment variable',
    'build-arg': 'Secret in a build argument',
    label: 'Secret in a label'
  }
  return {
    rule,
    title: titles[rule],
    severity: 'high',
    redacted: redact(value),
    hash: scanner.hasher.hash(value),
    line: 1,
    ...where
  }
}

export function configSecrets(config: ImageConfig, scanner: SecretScanner): ConfigSecret[] {
  const found: ConfigSecret[] = []
  const scan = (text: string, where: Omit<ConfigSecret, keyof SecretMatch>): boolean => {
    const matches = scanner.scan(text)
    for (const match of matches) found.push({ ...match, ...where })
    return matches.length > 0
  }

  const env = config.config?.Env ?? []
  const envSet = new Set(env)
  for (const entry of env) {
    const [name, value] = splitAssignment(entry)
    if (!scan(entry, { field: 'Env', name }) && sensitiveAssignment(name, value, 'env')) {
      found.push(named(scanner, 'env', value, { field: 'Env', name }))
    }
  }
  for (const [name, value] of Object.entries(config.config?.Labels ?? {})) {
    if (
      !scan(`${name}=${value}`, { field: 'Labels', name }) &&
      sensitiveAssignment(name, value, 'label')
    ) {
      found.push(named(scanner, 'label', value, { field: 'Labels', name }))
    }
  }
  for (const field of ['Entrypoint', 'Cmd'] as const) {
    const command = config.config?.[field]
    if (command) scan(command.join(' '), { field })
  }
  ;(config.history ?? []).forEach(({ created_by: createdBy }, history) => {
    if (createdBy === undefined) return
    if (scan(createdBy, { field: 'history', history })) return
    for (const [name, value] of buildArgs(createdBy)) {
      if (sensitiveAssignment(name, value, 'build-arg')) {
        found.push(named(scanner, 'build-arg', value, { field: 'history', name, history }))
      }
    }
    for (const [name, value, kind] of declarations(createdBy)) {
      // An ENV still in the config is reported there once.
      if (kind === 'env' && envSet.has(`${name}=${value}`)) continue
      if (sensitiveAssignment(name, value, kind)) {
        found.push(named(scanner, kind, value, { field: 'history', name, history }))
      }
    }
  })
  return found
}

/** Rules as text, regular expressions as their source (JSON would write them as {}). */
function rulesText(rules: readonly SecretRule[]): string {
  return JSON.stringify(rules, (_name, value: unknown) =>
    value instanceof RegExp ? `${value}` : value
  )
}

let builtInText: string | undefined

/** Scanners compiled in this process, by their custom rules and entropy threshold. */
const compiled = new Map<string, { scanner: SecretScanner; key: string }>()
/** A process compiles a few rule sets (the policy's, the built-in one for redaction). */
const MAX_COMPILED = 8

/**
 * The built-in rules and `custom`, compiled once per process (the keyword automaton is the costly
 * part): each caller that hashes values takes `withOwnHasher()` of the scanner. `key` names every
 * rule and option, for the layer cache (LayerSubscription.settings).
 */
export function compiledScanner(
  custom: readonly SecretRule[],
  minEntropy: number
): { scanner: SecretScanner; key: string } {
  const name = `${rulesText(custom)}\n${minEntropy}`
  let made = compiled.get(name)
  if (made === undefined) {
    builtInText ??= rulesText(BUILT_IN_RULES)
    made = {
      scanner: new SecretScanner([...BUILT_IN_RULES, ...custom], { minEntropy }),
      key: `${builtInText}\n${name}`
    }
    if (compiled.size >= MAX_COMPILED) compiled.clear()
    compiled.set(name, made)
  }
  return made
}

/** Where a build argument's value ends: the next `NAME=` or the shell. */
const VALUE_END = / (?:[A-Za-z_][A-Za-z0-9_]*=|\/bin\/sh -c |\/bin\/bash -c )/g

/**
 * A layer's `created_by` with secrets and credential-named build arguments redacted, for
 * reports: the raw command line is printed per layer and must not carry a secret. One pass over
 * the text, however many arguments it records (`RUN |50000 …` is a string an image can hold).
 */
export function redactCreatedBy(createdBy: string): string {
  const builtInScanner = compiledScanner([], 3).scanner
  const parts: string[] = []
  let copied = 0
  // Build arguments are space-separated words in text order: each word is looked at once.
  let word = 0
  for (const [name, value] of [...buildArgs(createdBy), ...declarations(createdBy)]) {
    if (value === '' || !sensitiveAssignment(name, value, 'build-arg')) continue
    const assignment = `${name}=${value}`
    let start = -1
    while (start === -1 && word <= createdBy.length) {
      const space = createdBy.indexOf(' ', word)
      const end = space === -1 ? createdBy.length : space
      if (
        word >= copied &&
        createdBy.startsWith(assignment, word) &&
        end - word === assignment.length
      ) {
        start = word
      }
      word = end + 1
    }
    if (start === -1) break
    // A value may contain spaces (`|1 PASSWORD=correct horse …`): everything up to the next
    // `NAME=` or the shell is the value, and all of it is hidden.
    const from = start + name.length + 1
    VALUE_END.lastIndex = from
    const until = VALUE_END.exec(createdBy)?.index ?? createdBy.length
    parts.push(createdBy.slice(copied, from), `[${redact(createdBy.slice(from, until))}]`)
    copied = until
    word = Math.max(word, until + 1)
  }
  parts.push(createdBy.slice(copied))
  return builtInScanner.redactText(parts.join(''))
}
