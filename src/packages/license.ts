/**
 * SPDX license expressions (SPDX spec 2.3, Annex D) as package metadata gives them, and the one
 * mapping from the licence names metadata writes (dpkg copyright files, trove classifiers, POM
 * `<name>`s, gemspecs, package.json) to SPDX ids that every cataloger uses.
 */
import parseSpdx from 'spdx-expression-parse'

export type LicenseChoice =
  /** One license from the SPDX list, e.g. `MIT`. */
  | { kind: 'id'; id: string }
  /** A valid compound expression, e.g. `MIT OR Apache-2.0`. */
  | { kind: 'expression'; expression: string }
  /** Free text that is no SPDX expression, e.g. `BSD-like` or a URL. */
  | { kind: 'name'; name: string }

export function classifyLicense(value: string): LicenseChoice {
  const parsed = parseExpression(value)
  if (parsed === undefined) return { kind: 'name', name: value }
  if ('license' in parsed && parsed.plus === undefined && parsed.exception === undefined) {
    return parsed.license.startsWith('LicenseRef-')
      ? { kind: 'expression', expression: value }
      : { kind: 'id', id: parsed.license }
  }
  return { kind: 'expression', expression: value }
}

/**
 * Longer text is no expression a package means (the longest in real metadata are a few hundred
 * characters); spdx-expression-parse's tokenizer is quadratic in the length, and a package.json
 * `license` may be 16 MiB.
 */
const MAX_EXPRESSION_CHARS = 4096

/** The expression's tree, or undefined when the text is not a valid SPDX expression. */
export function parseExpression(value: string): ReturnType<typeof parseSpdx> | undefined {
  if (value.length > MAX_EXPRESSION_CHARS) return undefined
  try {
    return parseSpdx(value)
  } catch {
    // Invalid, or nested deeper than the parser's recursion goes.
    return undefined
  }
}

/**
 * The licence a metadata field names, as an SPDX expression where its text determines one, else
 * the text itself (judged as free text by the licence policy, a LicenseRef in the SPDX SBOM).
 */
export function normalizeLicense(value: string): string {
  const text = value.trim()
  return spdxLicense(text) ?? text
}

/**
 * The SPDX expression a licence field stands for, or undefined when its text does not determine
 * one: `GPL` and `GNU Lesser General Public License` name no version, `BSD License` no variant.
 * A valid expression keeps its form unless it uses a deprecated GNU id (SPDX license list 3.0
 * deprecated `GPL-2.0` for `GPL-2.0-only` and `GPL-2.0+` for `GPL-2.0-or-later`).
 */
export function spdxLicense(value: string): string | undefined {
  const text = value.trim()
  if (text === '' || text.length > MAX_NAME_CHARS) return undefined
  // The same few dozen names recur across an image's packages; parsing is the cost.
  if (known.has(text)) return known.get(text)
  const license =
    expressionOf(text) ?? withAliases(text) ?? nameOf(text) ?? withException(text) ?? compound(text)
  if (known.size < MAX_KNOWN_NAMES) known.set(text, license)
  return license
}

/** Licence fields are short; a longer one is a licence text, not a name. */
const MAX_NAME_CHARS = 200

/** Names already read, with what they stand for; at most this many (~1 MB). */
const MAX_KNOWN_NAMES = 4096
const known = new Map<string, string | undefined>()

type Node = ReturnType<typeof parseSpdx>
type Leaf = Extract<Node, { license: string }>

/** A valid SPDX expression, its deprecated GNU ids replaced; undefined when it is none. */
function expressionOf(text: string): string | undefined {
  const node = parseExpression(text)
  if (node === undefined) return undefined
  const current = render(node)
  return current.changed ? current.text : text
}

function render(node: Node): { text: string; changed: boolean } {
  if ('license' in node) return renderLeaf(node)
  const side = (child: Node): { text: string; changed: boolean } => {
    const inner = render(child)
    // Annex D: AND binds tighter than OR; parentheses where the operators differ keep it plain.
    return 'conjunction' in child && child.conjunction !== node.conjunction
      ? { text: `(${inner.text})`, changed: inner.changed }
      : inner
  }
  const left = side(node.left)
  const right = side(node.right)
  return {
    text: `${left.text} ${node.conjunction.toUpperCase()} ${right.text}`,
    changed: left.changed || right.changed
  }
}

