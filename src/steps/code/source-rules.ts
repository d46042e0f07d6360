/**
 * The static-analysis rule pack for scripts, source and framework configs shipped in an image
 * (docs/rules/code.md). Line-based: each rule is a regular expression over one line, so a file is
 * scanned as it streams, holding one line at a time. Comment lines are skipped.
 */
import { posix } from 'node:path'
import type { Severity } from '../../findings.js'

export type SourceKind =
  | 'shell'
  | 'python'
  | 'javascript'
  | 'django-settings'
  | 'spring-config'
  | 'rails-production'
  | 'dotenv'

export type SourceRuleId =
  | 'shell-download-exec'
  | 'shell-chmod-world-writable'
  | 'shell-eval-variable'
  | 'python-unsafe-deserialization'
  | 'python-shell-true'
  | 'python-eval'
  | 'js-eval'
  | 'js-exec-template'
  | 'tls-verification-disabled'
  | 'debug-enabled'

export interface SourcePattern {
  rule: SourceRuleId
  kinds: readonly SourceKind[]
  pattern: RegExp
  /** What the line does, for the title: "pipes a download into a shell". */
  what: string
}

export const SOURCE_RULES: Record<
  SourceRuleId,
  { severity: Severity; title: string; fix: string }
> = {
  'shell-download-exec': {
    severity: 'high',
    title: 'Script runs code it downloads',
    fix: 'Download to a file, verify its checksum or signature, then run it; better, install it at build time from a pinned package.'
  },
  'shell-chmod-world-writable': {
    severity: 'medium',
    title: 'Script makes files world-writable',
    fix: 'Grant write access to the owner (and group) only, e.g. `chmod 755` / `chmod 644`, and chown to the user that needs it.'
  },
  'shell-eval-variable': {
    severity: 'medium',
    title: 'Script evaluates a variable as code',
    fix: 'Call the command directly with quoted arguments (use an array for a variable command) instead of `eval`.'
  },
  'python-unsafe-deserialization': {
    severity: 'medium',
    title: 'Python deserialises with a loader that can run code',
    fix: 'Use `yaml.safe_load` (or `Loader=yaml.SafeLoader`) and JSON instead of pickle for data that crosses a trust boundary.'
  },
  'python-shell-true': {
    severity: 'medium',
    title: 'Python runs a command through the shell',
    fix: 'Pass the command as a list without `shell=True`, so arguments are never parsed by a shell.'
  },
  'python-eval': {
    severity: 'medium',
    title: 'Python evaluates a string as code',
    fix: 'Parse the input instead (`ast.literal_eval` for literals, `json.loads` for data); never eval input.'
  },
  'js-eval': {
    severity: 'medium',
    title: 'JavaScript evaluates a string as code',
    fix: 'Parse the input instead (`JSON.parse`) or look the operation up in a table; never eval input.'
  },
  'js-exec-template': {
    severity: 'medium',
    title: 'JavaScript builds a shell command from a template string',
    fix: 'Use `execFile`/`spawn` with an argument array instead of `exec` with interpolated values.'
  },
  'tls-verification-disabled': {
    severity: 'high',
    title: 'TLS certificate verification is disabled',
    fix: 'Remove the option; if a private CA is involved, add its certificate to the trust store (e.g. /usr/local/share/ca-certificates + update-ca-certificates).'
  },
  'debug-enabled': {
    severity: 'high',
    title: 'Framework debug mode is on in a production config',
    fix: 'Turn debug off in production configs (debug pages leak settings and secrets; the Werkzeug debugger runs arbitrary code); enable it per environment at deploy time.'
  }
}

const SHELLS: readonly SourceKind[] = ['shell', 'dotenv']

