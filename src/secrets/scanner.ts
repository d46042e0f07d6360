/**
 * The secret scanner: an Aho-Corasick keyword pass decides which rules can match a text, then
 * only those rules' regexes run. A match never leaves this module as its raw value: callers
 * get the rule, a redacted form, the line and a one-way hash.
 */
import { createHash, createHmac, scryptSync } from 'node:crypto'
import { posix } from 'node:path'
import { Minimatch } from 'minimatch'
import { SEVERITIES, type Severity } from '../findings.js'
import type { SecretRule } from './rules.js'

/** A secret rule a team adds for its own credentials (docs/rules/hardening.md, "Custom rules"). */
export interface CustomSecretRule {
  /** kebab-case; the finding's rule is `hardening/secret-<id>`. */
  id: string
  /** A JavaScript regular expression; the `secret` named group, else the whole match, is the secret. */
  regex: string
  /** Lowercase literals of which one must occur in a file before the regex runs. */
  keywords: string[]
  severity: Severity
  /** Minimum Shannon entropy (bits per character) of the secret; 0 accepts any. */
  entropy: number
  title?: string
  /** Only files matching these globs (absolute paths) are checked. */
  paths?: string[]
}

export interface SecretMatch {
  rule: string
  title: string
  severity: Severity
  /** The first characters and the length, e.g. `ghp_… (40 characters)`. */
  redacted: string
  /** One-way hash of the value (hex), for fingerprints: equal values, equal hashes. */
  hash: string
  /** 1-based line of the match in the text. */
  line: number
  /** The same value on later lines: the first of them (up to MAX_REPEAT_LINES) and how many. */
  repeats?: { lines: number[]; count: number }
}

/** Later lines of one value named in its finding: enough to fix a file in one go. */
const MAX_REPEAT_LINES = 10

/** Keyword automaton over bytes 0..255, ASCII letters folded to lowercase. */
export class KeywordAutomaton {
  private readonly next: Int32Array
  /** Keyword ids ending at each state (through failure links). */
  private readonly outputs: number[][]
  /** 1 for states with an output: a byte test instead of an array's length per character. */
  private readonly emits: Uint8Array

  constructor(keywords: string[]) {
    const goto: Map<number, number>[] = [new Map()]
    const outputs: number[][] = [[]]
    keywords.forEach((keyword, id) => {
      let state = 0
      for (const code of codes(keyword)) {
        let target = goto[state]!.get(code)
        if (target === undefined) {
          target = goto.length
          goto.push(new Map())
          outputs.push([])
          goto[state]!.set(code, target)
        }
        state = target
      }
      outputs[state]!.push(id)
    })
    // Breadth-first over the trie: a state's failure link is the longest proper suffix that is
    // also a prefix; the dense table folds the links in, so matching is one lookup per byte.
    // Each row starts as a copy of its failure state's row (done before it: it is shallower),
    // then takes the state's own edges. The table holds state * 256: one multiply less per
    // character in the hot loop.
    const next = new Int32Array(goto.length * 256)
    const fail = new Int32Array(goto.length)
    const queue: number[] = []
    for (const [code, target] of goto[0]!) {
      next[code] = target * 256
      queue.push(target)
    }
    for (let head = 0; head < queue.length; head++) {
      const state = queue[head]!
      outputs[state]!.push(...outputs[fail[state]!]!)
      const row = state * 256
      const failRow = fail[state]! * 256
      next.copyWithin(row, failRow, failRow + 256)
      for (const [code, target] of goto[state]!) {
        fail[target] = next[failRow + code]! / 256
        next[row + code] = target * 256
        queue.push(target)
      }
    }
    // Keywords are lower case: an upper-case letter moves like its lower-case one, so the hot
    // loop needs no case conversion.
    for (let row = 0; row < next.length; row += 256) next.copyWithin(row + 65, row + 97, row + 123)
    this.next = next
    this.outputs = outputs
    this.emits = Uint8Array.from(outputs, (ids) => (ids.length > 0 ? 1 : 0))
  }

  /** Marks in `seen` every keyword id occurring in `text`. */
  find(text: string, seen: Uint8Array): boolean {
    const next = this.next
    const emits = this.emits
    let state = 0
    let found = false
    for (let i = 0; i < text.length; i++) {
      state = next[state + (text.charCodeAt(i) & 0xff)]!
      if (emits[state >>> 8] === 1) {
        for (const id of this.outputs[state >>> 8]!) seen[id] = 1
        found = true
      }
    }
    return found
  }
}

