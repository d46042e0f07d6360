/**
 * Import of external SAST results (SARIF 2.1.0, OASIS sarif-v2.1.0-os). Results keep their tool's
 * rule and are gated by the same policy as the gate's own findings.
 *
 * Severity: the rule's or result's `properties["security-severity"]` (a CVSS-like score, as GitHub
 * code scanning reads it) when present: >= 9 critical, >= 7 high, >= 4 medium, > 0 low, else info.
 * Otherwise the result's `level` (§3.27.10; default from the rule's `defaultConfiguration.level`,
 * then `warning`): error → high, warning → medium, note → low, none → info.
 */
import { ConfigurationError } from '../../errors.js'
import {
  inputNotAnalysed,
  severityFromScore,
  severityRank,
  type Finding,
  type Severity
} from '../../findings.js'

/**
 * Results imported per SARIF file. GitHub code scanning itself shows at most the 5,000 most
 * severe results of a run (docs.github.com, "SARIF support for code scanning", upload limits);
 * twice that is past anything a reviewer reads, while 400,000 findings would make every report
 * (PR comment, check annotations, SARIF output) megabytes long. The rest are one finding.
 */
export const MAX_SARIF_RESULTS = 10_000

/** One SARIF result, reduced to what a finding needs. */
export interface SarifResult {
  /** The SARIF file it came from, for messages. */
  file: string
  tool: string
  ruleId: string
  severity: Severity
  message: string
  /** The rule's help or description: what to do about it. */
  help?: string
  /** Repository-relative (or as the tool wrote it) path of the primary location. */
  uri?: string
  line?: number
  /** `partialFingerprints` of the result, which survive line shifts (§3.27.17). */
  fingerprint?: string
}

/** The open results of one file beyond MAX_SARIF_RESULTS, reported as one finding. */
export interface SarifResultsNotImported {
  file: string
  notImported: number
  total: number
  /** The least severe result that was imported: everything left out is at most this severe. */
  lowestImported: Severity
}

export type ImportedResult = SarifResult | SarifResultsNotImported

export function isNotImported(result: ImportedResult): result is SarifResultsNotImported {
  return 'notImported' in result
}

type Json = Record<string, unknown>

function object(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Json)
    : undefined
}

function array(value: unknown): unknown[] {
  return Array.isArray(value) ? value : []
}

function string(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined
}

/** `text` of a message or multiformatMessageString (§3.11, §3.12). */
function text(value: unknown): string | undefined {
  return string(object(value)?.text)
}

const LEVEL_SEVERITY: Record<string, Severity> = {
  error: 'high',
  warning: 'medium',
  note: 'low',
  none: 'info'
}

function securitySeverity(...holders: Array<Json | undefined>): number | undefined {
  for (const holder of holders) {
    const raw = object(holder?.properties)?.['security-severity']
    const score = typeof raw === 'number' ? raw : Number.parseFloat(String(raw ?? ''))
    if (Number.isFinite(score)) return score
  }
  return undefined
}

/** Rules live in the driver or, for CodeQL query packs, in `tool.extensions` (§3.52.4). */
function findRule(run: Json, result: Json): Json | undefined {
  const tool = object(run.tool)
  const driver = object(tool?.driver)
  const extensions = array(tool?.extensions).map(object)
  const reference = object(result.rule)
  const componentIndex = object(reference?.toolComponent)?.index
  const component =
    typeof componentIndex === 'number' ? extensions[componentIndex] : (driver ?? undefined)
  const index = reference?.index ?? result.ruleIndex
  if (typeof index === 'number') {
    const rule = object(array(component?.rules)[index])
    if (rule !== undefined) return rule
  }
  const id = string(result.ruleId) ?? string(reference?.id)
  if (id === undefined) return undefined
  return [driver, ...extensions]
    .flatMap((holder) => array(holder?.rules).map(object))
    .find((rule) => rule?.id === id)
}

