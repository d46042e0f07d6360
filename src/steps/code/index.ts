/**
 * Step 3, code analysis: binaries are built hardened (checksec parity), scripts and source shipped
 * in the image avoid known-dangerous patterns, no file matches a known-malware signature, and
 * external SAST results (SARIF) are gated with the same policy. Rules: docs/rules/code.md.
 */
import { createHash } from 'node:crypto'
import { posix } from 'node:path'
import {
  Dropped,
  inputNotAnalysed,
  shortened,
  SHOWN_PATH_CHARS,
  subjectPath,
  type Finding,
  type FindingLocation,
  type Severity
} from '../../findings.js'
import { PATH_MAX } from '../../image/layer/tar.js'
import type { FileSystem } from '../../image/types.js'
import type { Policy } from '../../policy/policy.js'
import { drop } from '../../policy/evaluate.js'
import { OWNED_FILES_REQUEST, ownedFiles } from '../../os/owned-files.js'
import type { ImageView, Step, StepContext, StepNeeds, StepOutcome } from '../step.js'
import type { ElfHardening } from './elf.js'
import { isNotImported, sarifFinding } from './sarif.js'
import { loadSignatures } from './signatures.js'
import { envMatches, SOURCE_PATTERNS, SOURCE_RULES, type SourceRuleId } from './source-rules.js'
import { CODE_LAYERS, codeSubscription, type CodeLayerResult, type FileResult } from './visitor.js'

type ElfRule =
  | 'elf-no-pie'
  | 'elf-no-relro'
  | 'elf-partial-relro'
  | 'elf-executable-stack'
  | 'elf-no-stack-canary'
  | 'elf-no-fortify'
  | 'elf-insecure-rpath'

type Rule = ElfRule | SourceRuleId | 'malware'

const ELF_RULES: readonly ElfRule[] = [
  'elf-no-pie',
  'elf-no-relro',
  'elf-partial-relro',
  'elf-executable-stack',
  'elf-no-stack-canary',
  'elf-no-fortify',
  'elf-insecure-rpath'
]

interface Draft {
  rule: Rule
  severity: Severity
  title: string
  detail: string
  subject: string
  location: FindingLocation
}

function toFinding({ rule, ...rest }: Draft): Finding {
  return { step: 'code', rule: `code/${rule}`, ...rest }
}

function enabled(policy: Policy, rule: Rule): boolean {
  return policy.rules[`code/${rule}`] !== 'off'
}

/** `$ORIGIN` (ld.so(8), "Dynamic string tokens") is the directory of the binary itself. */
function expandOrigin(entry: string, binary: string): string {
  return entry.replace(/\$(?:\{ORIGIN\}|ORIGIN\b)/g, posix.dirname(binary))
}

/** Anyone may create or replace files in the nearest existing directory of `dir`. */
function worldWritable(fs: FileSystem, dir: string): boolean {
  for (let path = posix.normalize(dir); ; path = posix.dirname(path)) {
    const node = fs.resolve(path)
    if (node !== undefined) return node.type === 'dir' && (node.mode & 0o002) !== 0
    if (path === '/') return false
  }
}

/**
 * Search paths longer than these are not walked (each entry's directories are resolved one by
 * one) but reported as not analysed: build systems write many entries (Bazel's `_solib` one per
 * library directory, Nix one per dependency), none as long as PATH_MAX.
 */
const MAX_SEARCH_ENTRIES = 1024

/** Why the binary's search paths were not checked, when they were not. */
function uncheckedSearchPaths(elf: ElfHardening): string | undefined {
  for (const [tag, entries] of [
    ['RPATH', elf.rpath ?? []],
    ['RUNPATH', elf.runpath ?? []]
  ] as const) {
    if (entries.length > MAX_SEARCH_ENTRIES) {
      return `its ${tag} has ${entries.length} entries, more than the ${MAX_SEARCH_ENTRIES} the step checks`
    }
    const long = entries.find((entry) => entry.length > PATH_MAX)
    if (long !== undefined) {
      return `its ${tag} has an entry of ${long.length} characters, longer than PATH_MAX (${PATH_MAX})`
    }
  }
  return undefined
}