function codes(keyword: string): number[] {
  return [...keyword.toLowerCase()].map((char) => char.charCodeAt(0) & 0xff)
}

/** Shannon entropy in bits per character. */
export function shannonEntropy(value: string): number {
  const counts = new Map<string, number>()
  for (const char of value) counts.set(char, (counts.get(char) ?? 0) + 1)
  let entropy = 0
  for (const count of counts.values()) {
    const p = count / value.length
    entropy -= p * Math.log2(p)
  }
  return entropy
}

/**
 * Published example values that are not anyone's credential: AWS, GitHub and Stripe docs, and the
 * Google API keys in the Firebase SDKs' tests and samples.
 */
const KNOWN_EXAMPLES = new Set([
  'AIzaSyabcdefghijklmnopqrstuvwxyz1234567',
  'AIzaSyAnLA7NfeLquW1tJFpx_eQCxoX-oo6YyIs',
  'AIzaSyCkEhVjf3pduRDt6d1yKOMitrUEke8agEM',
  'AIzaSyDMAScliyLx7F0NPDEJi1QmyCgHIAODrlU',
  'AIzaSyD3asb-2pEZVqMkmL6M9N6nHZRR_znhrh0',
  'AIzayDNSXIbFmlXbIE6mCzDLQAqITYefhixbX4A',
  'AIzaSyAdOS2zB6NCsk1pCdZ4-P6GBdi_UUPwX7c',
  'AIzaSyASWm6HmTMdYWpgMnjRBjxcQ9CKctWmLd4',
  'AIzaSyANUvH9H9BsUccjsu2pCmEkOPjjaXeDQgY',
  'AIzaSyA5_iVawFQ8ABuTZNUdcwERLJv_a_p4wtM',
  'AIzaSyA4UrcGxgwQFTfaI3no3t7Lt1sjmdnP5sQ',
  'AIzaSyDSb51JiIcB6OJpwwMicseKRhhrOq1cS7g',
  'AIzaSyBF2RrAIm4a0mO64EShQfqfd2AFnzAvvuU',
  'AIzaSyBcE-OOIbhjyR83gm4r2MFCu4MJmprNXsw',
  'AIzaSyB8qGxt4ec15vitgn44duC5ucxaOi4FmqE',
  'AIzaSyA8vmApnrHNFE0bApF4hoZ11srVL_n0nvY',
  'AKIAIOSFODNN7EXAMPLE',
  'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  'ghp_16C7e42F292c6912E7710c838347Ae178B4a',
  'sk_test_4eC39HqLyjWDarjtT1zdp7dc',
  'xoxb-not-a-real-token-this-will-not-work',
  // RFC 6749's example client credentials (s6BhdRkqt3:gX1fBat3bV), quoted by OAuth libraries.
  'czZCaGRSa3F0MzpnWDFmQmF0M2JW',
  // Azurite's (the Azure Storage emulator's) well-known account key, published in Microsoft's
  // docs and built into the Azure SDKs' development connection string.
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='
])

/**
 * Template references and filler that stand for a value rather than being one (`${VAR}`,
 * `{{ .Values.x }}`, a Python format field `{project_id}`), paths built on a variable
 * (`$dir/private/cakey.pem` in the stock openssl.cnf, `$(PWD)/key`), and format strings with
 * numbered arguments (`…“{0}”…`, translated messages).
 */
