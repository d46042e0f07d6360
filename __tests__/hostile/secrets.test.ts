/**
 * Hostile inputs for the secret scanner: every built-in rule must finish in time linear in the
 * text on files of the largest size the scanner accepts (a backtracking pattern took minutes on
 * a 1 MB file), fingerprinting must not let a layer of distinct tokens buy minutes of scrypt,
 * and redacting build history must stay linear in the number of values it hides.
 */
import { describe, expect, it } from '@jest/globals'
import { runInNewContext } from 'node:vm'
import { tokenLike } from '../../__fixtures__/tokens.js'
import { defaultPolicy } from '../../src/policy/defaults.js'
import { redactCreatedBy } from '../../src/secrets/config.js'
import { BUILT_IN_RULES, type SecretRule } from '../../src/secrets/rules.js'
import { MAX_SLOW_HASHES, SecretScanner } from '../../src/secrets/scanner.js'

const MAX_FILE_BYTES = defaultPolicy().hardening.secretMaxFileBytes

/**
 * Runs `scan` under V8's watchdog, which stops it after `ms` even inside a regular expression (a
 * jest timeout cannot interrupt synchronous code). The bound detects runaway backtracking, not
 * speed: these scans take well under a second; `npm run bench` measures speed.
 */
function bounded<T>(scan: () => T, ms = 60_000): T {
  return runInNewContext('scan()', { scan }, { timeout: ms }) as T
}

/** Characters tried against a character class to find which ones it repeats. */
const PROBES = ['a', 'A', '0', '1', 'f', 'Q', '=', '-', '.', '/', '+', ':', '_', ' ', '"', '%', '~']

interface PatternSketch {
  /** A short string of the pattern's shape: first alternatives, fewest repeats. */
  sample: string
  /** Characters matched by atoms under an unbounded or long quantifier. */
  runs: string[]
  /** Quantifiers without an upper bound (`*`, `+`, `{n,}`), as written. */
  unbounded: string[]
}

/** Reads a pattern's source well enough to build inputs from its own literals and classes. */
function sketch(pattern: RegExp): PatternSketch {
  const source = pattern.source
  const flags = pattern.flags.replace(/[gy]/g, '')
  const runs = new Set<string>()
  const unbounded: string[] = []
  let i = 0
  const members = (cls: string): string[] => {
    const re = new RegExp(`^${cls}$`, flags)
    return PROBES.filter((c) => re.test(c))
  }
  type Part = { text: string; chars: string[] }
  const ESCAPES: Record<string, string> = { d: '1', w: 'a', s: ' ', S: 'a', D: 'a', n: '\n' }

  function atom(): Part {
    const c = source[i]!
    if (c === '\\') {
      const e = source[i + 1]!
      i += 2
      if (e === 'b' || e === 'B') return { text: '', chars: [] }
      if (e in ESCAPES) return { text: ESCAPES[e]!, chars: members(`\\${e}`) }
      if (e === 'r' || e === 't') return { text: e === 'r' ? '\r' : '\t', chars: [] }
      return { text: e, chars: [e] }
    }
    if (c === '[') {
      let j = i + 1
      if (source[j] === '^') j++
      if (source[j] === ']') j++
      while (source[j] !== ']') j += source[j] === '\\' ? 2 : 1
      const chars = members(source.slice(i, j + 1))
      i = j + 1
      return { text: chars[0] ?? 'a', chars }
    }
    if (c === '(') {
      i++
      let look = false
      if (source[i] === '?') {
        const rest = source.slice(i + 1, i + 3)
        if (rest.startsWith(':')) i += 2
        else if (rest.startsWith('=') || rest.startsWith('!')) [i, look] = [i + 2, true]
        else if (rest === '<=' || rest === '<!') [i, look] = [i + 3, true]
        else i = source.indexOf('>', i) + 1
      }
      const inner = alternation()
      i++
      return look ? { text: '', chars: [] } : inner
    }
    i++
    if (c === '.') return { text: 'a', chars: members('.') }
    if (c === '^' || c === '$') return { text: '', chars: [] }
    return { text: c, chars: [c] }
  }

  function sequence(): Part {
    let text = ''
    const chars = new Set<string>()
    while (i < source.length && source[i] !== '|' && source[i] !== ')') {
      const start = i
      const part = atom()
      let [min, max] = [1, 1]
      const q = /^(?:[*+?]|\{(\d+)(,(\d*))?\})/.exec(source.slice(i))
      if (q !== null) {
        if (q[0] === '*' || q[0] === '+' || q[0] === '?') {
          min = q[0] === '+' ? 1 : 0
          max = q[0] === '?' ? 1 : Number.POSITIVE_INFINITY
        } else {
          min = Number(q[1])
          max = q[2] === undefined ? min : q[3] === '' ? Number.POSITIVE_INFINITY : Number(q[3])
        }
        i += q[0].length
        if (max === Number.POSITIVE_INFINITY) unbounded.push(source.slice(start, i))
        if (source[i] === '?') i++
      }
      if (max > 16) for (const ch of part.chars) runs.add(ch)
      for (const ch of part.chars) chars.add(ch)
      text += part.text.repeat(min)
    }
    return { text, chars: [...chars] }
  }

  function alternation(): Part {
    const first = sequence()
    const chars = new Set(first.chars)
    while (source[i] === '|') {
      i++
      for (const ch of sequence().chars) chars.add(ch)
    }
    return { text: first.text, chars: [...chars] }
  }

  const { text } = alternation()
  return { sample: text, runs: [...runs], unbounded }
}