function insecureSearchPaths(fs: FileSystem, path: string, elf: ElfHardening): string[] {
  if (uncheckedSearchPaths(elf) !== undefined) return []
  const problems: string[] = []
  for (const [tag, entries] of [
    ['RPATH', elf.rpath],
    ['RUNPATH', elf.runpath]
  ] as const) {
    for (const entry of entries ?? []) {
      const expanded = expandOrigin(entry, path)
      if (entry === '') problems.push(`${tag} has an empty entry (the current directory)`)
      else if (!expanded.startsWith('/')) problems.push(`${tag} entry "${entry}" is relative`)
      else if (worldWritable(fs, expanded)) {
        problems.push(`${tag} entry "${entry}" is world-writable`)
      }
    }
  }
  return problems
}

function elfFindings(
  fs: FileSystem,
  path: string,
  elf: ElfHardening,
  location: FindingLocation
): Draft[] {
  if (elf.type !== 'exec' && elf.type !== 'dyn') return []
  const kind = elf.pie === 'dso' ? 'Shared library' : 'Binary'
  const drafts: Draft[] = []
  const shown = shortened(path, SHOWN_PATH_CHARS)
  const subject = subjectPath(path)
  const add = (rule: ElfRule, severity: Severity, what: string, detail: string): void => {
    drafts.push({ rule, severity, title: `${kind} ${shown} ${what}`, detail, subject, location })
  }
  if (elf.pie === 'no') {
    add(
      'elf-no-pie',
      'medium',
      'is not position-independent (no PIE)',
      'It loads at a fixed address, so ASLR cannot move its code. Build with `-fPIE -pie` (Go: `-buildmode=pie`).'
    )
  }
  if (elf.relro === 'no') {
    add(
      'elf-no-relro',
      'medium',
      'has no RELRO',
      'Its relocation tables stay writable, so a memory bug can redirect calls. Link with `-Wl,-z,relro,-z,now`.'
    )
  } else if (elf.relro === 'partial') {
    add(
      'elf-partial-relro',
      'low',
      'has only partial RELRO',
      'The GOT stays writable because symbols are bound lazily. Link with `-Wl,-z,now` for full RELRO.'
    )
  }
  if (!elf.nx) {
    add(
      'elf-executable-stack',
      'high',
      'has an executable stack (no NX)',
      'Code placed on the stack can run. Link with `-Wl,-z,noexecstack` and find the object that asks for it (`readelf -lW`, GNU_STACK RWE).'
    )
  }
  if (!elf.canary && elf.runtime === undefined) {
    add(
      'elf-no-stack-canary',
      'low',
      'has no stack canary',
      'Stack buffer overflows are not detected. Compile with `-fstack-protector-strong`.'
    )
  }
  if (elf.glibc && elf.runtime === undefined && elf.fortifiable > 0 && elf.fortified === 0) {
    add(
      'elf-no-fortify',
      'low',
      `is not fortified (0 of ${elf.fortifiable} fortifiable functions)`,
      'Buffer overflows in libc calls go unchecked. Compile with `-O2 -D_FORTIFY_SOURCE=2` (or 3).'
    )
  }
  const problems = insecureSearchPaths(fs, path, elf)
  if (problems.length > 0) {
    add(
      'elf-insecure-rpath',
      'high',
      'loads libraries from an unsafe search path',
      `${problems.join('; ')}: whoever can write there can inject code. Use absolute paths or $ORIGIN, in directories only root can write.`
    )
  }
  return drafts
}

function sourceFindings(path: string, result: FileResult, location: FindingLocation): Draft[] {
  const shown = shortened(path, SHOWN_PATH_CHARS)
  const subject = subjectPath(path)
  return (result.source ?? []).map(({ rule, line, what }) => ({
    rule,
    severity: SOURCE_RULES[rule].severity,
    title: `${SOURCE_RULES[rule].title}: ${shown}:${line} ${what}`,
    detail: SOURCE_RULES[rule].fix,
    subject: `${subject}:${line}`,
    location: { ...location, line }
  }))
}