const PLACEHOLDER =
  /^(?:\$\{[^}]*\}|\$\(.*\)|\$[A-Za-z_]\w*|%[A-Za-z_]\w*%|\{\{.*\}\}|<[^>]*>|\[[^\]]*\]|%\(\w+\)s|\{[A-Za-z_]\w*\}|(.)\1*)$|\$\{|\{\{|\{\d{1,2}\}|EXAMPLE|^\$(?:\([^)]*\)|[A-Za-z_]\w*)[/\\]/i

/**
 * Words of placeholder values people write in docs and templates (`user:pass@`, `foo:bar`), and
 * the alphabet typed out.
 */
const PLACEHOLDER_WORDS =
  /changeme|change_me|change-me|changeit|password|passwd|placeholder|your[_-]?|example|dummy|redacted|sample|foobar|\bfoo\b|\bbar\b|xxxx|\*\*\*|todo|fixme|insert|replace|secret|credential|null|none|undefined|true|false|test|abcdefgh|(.)\1{5,}|^(?:pass|pw|pwd)$/i

/**
 * Code rather than a literal: `os.environ.get(`, `self.password`, `process.env.TOKEN`, a path
 * (`/run/secrets/db`, `api/app_identity/service_pb.php`), a regular expression (`Name-.+`), words
 * in any script, maybe joined by `/` or `:` (a translated message: `"Unexpected_token":
 * "Neočekávaný token"`; an IAM condition key: `"secretsmanager:ResourceTag/tag-key"`).
 */
const CODE_LIKE =
  /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+$|[()[\]]|^(?:\/|~\/|\.\/)|^[\w.-]{1,64}(?:\/[\w.-]{1,64}){1,32}\.[a-z]{1,5}$|\.[*+]|^[\p{L}\p{M}_:/-]+\p{P}?$/u

/**
 * Zeros padding a made-up token (`ghp_PersonalAccessToken01245678900000000`): 36 random
 * characters of a GitHub token hold seven zeros in a row about once in 10^11. Only zeros: real
 * tokens carry runs of other characters (X's bearer tokens start with a run of `A`, base64 of
 * zero bytes).
 */
const FILLER_RUN = /0{7,}/
/** Values longer than this are not checked for filler (a long token may hold any run). */
const MAX_FILLER_CHECKED_CHARS = 512

/**
 * A value as UTF-8 text: files are scanned decoded as latin1 (a character per byte), so `č` is
 * two characters there, and a value may start or end inside a character (latin1's no-break space
 * is a byte of many CJK characters, and ends a value). Values that are not UTF-8 between those
 * ends, or already text, stay as they are.
 */
function asUtf8(value: string): string {
  if (!/[\x80-\xff]/.test(value) || /[\u0100-\uffff]/.test(value)) return value
  const decoded = Buffer.from(value, 'latin1')
    .toString('utf8')
    .replace(/^\ufffd+|\ufffd+$/g, '')
  return decoded === '' || decoded.includes('\ufffd') ? value : decoded
}

/**
 * Words run together in CamelCase (`AmazonManagedBlockchainConsoleFullAccess`, an AWS managed
 * policy's name, has the 40 characters of an AWS secret key): random characters fall into three
 * or more capitalised words and nothing else once in millions.
 */
const CAMEL_CASE_WORDS = /^(?:[A-Z][a-z]{2,}){3,}$/

/** Rules whose secret is a URL's password, followed by `@` and the host. */
const URL_RULES = new Set(['database-url', 'url-credentials'])

/** `@` and a host under a domain reserved for documentation (RFC 2606, RFC 6761). */
const DOCUMENTATION_HOST =
  /^@(?:(?:[\w-]{1,63}\.){0,8}example\.(?:com|net|org)|[\w.-]{0,253}\.(?:example|test|invalid))(?![\w.-])/i

/** Rules whose value slot holds a literal (a URL's password, a credential file's field), never code. */
const LITERAL_SLOT = new Set([
  'env',
  'build-arg',
  'label',
  'database-url',
  'url-credentials',
  'git-credentials',
  'git-config-credentials',
  'netrc-password',
  'pgpass-password'
])

/** Generated tokens below this entropy are filler such as `ghp_000…`; chosen values may be lower. */
const MIN_TOKEN_ENTROPY = 2

/**
 * Rules of files that exist to hold credentials (settings.xml, .netrc, .pgpass, .npmrc…): a value
 * there is a configured credential, whatever words it is made of (`<password>plainSecret</…>`,
 * `Summer2024Password`). One that reads like a placeholder is reported one severity lower rather
 * than left out; only a value that is nothing but placeholder words (`changeme`, `your-password`)
 * or a reference (`${env.PASSWORD}`) is no finding.
 */
const CREDENTIAL_FILE_RULES = new Set([
  'npmrc-auth',
  'yarnrc-auth',
  'pypirc-password',
  'nuget-config-password',
  'maven-settings-password',
  'gradle-properties-credential',
  'git-credentials',
  'git-config-credentials',
  'netrc-password',
  'pgpass-password'
])

/** A value made of placeholder words and separators only: `changeme`, `your_password_here`. */
const ONLY_PLACEHOLDER_WORDS =
  /^(?:change|me|it|your|my|the|here|enter|insert|replace|put|password|passwd|pass|pwd|secret|token|key|api|auth|user|username|placeholder|example|dummy|redacted|sample|foo|bar|baz|foobar|test|todo|fixme|tbd|null|none|nil|undefined|true|false|empty|value|credential|credentials|x{3,}|\*{3,}|[\s._-])+$/i

/** Placeholder-like values shorter than this are test values (`abc`, `test1`), not findings. */
const MIN_PLACEHOLDER_LIKE_CHARS = 6

function isOnlyPlaceholder(value: string): boolean {
  return (
    value.length < MIN_PLACEHOLDER_LIKE_CHARS ||
    KNOWN_EXAMPLES.has(value) ||
    PLACEHOLDER.test(value) ||
    ONLY_PLACEHOLDER_WORDS.test(value) ||
    // Filler: a run of one character (`xxxxxxxx1`) or one short unit repeated (`abcabcabc`),
    // which chosen passwords do not hold.
    /(.)\1{5,}|^(.{1,32}?)\2{2,}$/.test(value) ||
    (value.length <= MAX_FILLER_CHECKED_CHARS && FILLER_RUN.test(value))
  )
}

export function isPlaceholder(value: string, rule: Pick<SecretRule, 'id' | 'chosen'>): boolean {
  if (KNOWN_EXAMPLES.has(value) || PLACEHOLDER.test(value) || CAMEL_CASE_WORDS.test(value))
    return true
  if (rule.chosen !== true)
    return value.length <= MAX_FILLER_CHECKED_CHARS && FILLER_RUN.test(value)
  return (
    PLACEHOLDER_WORDS.test(value) || (!LITERAL_SLOT.has(rule.id) && CODE_LIKE.test(asUtf8(value)))
  )
}

/** Up to 4 leading characters, fewer for short values (never more than a quarter), and the length. */
export function redact(value: string): string {
  const shown = value.slice(0, Math.min(4, Math.floor(value.length / 4)))
  return `${shown}… (${value.length} characters)`
}

const HASH_SALT = 'container-gate/hardening/secret/v1'
/**
 * Distinct values hashed with scrypt per scanner (one scan): each costs ~10 ms, so a layer full
 * of distinct tokens could otherwise keep a scan busy for minutes. 256 is ~2.5 s, far above the
 * handful of secrets a real image holds.
 */
export const MAX_SLOW_HASHES = 256
/** Hashes remembered per scanner, keyed by the value's sha256 (the value itself is not kept). */
const MAX_CACHED_HASHES = 16_384

/**
 * One-way hashes of secret values for fingerprints: equal values, equal hashes (12 hex digits
 * keep fingerprints short). The first MAX_SLOW_HASHES distinct values get a deliberately slow
 * hash (scrypt), so that a report's fingerprint cannot be used to confirm a guessed short
 * password the way a plain sha256 could; values beyond the budget get a keyed sha256, which only
 * an image with hundreds of distinct secrets reaches.
 */
export class SecretHasher {
  private readonly cache = new Map<string, string>()
  private slow = 0
  /** Values hashed with the keyed sha256 because the scrypt budget was spent. */
  fast = 0

  constructor(private readonly maxSlow = MAX_SLOW_HASHES) {}

  hash(value: string): string {
    const key = createHash('sha256').update(value).digest('hex')
    let hash = this.cache.get(key)
    if (hash !== undefined) return hash
    if (this.slow < this.maxSlow) {
      this.slow += 1
      hash = scryptSync(value, HASH_SALT, 6, { N: 1 << 12, r: 8, p: 1 }).toString('hex')
    } else {
      this.fast += 1
      hash = createHmac('sha256', HASH_SALT).update(value).digest('hex').slice(0, 12)
    }
    if (this.cache.size < MAX_CACHED_HASHES) this.cache.set(key, hash)
    return hash
  }
}

/**
 * Why a path looks like an example, a template or a test fixture rather than live configuration
 * (`.env.example`, `config.yml.dist`, `examples/…`), or undefined. A value there is still reported
 * (people copy real values into templates), one severity step lower.
 */
export function exampleFileReason(path: string): string | undefined {
  const name = posix.basename(path).toLowerCase()
  const suffix = /\.(example|sample|dist|template|tmpl|tpl)$/.exec(name)
  if (suffix !== null) return `its name ends in .${suffix[1]}`
  const infix = /^(?:example|sample)s?[._-]|[._-](?:example|sample)s?\./.exec(name)
  if (infix !== null) return 'its name says it is an example'
  const dir = /\/(examples?|samples?|testdata|fixtures|__fixtures__)\//i.exec(
    posix.dirname(path) + '/'
  )
  if (dir !== null) return `it is under ${dir[1]}/`
  return undefined
}

/** One severity step down, never below low (info stays info). */
function stepDown(severity: Severity): Severity {
  const index = SEVERITIES.indexOf(severity)
  return SEVERITIES[Math.min(index + 1, Math.max(index, SEVERITIES.indexOf('low')))]!
}

/** Matches in a file named like an example: one step lower, the reason in the title. */
function asExamples(matches: SecretMatch[], path: string | undefined): SecretMatch[] {
  const reason = path === undefined ? undefined : exampleFileReason(path)
  if (reason === undefined) return matches
  return matches.map((match) => ({
    ...match,
    title: `${match.title} (in a file named like an example: ${reason}, so one severity lower)`,
    severity: stepDown(match.severity)
  }))
}

/** Key store file names: PKCS#12 (RFC 7292) is written as `.p12` or `.pfx`. */
const KEY_STORE_NAME = /\.(?:p12|pfx)$/i

/** DER (or BER) SEQUENCE header, then PFX `version INTEGER {v3(3)}` (RFC 7292 section 4). */
function isPkcs12(der: Uint8Array): boolean {
  if (der[0] !== 0x30) return false
  const lengthByte = der[1] ?? 0xff
  if (lengthByte > 0x84) return false
  // Short form, BER's indefinite length (0x80), or long form with 1..4 length bytes.
  const header = lengthByte <= 0x80 ? 2 : 2 + (lengthByte & 0x7f)
  return der[header] === 0x02 && der[header + 1] === 0x01 && der[header + 2] === 0x03
}

/** DER of the PKCS#12 keyBag and pkcs8ShroudedKeyBag OIDs (1.2.840.113549.1.12.10.1.1 and .2). */
const KEY_BAG_OIDS = [1, 2].map((last) =>
  Buffer.from([0x06, 0x0b, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x0a, 0x01, last])
)

/** Rules whose matches give way to a token rule's match at the same place. */
const GENERIC = new Set([
  'password-assignment',
  'dotenv-secret',
  'url-credentials',
  'basic-auth-header',
  'bearer-token',
  'curl-credentials',
  'azure-container-registry-password',
  'kubernetes-secret',
  'jwt'
])

/** 2 for a token shape or a credential file, 1 for a generic rule, 0 for any `password=`. */
function specificity(match: RawMatch): number {
  const id = match.compiled.rule.id
  return id === 'password-assignment' ? 0 : GENERIC.has(id) ? 1 : 2
}

const XML_FILE = /\.(?:xml|pom)$/i

/** The spans of `<!-- … -->` comments in `text` (an unterminated one runs to the end). */
function xmlComments(text: string): Span[] {
  const spans: Span[] = []
  for (let at = text.indexOf('<!--'); at !== -1; at = text.indexOf('<!--', at)) {
    const close = text.indexOf('-->', at + 4)
    const end = close === -1 ? text.length : close + 3
    spans.push({ start: at, end })
    at = end
  }
  return spans
}

/** At most this many matches of one rule per text: a dump of tokens is one problem, not 10,000. */
const MAX_MATCHES_PER_RULE = 20

interface CompiledRule {
  rule: SecretRule
  pattern: RegExp
  keywordIds: number[]
  paths: Minimatch[] | undefined
}

interface RawMatch {
  compiled: CompiledRule
  value: string
  start: number
  end: number
  /** Why the match is reported one severity lower, when it is (CREDENTIAL_FILE_RULES). */
  lowered?: string
}

export interface ScannerOptions {
  /** Overrides the entropy threshold of the `password-assignment` rule. */
  minEntropy: number
  /** Distinct values hashed with scrypt; MAX_SLOW_HASHES unless a test needs a small budget. */
  maxSlowHashes?: number
}

export function customRule(rule: CustomSecretRule): SecretRule {
  return {
    id: rule.id,
    title: rule.title ?? `Secret matching custom rule ${rule.id}`,
    severity: rule.severity,
    keywords: rule.keywords,
    pattern: new RegExp(rule.regex),
    ...(rule.paths === undefined ? {} : { paths: rule.paths }),
    ...(rule.entropy > 0 ? { minEntropy: rule.entropy } : {})
  }
}

export class SecretScanner {
  private readonly automaton: KeywordAutomaton
  private readonly keywordCount: number
  private readonly rules: CompiledRule[]
  readonly hasher: SecretHasher

  /** `compiledFrom`: share that scanner's compiled rules (see withOwnHasher). */
  constructor(
    rules: SecretRule[],
    private readonly options: ScannerOptions,
    compiledFrom?: SecretScanner
  ) {
    this.hasher = new SecretHasher(options.maxSlowHashes)
    if (compiledFrom !== undefined) {
      this.rules = compiledFrom.rules
      this.automaton = compiledFrom.automaton
      this.keywordCount = compiledFrom.keywordCount
      return
    }
    const keywords: string[] = []
    const ids = new Map<string, number>()
    const idOf = (keyword: string): number => {
      let id = ids.get(keyword)
      if (id === undefined) {
        id = keywords.length
        keywords.push(keyword)
        ids.set(keyword, id)
      }
      return id
    }
    this.rules = rules.map((rule) => {
      const tuned =
        rule.id === 'password-assignment' ? { ...rule, minEntropy: options.minEntropy } : rule
      return {
        rule: tuned,
        pattern: new RegExp(rule.pattern.source, rule.pattern.flags.replace('g', '') + 'g'),
        // A rule without keywords always runs (custom rules may have none).
        keywordIds: rule.keywords.map((keyword) => idOf(keyword.toLowerCase())),
        paths: rule.paths?.map((glob) => new Minimatch(glob, { dot: true }))
      }
    })
    this.automaton = new KeywordAutomaton(keywords)
    this.keywordCount = keywords.length
  }

  /**
   * The same rules, compiled once, with a hasher of its own: which values get the slow hash
   * depends on what a hasher saw before, so each scan starts afresh.
   */
  withOwnHasher(): SecretScanner {
    return new SecretScanner([], this.options, this)
  }

  /**
   * Finds secrets in `text` (a file decoded as latin1, or a config string). `path` selects the
   * path-scoped rules; config strings have none.
   */
  scan(text: string, path?: string): SecretMatch[] {
    return asExamples(this.describe(this.find(text, path), text), path)
  }

  /** Whether a file is named like a key store, whose binary content `scanKeyStore` reads. */
  isKeyStorePath(path: string): boolean {
    return KEY_STORE_NAME.test(path)
  }

  /**
   * A PKCS#12 key store (`.p12`/`.pfx`, checked by its DER header): high when a key bag is
   * visible, medium when its contents are encrypted or it holds only certificates (a trust store).
   * The hash is of the whole file, so the same store in two places is the same value.
   */
  scanKeyStore(content: Buffer, path: string): SecretMatch | undefined {
    if (!isPkcs12(content)) return undefined
    const key = KEY_BAG_OIDS.some((oid) => content.includes(oid))
    const match: SecretMatch = {
      rule: 'pkcs12-key-store',
      title: key
        ? 'PKCS#12 key store with a private key'
        : 'PKCS#12 key store (its private key, if any, is encrypted)',
      severity: key ? 'high' : 'medium',
      redacted: `PKCS#12 (${content.length} bytes)`,
      hash: this.hasher.hash(createHash('sha256').update(content).digest('hex')),
      line: 1
    }
    return asExamples([match], path)[0]
  }

  /** `text` with every secret replaced by its redacted form, e.g. for a layer's `created_by`. */
  redactText(text: string): string {
    // Uncapped: the cap keeps findings readable, but every occurrence must be hidden.
    const spans = this.find(text, undefined, Number.POSITIVE_INFINITY, true).sort(
      (a, b) => a.start - b.start
    )
    const parts: string[] = []
    let copied = 0
    // Overlapping matches are hidden as one span: hiding either alone would show part of the other.
    for (let i = 0; i < spans.length;) {
      const start = spans[i]!.start
      let end = spans[i]!.end
      for (i++; i < spans.length && spans[i]!.start < end; i++) end = Math.max(end, spans[i]!.end)
      parts.push(text.slice(copied, start), `[${redact(text.slice(start, end))}]`)
      copied = end
    }
    parts.push(text.slice(copied))
    return parts.join('')
  }

  /**
   * Every match in `text`. For findings, values that are placeholders, filler or documentation
   * examples are left out; for redaction (`redacting`) nothing is: hiding a placeholder costs
   * nothing, printing a password that looked like one leaks it.
   */
  private find(
    text: string,
    path?: string,
    limit = MAX_MATCHES_PER_RULE,
    redacting = false
  ): RawMatch[] {
    const seen = new Uint8Array(this.keywordCount)
    this.automaton.find(text, seen)
    const raw: RawMatch[] = []
    for (const compiled of this.rules) {
      const { rule, keywordIds, paths } = compiled
      if (keywordIds.length > 0 && !keywordIds.some((id) => seen[id] === 1)) continue
      if (paths !== undefined && (path === undefined || !paths.some((g) => g.match(path)))) continue
      if (rule.context !== undefined && !rule.context.test(text)) continue
      // A loop, not push(...): a build step may hold 100,000 matches, too many for arguments.
      for (const match of this.matches(compiled, text, limit, redacting)) raw.push(match)
    }
    const commented = path !== undefined && XML_FILE.test(path) ? xmlComments(text) : []
    if (commented.length > 0) {
      // Stock XML configs document their fields with commented-out examples (Maven's
      // settings.xml: `<password>repopwd</password>` inside `<!-- … -->`): not configured values.
      const inComment = overlapIndex(commented)
      for (let i = raw.length - 1; i >= 0; i--) {
        if (inComment(raw[i]!)) raw.splice(i, 1)
      }
    }
    // A match gives way to a more specific rule's match at the same place.
    const overlapsAbove = [1, 2].map((level) =>
      overlapIndex(raw.filter((m) => specificity(m) >= level))
    )
    return raw.filter((m) => {
      const level = specificity(m)
      return level === 2 || !overlapsAbove[level]!(m)
    })
  }

  private matches(
    compiled: CompiledRule,
    text: string,
    limit: number,
    redacting: boolean
  ): RawMatch[] {
    const { rule, pattern } = compiled
    const found: RawMatch[] = []
    pattern.lastIndex = 0
    for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
      if (match[0] === '') {
        pattern.lastIndex += 1
        continue
      }
      const value = match.groups?.secret ?? match[0]
      const at = match[0].lastIndexOf(value)
      const start = match.index + at
      let lowered: string | undefined
      if (!redacting) {
        const verdict = this.accepts(rule, value)
        if (verdict === false) continue
        if (verdict === 'placeholder-like') lowered = 'the value reads like a placeholder'
        // `http://john:S3nsit1ve@my.example.com` in a library's docs: a documentation domain.
        if (URL_RULES.has(rule.id) && DOCUMENTATION_HOST.test(match[0].slice(at + value.length)))
          continue
      }
      const end = start + value.length
      found.push(
        lowered === undefined
          ? { compiled, value, start, end }
          : { compiled, value, start, end, lowered }
      )
      if (found.length >= limit) break
    }
    return found
  }

  /** Whether a value is reported: false, true, or `placeholder-like` (reported one step lower). */
  private accepts(rule: SecretRule, value: string): boolean | 'placeholder-like' {
    // Key bodies are checked as key material: base64 of DER has long runs such as `AAAAAA`.
    if (rule.id.startsWith('private-key-')) return isKeyMaterial(value)
    if (isPlaceholder(value, rule)) {
      return CREDENTIAL_FILE_RULES.has(rule.id) && !isOnlyPlaceholder(value)
        ? 'placeholder-like'
        : false
    }
    const entropy = shannonEntropy(value)
    return entropy >= (rule.minEntropy ?? (rule.chosen === true ? 0 : MIN_TOKEN_ENTROPY))
  }

  /** Pairs AWS keys, drops repeats of a value, and hashes and redacts. */
  private describe(kept: RawMatch[], text: string): SecretMatch[] {
    const awsSecret = kept.some((m) => m.compiled.rule.id === 'aws-secret-access-key')
    const lines = lineNumbers(
      text,
      kept.map((m) => m.start)
    )
    // Repeats are dropped before hashing (only distinct values spend the hash budget); the
    // first occurrence names the other lines (at most MAX_MATCHES_PER_RULE per rule).
    const seen = new Map<string, { result: SecretMatch; lines: Set<number> }>()
    const results: SecretMatch[] = []
    for (const match of kept) {
      const { rule } = match.compiled
      // An access key ID is only an identifier; next to its secret key, the pair is one finding.
      if (rule.id === 'aws-access-key-id' && awsSecret) continue
      const key = `${rule.id}\0${match.value}`
      const first = seen.get(key)
      if (first !== undefined) {
        first.lines.add(lines.get(match.start)!)
        continue
      }
      const hash = this.hasher.hash(match.value)
      const protection = rule.id.startsWith('private-key-') ? keyProtection(match.value) : ''
      const severity = protection === 'encrypted' ? 'high' : rule.severity
      const title = protection === '' ? rule.title : `${rule.title} (${protection})`
      const result: SecretMatch = {
        rule: rule.id,
        ...(match.lowered === undefined
          ? { title, severity }
          : {
              title: `${title} (${match.lowered}, so one severity lower)`,
              severity: stepDown(severity)
            }),
        redacted: redact(match.value),
        hash,
        line: lines.get(match.start)!
      }
      seen.set(key, { result, lines: new Set() })
      results.push(result)
    }
    for (const { result, lines: other } of seen.values()) {
      other.delete(result.line)
      if (other.size === 0) continue
      const sorted = [...other].sort((a, b) => a - b)
      result.repeats = { lines: sorted.slice(0, MAX_REPEAT_LINES), count: sorted.length }
    }
    return results
  }
}