/** `unit` repeated to exactly `size` characters. */
function fill(unit: string, size: number): string {
  return unit.repeat(Math.ceil(size / unit.length)).slice(0, size)
}

/** A path the rule's first glob matches (`**\/.env` → `/app/.env`). */
function pathFor(rule: SecretRule): string {
  const glob = rule.paths?.[0]
  if (glob === undefined) return '/app/config.txt'
  return glob
    .replace(/^\*\*\//, '/app/')
    .replace(/\{([^,}]*)[^}]*\}/, '$1')
    .replace(/\*+/g, 'x')
}

/**
 * The shapes that made backtracking patterns slow, built from the rule's own sample and
 * keywords: the sample repeated with nothing, a space or a newline between (long lines and many
 * short lines), each prefix of the sample followed by a long run of what its quantifiers repeat
 * or of whitespace, each inner piece of the sample repeated (`sk-` then `T3BlbkFJ` many times)
 * and each keyword repeated or followed by a long run. Every segment ends in `=`, which the
 * token rules' closing lookahead rejects, so a match attempt cannot end early.
 */
function adversarialSegments(rule: SecretRule): Array<[prefix: string, unit: string]> {
  const { sample, runs } = sketch(rule.pattern)
  const chars = [...new Set([...runs, ' ', '\n', '=', '-', 'a'])]
  const kind = (c: string): string =>
    /[a-z]/.test(c) ? 'a' : /[A-Z]/.test(c) ? 'A' : /\d/.test(c) ? '0' : c
  const cuts = [0]
  for (let k = 1; k < sample.length; k++)
    if (kind(sample[k]!) !== kind(sample[k - 1]!)) cuts.push(k)
  cuts.push(sample.length)
  // At most 12 cut points: patterns such as PEM headers change character kind at every word.
  const step = Math.ceil(cuts.length / 12)
  const few = cuts.filter((_, n) => n % step === 0 || n === cuts.length - 1)
  const units: Array<[prefix: string, unit: string]> = [
    ['', sample],
    ['', `${sample} `],
    ['', `${sample}\n`]
  ]
  for (const a of few) {
    for (const b of few) if (b > a) units.push([sample.slice(0, a), sample.slice(a, b)])
    for (const c of chars) units.push([sample.slice(0, a), c])
  }
  for (const keyword of rule.keywords) {
    units.push(['', keyword], ['', `${keyword}=`], ['', `${keyword} `])
    for (const c of chars) units.push([keyword, c])
  }
  return units
}

/** One text of exactly `size` characters holding every segment, each as long as fits. */
function adversarialText(rule: SecretRule, size: number): string {
  const context = rule.context === undefined ? '' : `${sketch(rule.context).sample}\n`
  const segments = adversarialSegments(rule)
  const each = Math.floor((size - context.length) / segments.length)
  const body = segments.map(([prefix, unit]) => {
    return prefix + fill(unit, each - prefix.length - 2) + '=\n'
  })
  return (context + body.join('')).padEnd(size, '\n')
}