function envFindings(image: ImageView): Draft[] {
  return envMatches(image.config.config?.Env ?? []).map(({ rule, name }) => ({
    rule,
    severity: SOURCE_RULES[rule].severity,
    title: `${SOURCE_RULES[rule].title}: the image sets ENV ${name}`,
    detail: `${SOURCE_RULES[rule].fix} Remove the ENV from the Dockerfile.`,
    subject: `env:${name}`,
    location: {}
  }))
}

interface MalwareHit {
  path: string
  name: string
  source: string
  layer: number
}

function malwareFindings(image: ImageView, hits: MalwareHit[]): Draft[] {
  // One finding per file and signature, at the topmost layer that carries it.
  const byKey = new Map<string, MalwareHit>()
  for (const hit of hits) byKey.set(`${hit.path}\0${hit.name}`, hit)
  return [...byKey.values()].map(({ path, name, source, layer }) => {
    const present = image.fs.get(path)?.layer === layer
    const shown = shortened(path, SHOWN_PATH_CHARS)
    const where = present
      ? shown
      : `${shown} (layer ${layer + 1}; removed or replaced by a later layer, but still shipped)`
    return {
      rule: 'malware',
      severity: 'critical',
      title: `Known malware ${name} in ${where}`,
      detail: `The file matches the signature ${name} (${source}). Remove it, find how it got into the build, and rebuild from clean sources.`,
      subject: `${subjectPath(path)}:${name}`,
      location: locate(image, path, layer)
    }
  })
}

/** Where a file finding points: the path and the layer that wrote it. */
function locate(image: ImageView, path: string, layer: number): FindingLocation {
  const layerDigest = image.layers[layer]?.digest
  return layerDigest === undefined ? { path } : { path, layerDigest }
}

interface Tally {
  elfFiles: number
  elfChecked: number
  elfOwned: number
  hashed: number
}

/**
 * Findings of files one scan makes in full (docs/limits.md): an image chooses how many files
 * match, each up to 20 lines per rule. Past it a finding is kept only as what the policy needs to
 * judge it (`Dropped`); the engine folds those into one finding per rule that blocks when one of
 * them would.
 */
export const MAX_CODE_FINDINGS = 20_000

/** Hardening and static analysis of one file that is in the final filesystem. */
function finalFileFindings(image: ImageView, file: FileResult, layer: number): Draft[] {
  const location = locate(image, file.path, layer)
  const drafts = sourceFindings(file.path, file, location)
  if (file.elf !== undefined) drafts.push(...elfFindings(image.fs, file.path, file.elf, location))
  return drafts
}

/**
 * Fail closed: an ELF file whose verdicts needed bytes the one pass did not keep, or whose search
 * paths were too many or too long to walk, is not a pass.
 */
function elfNotAnalysed(image: ImageView, file: FileResult, layer: number): Finding[] {
  const unread =
    file.elfUnread ?? (file.elf === undefined ? undefined : uncheckedSearchPaths(file.elf))
  if (unread === undefined) return []
  const { layerDigest } = locate(image, file.path, layer)
  return [
    inputNotAnalysed('code', {
      path: file.path,
      ...(layerDigest === undefined ? {} : { layerDigest }),
      reason: `${unread}; check it with \`checksec --file\` or exclude it with code-exclude`
    })
  ]
}

function notesOf(policy: Policy, tally: Tally, first: CodeLayerResult | undefined): string[] {
  const owned = policy.code.scope === 'unowned' ? `, ${tally.elfOwned} owned by OS packages` : ''
  const notes = [
    `ELF hardening: ${tally.elfChecked} of ${tally.elfFiles} ELF files checked${owned}`,
    `malware: EICAR and ${first?.signatures ?? 0} hash signatures, ${tally.hashed} files hashed`
  ]
  if ((first?.ignoredSignatureFiles ?? 0) > 0) {
    notes.push(
      `malware: ${first?.ignoredSignatureFiles} files in the signature databases are not hash lists and were not used`
    )
  }
  const imported = policy.code.sarifResults.filter((result) => !isNotImported(result)).length
  if (policy.code.sarifResults.length > 0) notes.push(`imported ${imported} SARIF results`)
  for (const result of policy.code.sarifResults) {
    if (isNotImported(result)) {
      notes.push(
        `${result.file}: ${result.notImported} of ${result.total} SARIF results not imported`
      )
    }
  }
  return notes
}