/** Each GNU licence version on the SPDX list; the deprecated id is the bare `<family>-<version>`. */
const GNU_VERSIONS = new Map([
  ['GPL', ['1.0', '2.0', '3.0']],
  ['LGPL', ['2.0', '2.1', '3.0']],
  ['AGPL', ['1.0', '3.0']],
  ['GFDL', ['1.1', '1.2', '1.3']]
])

/** The deprecated `GPL-2.0-with-…-exception` ids and the exception each stands for. */
const DEPRECATED_WITH_EXCEPTION = new Map<string, [string, string]>([
  ['GPL-2.0-with-autoconf-exception', ['GPL-2.0', 'Autoconf-exception-2.0']],
  ['GPL-2.0-with-bison-exception', ['GPL-2.0', 'Bison-exception-2.2']],
  ['GPL-2.0-with-classpath-exception', ['GPL-2.0', 'Classpath-exception-2.0']],
  ['GPL-2.0-with-font-exception', ['GPL-2.0', 'Font-exception-2.0']],
  ['GPL-2.0-with-GCC-exception', ['GPL-2.0', 'GCC-exception-2.0']],
  ['GPL-3.0-with-autoconf-exception', ['GPL-3.0', 'Autoconf-exception-3.0']],
  ['GPL-3.0-with-GCC-exception', ['GPL-3.0', 'GCC-exception-3.1']]
])

/** `GPL-2.0` → `GPL-2.0-only`, `GPL-2.0+` and `GPL-2.0-only+` → `GPL-2.0-or-later`. */
function renderLeaf(leaf: Leaf): { text: string; changed: boolean } {
  const replaced = DEPRECATED_WITH_EXCEPTION.get(leaf.license)
  const [license, exception] =
    replaced !== undefined && leaf.exception === undefined
      ? replaced
      : [leaf.license, leaf.exception]
  const gnu = /^(A?GPL|LGPL|GFDL)-(\d\.\d)(-only|-or-later)?$/.exec(license)
  const id =
    gnu !== null && GNU_VERSIONS.get(gnu[1]!)?.includes(gnu[2]!) === true
      ? `${gnu[1]}-${gnu[2]}${leaf.plus === true ? '-or-later' : (gnu[3] ?? '-only')}`
      : `${license}${leaf.plus === true ? '+' : ''}`
  const text = exception === undefined ? id : `${id} WITH ${exception}`
  const original = `${leaf.license}${leaf.plus === true ? '+' : ''}`
  return {
    text,
    changed:
      text !== (leaf.exception === undefined ? original : `${original} WITH ${leaf.exception}`)
  }
}

/**
 * Licence names as metadata writes them, by their key (`nameKey`): Debian's short names
 * (copyright-format 1.0, "License specification"), trove classifiers (pypi.org/classifiers),
 * POM names as on Maven Central, and SPDX ids written in another letter case. GNU licences are
 * read by `gnuLicense`, not listed.
 */