/** The 1-based line of each offset, in one pass over the text. */
function lineNumbers(text: string, offsets: number[]): Map<number, number> {
  const lines = new Map<number, number>()
  let line = 1
  let newline = text.indexOf('\n')
  for (const offset of [...offsets].sort((a, b) => a - b)) {
    while (newline !== -1 && newline < offset) {
      line += 1
      newline = text.indexOf('\n', newline + 1)
    }
    lines.set(offset, line)
  }
  return lines
}

/**
 * A test of whether a span overlaps any of `spans`, in O(log n): spans sorted by start, with the
 * largest end among each prefix (a quadratic all-pairs check took minutes on 50,000 matches).
 */
interface Span {
  start: number
  end: number
}

function overlapIndex(spans: readonly Span[]): (m: Span) => boolean {
  const sorted = [...spans].sort((a, b) => a.start - b.start)
  const maxEnd: number[] = []
  for (const span of sorted) maxEnd.push(Math.max(span.end, maxEnd[maxEnd.length - 1] ?? 0))
  return (m) => {
    // The spans starting before m ends; one of them overlaps m if it ends after m starts.
    let low = 0
    let high = sorted.length
    while (low < high) {
      const middle = (low + high) >>> 1
      if (sorted[middle]!.start < m.end) low = middle + 1
      else high = middle
    }
    return low > 0 && maxEnd[low - 1]! > m.start
  }
}