async function run({ image, policy }: StepContext): Promise<StepOutcome> {
  const layers = image.visits(CODE_LAYERS)
  if (layers.length > 0 && layers.every((result) => result === undefined)) {
    // Fail closed: without the layer pass there is nothing to judge, which is not a pass.
    throw new Error("the code step's layer pass did not run (its needs were not collected)")
  }
  const owned = policy.code.scope === 'unowned' ? ownedFiles(image.fs) : new Set<string>()
  const drafts: Draft[] = []
  const notAnalysed: Finding[] = []
  const hits: MalwareHit[] = []
  const tally: Tally = { elfFiles: 0, elfChecked: 0, elfOwned: 0, hashed: 0 }
  const dropped = new Dropped('code')
  layers.forEach((result, layer) => {
    tally.hashed += result?.hashed ?? 0
    // Past a layer's own bound, counted per rule.
    for (const { rule, count, severity, path } of result?.unkept ?? []) {
      if (enabled(policy, rule)) dropped.count(`code/${rule}`, count, severity, path)
    }
    for (const file of result?.files ?? []) {
      for (const match of file.malware ?? []) hits.push({ path: file.path, layer, ...match })
      // Hardening and static analysis judge what the container will run: the final file.
      const node = image.fs.get(file.path)
      if (node?.layer !== layer || node.type !== 'file') continue
      const elf = file.elf !== undefined || file.elfUnread !== undefined
      if (elf) tally.elfFiles++
      if (owned.has(file.path)) {
        if (elf) tally.elfOwned++
        continue
      }
      if (file.elf !== undefined) tally.elfChecked++
      for (const draft of finalFileFindings(image, file, layer)) {
        if (!enabled(policy, draft.rule)) continue
        if (drafts.length < MAX_CODE_FINDINGS) drafts.push(draft)
        else drop(dropped, toFinding(draft), file.path)
      }
      notAnalysed.push(...elfNotAnalysed(image, file, layer))
    }
  })
  drafts.push(...envFindings(image), ...malwareFindings(image, hits))
  return {
    findings: [
      ...drafts.filter((draft) => enabled(policy, draft.rule)).map(toFinding),
      ...notAnalysed,
      ...policy.code.sarifResults.map(sarifFinding)
    ],
    notes: notesOf(
      policy,
      tally,
      layers.find((result) => result !== undefined)
    ),
    ...(dropped.size + dropped.tail.size > 0 ? { dropped } : {})
  }
}

async function needs(policy: Policy): Promise<StepNeeds> {
  const { db, ignoredFiles } = await loadSignatures(policy.code.signatureFiles)
  const options = {
    signatures: db,
    ignoredSignatureFiles: ignoredFiles,
    malware: enabled(policy, 'malware'),
    elf: ELF_RULES.some((rule) => enabled(policy, rule)),
    sourcePatterns: SOURCE_PATTERNS.filter(({ rule }) => enabled(policy, rule)),
    exclude: policy.code.exclude
  }
  // What the visitor's results depend on besides the layer: signature files by their bytes.
  const signatures = createHash('sha256')
  for (const file of policy.code.signatureFiles) {
    signatures.update(`${file.path}\0${file.bytes.length}\0`).update(file.bytes)
  }
  const settings = JSON.stringify({
    signatures: signatures.digest('hex'),
    malware: options.malware,
    elf: options.elf,
    source: options.sourcePatterns.map(({ rule, kinds, pattern }) => [rule, kinds, `${pattern}`]),
    exclude: options.exclude
  })
  return {
    files: [OWNED_FILES_REQUEST],
    subscriptions: [codeSubscription(options, settings)]
  }
}

export const codeStep: Step = {
  id: 'code',
  title: 'Code analysis',
  needs,
  run
}