describe('built-in secret rules on hostile text', () => {
  it('bound every repeat in every pattern, so no match attempt can scan a whole file', () => {
    const unbounded = BUILT_IN_RULES.flatMap((rule) =>
      [rule.pattern, ...(rule.context === undefined ? [] : [rule.context])].flatMap((pattern) =>
        sketch(pattern).unbounded.map((q) => `${rule.id}: ${q}`)
      )
    )
    expect(unbounded).toEqual([])
  })

  it('reads the patterns it builds inputs from', () => {
    // The sketch must follow the pattern's own shape, or the hostile inputs test nothing.
    expect(sketch(/sk-(?:proj-)?[A-Za-z0-9_-]{20,200}T3BlbkFJ/).sample).toBe(
      `sk-${'a'.repeat(20)}T3BlbkFJ`
    )
    expect(sketch(/x\s*y+/).unbounded).toEqual(['\\s*', 'y+'])
    expect(sketch(/<password>\s{0,64}(?<secret>[^<\s$]{1,8})/).sample).toBe('<password>a')
  })

  // Matches in the hostile text: the placeholder and entropy checks reject the filler, so what
  // is left is exactly this (rule, 1-based line, redacted value).
  const EXPECTED: Record<string, string[]> = {
    'npmrc-auth': ['npmrc-auth line 2872 _aut… (2048 characters)'],
    // Credential files: values with placeholder words in them are reported one severity lower.
    'yarnrc-auth': ['yarnrc-auth line 2557 npmA… (2048 characters)'],
    'pypirc-password': [
      'pypirc-password line 1 apas… (1024 characters)',
      'pypirc-password line 9350 pass… (1024 characters)',
      'pypirc-password line 112170 a=a=… (1024 characters)'
    ],
    'netrc-password': ['netrc-password line 1 ap… (9 characters)'],
    'nuget-config-password': ['nuget-config-password line 1464 k… (4 characters)'],
    'gradle-properties-credential': [
      'gradle-properties-credential line 1 apas… (1024 characters)',
      'gradle-properties-credential line 6624 pass… (1024 characters)',
      'gradle-properties-credential line 79460 a=a=… (1024 characters)',
      'gradle-properties-credential line 370763 toke… (1024 characters)',
      'gradle-properties-credential line 443594 secr… (1024 characters)'
    ],
    'slack-app-token': ['slack-app-token line 2 xap… (12 characters)'],
    'slack-webhook': [
      'slack-webhook line 230081 com/… (56 characters)',
      'slack-webhook line 287381 serv… (56 characters)',
      'slack-webhook line 287382 /ser… (56 characters)'
    ],
    'paypal-braintree-token': ['paypal-braintree-token line 2 acce… (73 characters)'],
    'mapbox-secret-token': [
      'mapbox-secret-token line 1 sk.e… (35 characters)',
      'mapbox-secret-token line 2 sk.e… (33 characters)'
    ],
    'password-assignment': ['password-assignment line 206611 api_… (128 characters)'],
    'symfony-app-secret': ['symfony-app-secret line 3751 APP_… (512 characters)'],
    'htpasswd-hash': [
      'htpasswd-hash line 1 $apr… (262 characters)',
      'htpasswd-hash line 2 $… (7 characters)'
    ],
    'kubeconfig-credential': ['kubeconfig-credential line 2 aaaa… (31 characters)']
  }

  it.each(BUILT_IN_RULES.map((rule) => [rule.id, rule] as const))(
    'finishes %s on a hostile file of secret-max-file-size',
    (id, rule) => {
      const text = adversarialText(rule, MAX_FILE_BYTES)
      expect(text.length).toBe(MAX_FILE_BYTES)
      const scanner = new SecretScanner([rule], { minEntropy: 3 })
      const found = bounded(() => scanner.scan(text, pathFor(rule))).map(
        (match) => `${match.rule} line ${match.line} ${match.redacted}`
      )
      expect(found).toEqual(EXPECTED[id] ?? [])
    },
    60_000
  )
})