/** The base64 body of a PEM block, without the armor lines and RFC 1421 headers. */
function pemBody(block: string): string {
  return block
    .replace(/\\n/g, '\n')
    .split(/\r?\n/)
    .filter((line) => !line.startsWith('-----') && !/^[\w-]+:/.test(line))
    .join('')
    .replace(/[^A-Za-z0-9+/=]/g, '')
}

/** Real key material, not a truncated example such as `MIIE...`: enough varied base64. */
function isKeyMaterial(block: string): boolean {
  const body = pemBody(block)
  return body.length >= 64 && shannonEntropy(body) >= 4.5
}

/**
 * `encrypted` for a passphrase-protected key: RFC 1421 `Proc-Type: 4,ENCRYPTED`, PKCS#8
 * EncryptedPrivateKeyInfo, or an OpenSSH key whose cipher is not `none` (OpenSSH PROTOCOL.key).
 */
function keyProtection(block: string): string {
  if (/Proc-Type:\s*4,ENCRYPTED/.test(block) || block.includes('ENCRYPTED PRIVATE KEY')) {
    return 'encrypted'
  }
  if (block.includes('OPENSSH PRIVATE KEY')) {
    const key = Buffer.from(pemBody(block), 'base64')
    const magic = 'openssh-key-v1\0'
    if (key.toString('latin1', 0, magic.length) === magic && key.length > magic.length + 4) {
      const length = key.readUInt32BE(magic.length)
      const cipher = key.toString('latin1', magic.length + 4, magic.length + 4 + length)
      return cipher === 'none' ? '' : 'encrypted'
    }
  }
  return ''
}