export const SOURCE_PATTERNS: readonly SourcePattern[] = [
  {
    rule: 'shell-download-exec',
    kinds: ['shell'],
    pattern:
      /\b(?:curl|wget)\b(?:(?!\b(?:curl|wget)\b)[^|;#])*\|\s*(?:sudo\s+(?:-\S+\s+)*)?(?:\S*\/)?(?:ba|da|k|z|a)?sh\b|\b(?:ba|da|k|z|a)?sh\s+(?:-c\s+)?["']?(?:\$\(|<\(|`)\s*(?:curl|wget)\b/,
    what: 'pipes a download into a shell'
  },
  {
    rule: 'shell-chmod-world-writable',
    kinds: ['shell'],
    pattern:
      /\bchmod\s+(?:-[A-Za-z]+\s+)*(?:[0-7]?[0-7][0-7][2367]\b|(?:[ug]*o[ug]*|a)[+=][rxXst]*w)/,
    what: 'runs chmod with write access for everyone'
  },
  {
    rule: 'shell-eval-variable',
    kinds: ['shell'],
    pattern:
      /(?:^|[;&|({]|\b(?:then|do|else)\s)\s*eval\s+(?:(?!(?:[;&|({]|\b(?:then|do|else)\s)\s*eval\s)[^#])*\$\{?[A-Za-z_@*0-9]/,
    what: 'runs eval on a variable'
  },
  {
    rule: 'python-unsafe-deserialization',
    kinds: ['python'],
    pattern:
      /\b(?:c?[Pp]ickle|_pickle|dill)\.loads?\s*\(|\byaml\.unsafe_load(?:_all)?\s*\(|\byaml\.load(?:_all)?\s*\((?!(?:(?!\byaml\.load)[^#])*Loader\s*=\s*(?:yaml\.)?C?SafeLoader\b)/,
    what: 'loads pickle or YAML without a safe loader'
  },
  {
    rule: 'python-shell-true',
    kinds: ['python'],
    pattern: /\bshell\s*=\s*True\b/,
    what: 'passes shell=True'
  },
  {
    rule: 'python-eval',
    kinds: ['python'],
    pattern: /(?<![\w.])(?:eval|exec)\s*\(/,
    what: 'calls eval or exec'
  },
  {
    rule: 'js-eval',
    kinds: ['javascript'],
    pattern: /(?<![\w.$])eval\s*\(|\bnew\s+Function\s*\(/,
    what: 'calls eval or new Function'
  },
  {
    rule: 'js-exec-template',
    kinds: ['javascript'],
    pattern: /\bexec(?:Sync)?\s*\(\s*`[^`]*\$\{/,
    what: 'calls exec with an interpolated template string'
  },
  {
    rule: 'tls-verification-disabled',
    kinds: ['shell'],
    pattern: /\bcurl\b(?:(?!\bcurl\b)[^#])*\s(?:-(?=[A-Za-z]*k)[A-Za-z]+|--insecure)(?:\s|$)/,
    what: 'runs curl -k/--insecure'
  },
  {
    rule: 'tls-verification-disabled',
    kinds: ['shell'],
    pattern: /\bwget\b(?:(?!\bwget\b)[^#])*\s--no-check-certificate\b/,
    what: 'runs wget --no-check-certificate'
  },
  {
    rule: 'tls-verification-disabled',
    kinds: SHELLS,
    pattern:
      /\b(?:NODE_TLS_REJECT_UNAUTHORIZED=["']?0|PYTHONHTTPSVERIFY=["']?0|GIT_SSL_NO_VERIFY=["']?(?:1|true))\b|\bhttp\.sslVerify[= ]+["']?false\b/i,
    what: 'sets a variable or option that turns TLS verification off'
  },
  {
    rule: 'tls-verification-disabled',
    kinds: ['python'],
    pattern:
      /\bverify\s*=\s*False\b|\bssl\._create_unverified_context\b|\bcheck_hostname\s*=\s*False\b|\bverify_mode\s*=\s*(?:ssl\.)?CERT_NONE\b/,
    what: 'passes verify=False or an unverified SSL context'
  },
  {
    rule: 'tls-verification-disabled',
    kinds: ['javascript'],
    pattern:
      /\bNODE_TLS_REJECT_UNAUTHORIZED\b["']?\]?\s*=\s*["']?0|\brejectUnauthorized\s*:\s*false\b/,
    what: 'sets NODE_TLS_REJECT_UNAUTHORIZED=0 or rejectUnauthorized: false'
  },
  {
    rule: 'debug-enabled',
    kinds: ['django-settings'],
    pattern: /^\s*DEBUG\s*=\s*True\b/,
    what: 'sets Django DEBUG = True'
  },
  {
    rule: 'debug-enabled',
    kinds: ['python'],
    pattern: /\.run\s*\((?:(?!\.run\s*\()[^#])*\bdebug\s*=\s*True\b/,
    what: 'starts Flask/Werkzeug with debug=True'
  },
  {
    rule: 'debug-enabled',
    kinds: ['spring-config'],
    pattern: /^\s*debug\s*[=:]\s*true\b/i,
    what: 'sets Spring Boot debug=true'
  },
  {
    rule: 'debug-enabled',
    kinds: ['rails-production'],
    pattern: /\bconfig\.consider_all_requests_local\s*=\s*true\b/,
    what: 'sets consider_all_requests_local = true'
  },
  {
    rule: 'debug-enabled',
    kinds: ['dotenv'],
    pattern:
      /^\s*(?:export\s+)?(?:APP_DEBUG|FLASK_DEBUG|DJANGO_DEBUG|DEBUG)\s*=\s*["']?(?:true|1|yes|on)["']?\s*$/i,
    what: 'sets APP_DEBUG/FLASK_DEBUG/DEBUG on'
  }
]

/** Files named for development, tests or examples are not production configs. */
const NOT_PRODUCTION =
  /(?:^|[._-])(?:dev|development|local|test|tests|testing|example|sample)(?:[._-]|$)/i

const SHELL_EXTENSIONS = new Set(['.sh', '.bash', '.ksh', '.zsh', '.ash'])
const JS_EXTENSIONS = new Set(['.js', '.mjs', '.cjs'])
const SPRING_CONFIG = /^application(?:-[\w-]+)?\.(?:properties|ya?ml)$/
const DOTENV = /^\.env(?:\.[\w-]+)?$/

/** What a file is by its name: language and, for well-known configs, the framework. */
export function kindsByName(path: string): SourceKind[] {
  const base = posix.basename(path)
  const extension = posix.extname(base)
  const production = !NOT_PRODUCTION.test(base)
  const kinds: SourceKind[] = []
  if (SHELL_EXTENSIONS.has(extension)) kinds.push('shell')
  if (JS_EXTENSIONS.has(extension)) kinds.push('javascript')
  if (extension === '.py') {
    kinds.push('python')
    const inSettings = posix.basename(posix.dirname(path)) === 'settings'
    if (production && (base === 'settings.py' || (inSettings && base !== '__init__.py'))) {
      kinds.push('django-settings')
    }
  }
  if (production && SPRING_CONFIG.test(base)) kinds.push('spring-config')
  if (path.endsWith('/config/environments/production.rb')) kinds.push('rails-production')
  if (production && DOTENV.test(base)) kinds.push('dotenv')
  return kinds
}

const SHEBANG_KINDS: Array<[RegExp, SourceKind]> = [
  [/^(?:ba|da|k|z|a)?sh$/, 'shell'],
  [/^python[\d.]*$/, 'python'],
  [/^(?:node|nodejs)$/, 'javascript']
]

/** What a file is by its `#!` line (`#!/bin/sh`, `#!/usr/bin/env -S python3 -u`). */
export function kindsByShebang(head: Buffer): SourceKind[] {
  if (head[0] !== 0x23 || head[1] !== 0x21) return []
  const end = head.indexOf(0x0a)
  const line = head.toString('latin1', 2, end === -1 ? head.length : end).trim()
  const [program = '', ...args] = line.split(/\s+/)
  const interpreter =
    posix.basename(program) === 'env'
      ? args.find((arg) => !arg.startsWith('-') && !arg.includes('='))
      : posix.basename(program)
  const kind = SHEBANG_KINDS.find(([pattern]) => pattern.test(interpreter ?? ''))?.[1]
  return kind === undefined ? [] : [kind]
}

export interface SourceMatch {
  rule: SourceRuleId
  line: number
  what: string
}

/** Longer lines are minified or generated code: skipped, as they are not what a reviewer reads. */
export const MAX_LINE = 4096
const NEWLINE = 0x0a

function isComment(line: string, kinds: readonly SourceKind[]): boolean {
  const trimmed = line.trimStart()
  if (kinds.includes('javascript')) return /^(?:\/\/|\/\*|\*)/.test(trimmed)
  return trimmed.startsWith('#')
}

/** Scans a file line by line as its chunks arrive; one match per rule and line. */
/**
 * Lines reported per rule per file, as the secret scanner does: the first ones show the pattern,
 * and a file of millions of matching lines (an image chooses) holds no more.
 */
export const MAX_MATCHES_PER_RULE = 20

export class SourceScanner {
  private readonly patterns: readonly SourcePattern[]
  private pending: Buffer[] = []
  private pendingLength = 0
  private lineNumber = 0
  private readonly perRule = new Map<SourceRuleId, number>()
  readonly matches: SourceMatch[] = []

  constructor(
    private readonly kinds: readonly SourceKind[],
    patterns: readonly SourcePattern[] = SOURCE_PATTERNS
  ) {
    this.patterns = patterns.filter((p) => p.kinds.some((kind) => kinds.includes(kind)))
  }

  get active(): boolean {
    return this.patterns.length > 0
  }

  write(chunk: Buffer): void {
    let start = 0
    for (let nl = chunk.indexOf(NEWLINE); nl !== -1; nl = chunk.indexOf(NEWLINE, start)) {
      if (this.pendingLength === 0) this.check(chunk.subarray(start, nl))
      else {
        this.take(chunk.subarray(start, nl))
        this.flush()
      }
      start = nl + 1
    }
    if (start < chunk.length) this.take(chunk.subarray(start))
  }

  end(): void {
    if (this.pendingLength > 0) this.flush()
  }

  private take(part: Buffer): void {
    // Past the limit only the length is counted, so a huge minified line costs no memory.
    if (this.pendingLength <= MAX_LINE) this.pending.push(Buffer.from(part))
    this.pendingLength += part.length
  }

  private flush(): void {
    const tooLong = this.pendingLength > MAX_LINE
    const line = tooLong ? undefined : Buffer.concat(this.pending, this.pendingLength)
    this.pending = []
    this.pendingLength = 0
    this.check(line)
  }

  /** One whole line, or undefined for one over MAX_LINE. */
  private check(bytes: Buffer | undefined): void {
    this.lineNumber++
    if (bytes === undefined || bytes.length > MAX_LINE) return
    const line = bytes.toString('utf8').replace(/\r$/, '')
    if (line.trim() === '' || isComment(line, this.kinds)) return
    const seen = new Set<SourceRuleId>()
    for (const { rule, pattern, what } of this.patterns) {
      const count = this.perRule.get(rule) ?? 0
      if (seen.has(rule) || count >= MAX_MATCHES_PER_RULE || !pattern.test(line)) continue
      seen.add(rule)
      this.perRule.set(rule, count + 1)
      this.matches.push({ rule, line: this.lineNumber, what })
    }
  }
}

/** Image config `Env` entries (`NAME=value`) that turn TLS verification or debug mode on. */
export function envMatches(env: readonly string[]): Array<{ rule: SourceRuleId; name: string }> {
  const matches: Array<{ rule: SourceRuleId; name: string }> = []
  for (const entry of env) {
    const name = entry.split('=', 1)[0] ?? ''
    for (const { rule, kinds, pattern } of SOURCE_PATTERNS) {
      if (kinds.includes('dotenv') && pattern.test(entry)) {
        matches.push({ rule, name })
        break
      }
    }
  }
  return matches
}