const SPDX_BY_NAME = new Map<string, string>(
  Object.entries({
    apache2: 'Apache-2.0',
    apache20: 'Apache-2.0',
    apachesoftware20: 'Apache-2.0',
    apachesoftwarefoundation20: 'Apache-2.0',
    // The trove classifier `Apache Software License` names no version; PyPI has no other Apache
    // classifier, and Apache 1.x predates PyPI.
    apachesoftware: 'Apache-2.0',
    asl2: 'Apache-2.0',
    asl20: 'Apache-2.0',
    mit: 'MIT',
    expat: 'MIT',
    // The Bouncy Castle licence is the MIT licence text (bouncycastle.org/licence.html).
    bouncycastle: 'MIT',
    mit0: 'MIT-0',
    mitnoattribution: 'MIT-0',
    '0bsd': '0BSD',
    bsd2clause: 'BSD-2-Clause',
    '2clausebsd': 'BSD-2-Clause',
    simplifiedbsd: 'BSD-2-Clause',
    freebsd: 'BSD-2-Clause',
    bsd3clause: 'BSD-3-Clause',
    '3clausebsd': 'BSD-3-Clause',
    newbsd: 'BSD-3-Clause',
    revisedbsd: 'BSD-3-Clause',
    modifiedbsd: 'BSD-3-Clause',
    // The Eclipse Distribution License 1.0 is the BSD 3-clause text (eclipse.org/org/documents/edl-v10.php).
    eclipsedistribution10: 'BSD-3-Clause',
    edl10: 'BSD-3-Clause',
    bsd4clause: 'BSD-4-Clause',
    eclipsepublic10: 'EPL-1.0',
    epl10: 'EPL-1.0',
    eclipsepublic20: 'EPL-2.0',
    epl20: 'EPL-2.0',
    mozillapublic11: 'MPL-1.1',
    mpl11: 'MPL-1.1',
    mozillapublic20: 'MPL-2.0',
    mpl20: 'MPL-2.0',
    commondevelopmentanddistribution10: 'CDDL-1.0',
    cddl10: 'CDDL-1.0',
    commondevelopmentanddistribution11: 'CDDL-1.1',
    cddl11: 'CDDL-1.1',
    cc0: 'CC0-1.0',
    cc010: 'CC0-1.0',
    cc010universal: 'CC0-1.0',
    cc010universalpublicdomaindedication: 'CC0-1.0',
    isc: 'ISC',
    iscl: 'ISC',
    unlicense: 'Unlicense',
    zlib: 'Zlib',
    zlibpng: 'Zlib',
    boostsoftware10: 'BSL-1.0',
    bsl10: 'BSL-1.0',
    universalpermissive: 'UPL-1.0',
    universalpermissive10: 'UPL-1.0',
    upl: 'UPL-1.0',
    upl10: 'UPL-1.0',
    // Debian's `Artistic` is Perl's Artistic licence 1.0; 2.0 is always written with its version.
    artistic: 'Artistic-1.0',
    artistic10: 'Artistic-1.0',
    artistic2: 'Artistic-2.0',
    artistic20: 'Artistic-2.0',
    psf2: 'PSF-2.0',
    psf20: 'PSF-2.0',
    psfl: 'PSF-2.0',
    pythonsoftwarefoundation: 'PSF-2.0',
    // The trove classifier `Zope Public License` names no version; PyPI's Zope packages use 2.1.
    zopepublic: 'ZPL-2.1',
    zpl21: 'ZPL-2.1',
    ruby: 'Ruby',
    curl: 'curl',
    openssl: 'OpenSSL',
    postgresql: 'PostgreSQL',
    wtfpl: 'WTFPL'
  })
)

/**
 * A licence name reduced to what tells licences apart: lower case, `licence` read as `license`,
 * the words `the`, `license` and `version` and a `v` before a number dropped, then letters,
 * digits and `+` only. `The Apache Software License, Version 2.0` → `apachesoftware20`.
 */
function nameKey(name: string): string {
  return name
    .toLowerCase()
    .replace(/\b(?:the|licen[cs]e|version)\b/g, ' ')
    .replace(/\bv\.?\s*(?=\d)/g, '')
    .replace(/[^a-z0-9+]/g, '')
}

/** One licence name: from the table, a GNU licence with its version, or an SPDX id in any case. */
function nameOf(name: string): string | undefined {
  return SPDX_BY_NAME.get(nameKey(name)) ?? gnuLicense(name)
}

/**
 * A GNU licence named in words or letters, with a version and maybe `or later`: `GNU GPL v3`,
 * `GPLv2+`, `LGPL-2.1+` (Debian), `GNU Lesser General Public License, Version 2.1`,
 * `GNU General Public License v2 or later`. Without a version it is no one licence; with one the
 * GPL does not have (`GPL 2.1`) it is a mistake, and neither is given an id. A version without
 * `or later` is that version only (GPL-3.0 section 14).
 */