/** Results that are not findings: passes, not-applicable checks, suppressed or fixed ones. */
function isOpen(result: Json): boolean {
  const kind = string(result.kind) ?? 'fail'
  if (kind === 'pass' || kind === 'notApplicable') return false
  if (result.baselineState === 'absent') return false
  // §3.27.23: suppressed unless every suppression is still under review or was rejected.
  const suppressions = array(result.suppressions).map(object)
  return (
    suppressions.length === 0 ||
    suppressions.some((s) => s?.status === 'underReview' || s?.status === 'rejected')
  )
}

function primaryLocation(result: Json): Pick<SarifResult, 'uri' | 'line'> {
  const physical = object(object(array(result.locations)[0])?.physicalLocation)
  const uri = string(object(physical?.artifactLocation)?.uri)
  const line = object(physical?.region)?.startLine
  return {
    ...(uri === undefined ? {} : { uri: uri.replace(/^file:\/\//, '') }),
    ...(typeof line === 'number' && Number.isInteger(line) ? { line } : {})
  }
}

function importResult(file: string, tool: string, run: Json, result: Json): SarifResult {
  const rule = findRule(run, result)
  const ruleId = string(result.ruleId) ?? string(object(result.rule)?.id) ?? string(rule?.id)
  const score = securitySeverity(result, rule)
  const level =
    string(result.level) ?? string(object(rule?.defaultConfiguration)?.level) ?? 'warning'
  const severity =
    score === undefined ? (LEVEL_SEVERITY[level] ?? 'medium') : severityFromScore(score)
  const message = text(result.message) ?? text(rule?.shortDescription) ?? ruleId ?? 'SARIF result'
  const help = text(rule?.help) ?? text(rule?.fullDescription) ?? text(rule?.shortDescription)
  const fingerprints = object(result.partialFingerprints) ?? object(result.fingerprints)
  const fingerprint =
    fingerprints === undefined ? undefined : Object.values(fingerprints).find(string)
  return {
    file,
    tool,
    ruleId: ruleId ?? 'result',
    severity,
    message,
    ...(help === undefined || help === message ? {} : { help }),
    ...primaryLocation(result),
    ...(typeof fingerprint === 'string' ? { fingerprint } : {})
  }
}

/** Parses one SARIF log; anything but SARIF 2.x JSON is a ConfigurationError naming the file. */
export function parseSarif(content: string, file: string): ImportedResult[] {
  let log: Json | undefined
  try {
    log = object(JSON.parse(content))
  } catch (error) {
    throw new ConfigurationError(
      `input "sarif-import": ${file} is not valid JSON (${(error as Error).message}); pass a SARIF 2.1.0 file.`,
      'BAD_SARIF',
      { cause: error }
    )
  }
  const version = string(log?.version)
  if (log === undefined || !Array.isArray(log.runs) || !version?.startsWith('2.')) {
    throw new ConfigurationError(
      `input "sarif-import": ${file} is not a SARIF 2.1.0 log (it needs "version": "2.1.0" and a "runs" array).`,
      'BAD_SARIF'
    )
  }
  const kept = new MostSevere(MAX_SARIF_RESULTS)
  for (const value of log.runs) {
    const run = object(value) ?? {}
    const tool = string(object(object(run.tool)?.driver)?.name) ?? 'sarif'
    for (const entry of array(run.results)) {
      const result = object(entry)
      if (result !== undefined && isOpen(result)) kept.add(importResult(file, tool, run, result))
    }
  }
  const results: ImportedResult[] = kept.results()
  if (kept.dropped > 0) {
    results.push({
      file,
      notImported: kept.dropped,
      total: kept.dropped + MAX_SARIF_RESULTS,
      lowestImported: kept.lowest()
    })
  }
  return results
}

/**
 * The `limit` most severe results in file order, in memory bounded by `limit`: one list per
 * severity, and over the limit the last result of the least severe list is dropped.
 */
class MostSevere {
  private readonly bySeverity = new Map<Severity, Array<{ order: number; result: SarifResult }>>()
  private size = 0
  private order = 0
  dropped = 0

  constructor(private readonly limit: number) {}

  add(result: SarifResult): void {
    const list = this.bySeverity.get(result.severity) ?? []
    this.bySeverity.set(result.severity, list)
    list.push({ order: this.order++, result })
    if (++this.size <= this.limit) return
    const least = [...this.bySeverity.entries()]
      .filter(([, entries]) => entries.length > 0)
      .sort(([a], [b]) => severityRank(a) - severityRank(b))[0]![1]
    least.pop()
    this.size--
    this.dropped++
  }

  results(): SarifResult[] {
    return [...this.bySeverity.values()]
      .flat()
      .sort((a, b) => a.order - b.order)
      .map(({ result }) => result)
  }

  lowest(): Severity {
    return [...this.bySeverity.entries()]
      .filter(([, entries]) => entries.length > 0)
      .sort(([a], [b]) => severityRank(a) - severityRank(b))[0]![0]
  }
}

/** `CodeQL` → `codeql`, `js/sql-injection` → `js-sql-injection`: rule ids are kebab-case. */
export function kebab(value: string): string {
  return (
    value
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'x'
  )
}

const MAX_TITLE = 160
const MAX_DETAIL = 300

/** The first line of a help text, ending in a full stop. */
function sentence(text: string | undefined): string | undefined {
  const line = text?.split('\n')[0]?.trim().slice(0, MAX_DETAIL)
  if (line === undefined || line === '') return undefined
  return /[.!?]$/.test(line) ? line : `${line}.`
}

/**
 * The repository file a result points at: a relative URI reference (§3.4.3), decoded, or nothing
 * when the tool wrote an absolute path or URI, or one that leaves the repository.
 */
export function repositoryFile(uri: string | undefined): string | undefined {
  if (uri === undefined || /^([a-z][a-z0-9+.-]*:|\/|\\)/i.test(uri)) return undefined
  let path: string
  try {
    path = decodeURIComponent(uri.split(/[?#]/)[0]!)
  } catch {
    return undefined
  }
  const segments = path.split('/').filter((segment) => segment !== '' && segment !== '.')
  if (segments.length === 0 || segments.includes('..')) return undefined
  return segments.join('/')
}

/**
 * Rule `code/sarif-TOOL-RULE`; the subject is the location, by fingerprint when the tool gave one.
 * Results over MAX_SARIF_RESULTS are one `code/input-not-analysed` finding naming the file.
 */
export function sarifFinding(imported: ImportedResult): Finding {
  if (isNotImported(imported)) {
    return inputNotAnalysed('code', {
      path: imported.file,
      reason: `${imported.notImported} of its ${imported.total} open results were not imported (over ${MAX_SARIF_RESULTS} per file; those left out are ${imported.lowestImported} or less severe)`
    })
  }
  const result = imported
  const where =
    result.uri === undefined
      ? ''
      : `${result.uri}${result.line === undefined ? '' : `:${result.line}`}`
  const firstLine = result.message.split('\n')[0] ?? ''
  const message = firstLine.length > MAX_TITLE ? `${firstLine.slice(0, MAX_TITLE - 1)}…` : firstLine
  const anchor =
    result.fingerprint === undefined ? where : `${result.uri ?? ''}#${result.fingerprint}`
  const file = repositoryFile(result.uri)
  return {
    step: 'code',
    rule: `code/sarif-${kebab(result.tool)}-${kebab(result.ruleId)}`,
    severity: result.severity,
    title: `${result.tool} ${result.ruleId}: ${message}${where === '' ? '' : ` (${where})`}`,
    detail: `${sentence(result.help) ?? `Fix the code ${result.tool} points at.`} Imported from ${result.file}.`,
    location:
      file === undefined
        ? {}
        : { source: { file, ...(result.line === undefined ? {} : { line: result.line }) } },
    subject: anchor === '' ? `${result.ruleId}:${firstLine}` : anchor
  }
}