describe('secret rules on hostile text a pattern sketch does not build', () => {
  it('finishes kubernetes-secret on data: blocks of CRLF comment lines that never match', () => {
    // A comment line's \r could be taken by the comment or by the line end: 2^16 ways per block
    // when the comment pattern did not exclude it.
    const rule = BUILT_IN_RULES.find((r) => r.id === 'kubernetes-secret')!
    const block = `data:\n${'#\r\n'.repeat(16)}x\n`
    const text = `kind: Secret\n${block.repeat(Math.floor(MAX_FILE_BYTES / block.length) - 1)}`
    const scanner = new SecretScanner([rule], { minEntropy: 3 })
    expect(bounded(() => scanner.scan(text, pathFor(rule)))).toEqual([])
  }, 60_000)
})

describe('secret hashing on hostile text', () => {
  it('hashes at most MAX_SLOW_HASHES distinct values slowly, and every value still gets a stable hash', () => {
    const tokens = Array.from({ length: 40 }, () => `ghp_${tokenLike(36)}`)
    const files = [tokens.slice(0, 20).join('\n'), tokens.slice(20).join('\n')]
    const scanAll = (): string[] => {
      const scanner = new SecretScanner(BUILT_IN_RULES, { minEntropy: 3, maxSlowHashes: 8 })
      const hashes = files.flatMap((file) => scanner.scan(file, '/app/a.txt')).map((m) => m.hash)
      expect(scanner.hasher.fast).toBe(32)
      return hashes
    }
    const first = scanAll()
    expect(first).toHaveLength(40)
    expect(new Set(first).size).toBe(40)
    expect(scanAll()).toEqual(first)
    expect(MAX_SLOW_HASHES).toBe(256)
  })

  it('hashes a value repeated in many files once', () => {
    const token = `ghp_${tokenLike(36)}`
    const scanner = new SecretScanner(BUILT_IN_RULES, { minEntropy: 3, maxSlowHashes: 1 })
    const hashes = Array.from({ length: 200 }, (_, n) =>
      scanner.scan(`token${n} = ${token}\n`, `/app/${n}.txt`).map((m) => m.hash)
    ).flat()
    expect(new Set(hashes).size).toBe(1)
    expect(hashes).toHaveLength(200)
    expect(scanner.hasher.fast).toBe(0)
  })

  it('reports at most 20 distinct values of one rule in one file', () => {
    const text = Array.from({ length: 240 }, () => `ghp_${tokenLike(36)}`).join('\n')
    const scanner = new SecretScanner(BUILT_IN_RULES, { minEntropy: 3, maxSlowHashes: 0 })
    const found = scanner.scan(text, '/app/a.txt')
    expect(found.map((m) => `${m.rule} ${m.line}`)).toEqual(
      Array.from({ length: 20 }, (_, n) => `github-pat ${n + 1}`)
    )
  })
})

describe('redacting hostile build history', () => {
  it('hides 300,000 access key IDs in one created_by', () => {
    const ids = Array.from(
      { length: 300_000 },
      () => `AKIA${tokenLike(16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}`
    )
    const redacted = redactCreatedBy(`RUN /bin/sh -c echo ${ids.join(' ')}`)
    expect(redacted).toBe(
      `RUN /bin/sh -c echo ${Array.from({ length: ids.length }, () => '[AKIA… (20 characters)]').join(' ')}`
    )
  }, 60_000)

  it('hides 300,000 credential-named build arguments in one created_by', () => {
    const count = 300_000
    // Base 36 below 300,000 is at most four digits led by 0-6: never a placeholder word.
    const names = Array.from({ length: count }, (_, n) => `TOKEN_${n}`)
    const values = names.map((_, n) => `k${n.toString(36).padStart(4, '0')}`)
    const redacted = redactCreatedBy(
      `RUN |${count} ${names.map((name, n) => `${name}=${values[n]}`).join(' ')} /bin/sh -c make`
    )
    expect(redacted).toBe(
      `RUN |${count} ${names.map((name) => `${name}=[k… (5 characters)]`).join(' ')} /bin/sh -c make`
    )
  }, 60_000)
})