function gnuLicense(name: string): string | undefined {
  const words = name
    .toLowerCase()
    .replace(/\b(?:the|gnu|licen[cs]e|version|of)\b/g, ' ')
    .replace(/\baffero\s+general\s+public\b/g, ' agpl ')
    .replace(/\b(?:lesser|library)\s+general\s+public\b/g, ' lgpl ')
    .replace(/\bgeneral\s+public\b/g, ' gpl ')
    .replace(/\bfree\s+documentation\b|\bfdl\b/g, ' gfdl ')
    .replace(/\bor\s+(?:any\s+)?(?:later|newer|greater)\b|-or-later\b/g, ' + ')
  const match = /^(agpl|lgpl|gpl|gfdl)v?(\d)(?:\.(\d))?(?:\.0)?(\+|only)?$/.exec(
    words.replace(/[\s,_-]+/g, '')
  )
  if (match === null) return undefined
  const family = match[1]!.toUpperCase()
  const version = `${match[2]}.${match[3] ?? (family === 'GFDL' ? '' : '0')}`
  if (GNU_VERSIONS.get(family)?.includes(version) !== true) return undefined
  return `${family}-${version}${match[4] === '+' ? '-or-later' : '-only'}`
}

/**
 * A name with its abbreviation in parentheses, as trove classifiers and POMs write them:
 * `GNU General Public License v2 or later (GPLv2+)`, `Common Development and Distribution License
 * (CDDL) v1.0`. Each parenthesis must name the same licence, or be a bare acronym that names none.
 */
function withAliases(text: string): string | undefined {
  const aliases = [...text.matchAll(/\(([^()]*)\)/g)].map((m) => m[1]!.trim())
  if (aliases.length === 0) return undefined
  const id = nameOf(text.replace(/\([^()]*\)/g, ' '))
  if (id === undefined) return undefined
  const agrees = (alias: string): boolean => {
    const named = nameOf(alias)
    return named === undefined ? /^[A-Z][A-Z0-9.]*$/.test(alias) : named === id
  }
  return aliases.every(agrees) ? id : undefined
}

/** GPL exceptions by the names Debian and POMs write after `with` (SPDX exceptions list). */
const GPL_EXCEPTIONS = new Map([
  ['classpath', 'Classpath-exception-2.0'],
  ['cpe', 'Classpath-exception-2.0'],
  ['bison', 'Bison-exception-2.2'],
  ['font', 'Font-exception-2.0']
])

/**
 * A GPL with an exception in words: `GPL2 w/ CPE`, `GPL-3+ with Bison exception` (Debian),
 * `GNU General Public License, version 2, with the Classpath Exception`.
 */
function withException(text: string): string | undefined {
  const match = /^(.+?)[\s,]+(?:with|w\/)\s+(?:the\s+)?(\w+)(?:\s+exception)?(?:\s+\d\.\d)?$/i.exec(
    text
  )
  const exception = GPL_EXCEPTIONS.get(match?.[2]?.toLowerCase() ?? '')
  if (match === null || exception === undefined) return undefined
  const id = nameOf(match[1]!) ?? expressionOf(match[1]!)
  return id !== undefined && /^GPL-\d\.0-(?:only|or-later)$/.test(id)
    ? `${id} WITH ${exception}`
    : undefined
}

/**
 * Names joined by `or` or by `and`, as Debian's copyright format and old RPM License tags write
 * them (`GPL-2+ or Artistic`, `GPLv2+ and LGPLv2+`), when every part names a licence. Both
 * operators in one field leave the grouping to guess, so that is no expression.
 */
function compound(text: string): string | undefined {
  const parts = text.split(/\s+(or|and)\s+/i)
  if (parts.length < 3) return undefined
  const operators = new Set(parts.filter((_, i) => i % 2 === 1).map((op) => op.toUpperCase()))
  if (operators.size !== 1) return undefined
  const ids = parts.filter((_, i) => i % 2 === 0).map((part) => part.replace(/,$/, ''))
  const named = ids.map((part) => nameOf(part) ?? expressionOf(part))
  if (named.some((id) => id === undefined || /\s/.test(id))) return undefined
  const expression = named.join(` ${[...operators][0]} `)
  return parseExpression(expression) === undefined ? undefined : expression
}
