/** Policy applied to findings: fingerprints, blocking, step status and the verdict. */
import {
  boundedFinding,
  isBlocking,
  SEVERITIES,
  severityCounts,
  severityRank,
  STEP_IDS,
  type Dropped,
  type DroppedFinding,
  type Finding,
  type GatedFinding,
  type Severity,
  type StepId
} from '../findings.js'
import { sha256 } from '../image/digest.js'
import { plural } from '../units.js'
import type { StepReport, StepStatus, Verdict } from '../report/model.js'
import type { Policy } from './policy.js'
import { NO_SUPPRESSION, suppress, type Suppression } from './suppress.js'

/**
 * 16 lowercase hex digits: the first 64 bits of sha256 over step, rule, subject, package purl and
 * vulnerability id, NUL-separated (NUL cannot occur in a path, so no two keys collide by joining).
 * Title, detail, severity and location are left out so rewording a message or moving a file to
 * another layer keeps baselines, ignores and PR comments pointing at the same finding.
 */
export function fingerprint(finding: Finding): string {
  const key = [
    finding.step,
    finding.rule,
    finding.subject,
    finding.package?.purl ?? '',
    finding.vulnerability?.id ?? ''
  ].join('\0')
  return sha256(key).slice('sha256:'.length, 'sha256:'.length + 16)
}

function blocks(finding: Finding, policy: Policy): boolean {
  const action = policy.rules[finding.rule]
  if (action === 'error') return true
  if (action === 'warn') return false
  const failOn = policy.steps[finding.step].failOn
  return failOn !== 'none' && severityRank(finding.severity) >= severityRank(failOn)
}

/**
 * Report order (model.ts): most severe first, blocking first, then step order, rule (the finding
 * standing for a rule's unlisted ones after its listed ones), subject.
 */
export function compareGated(a: GatedFinding, b: GatedFinding): number {
  return (
    severityRank(b.severity) - severityRank(a.severity) ||
    Number(b.blocking) - Number(a.blocking) ||
    STEP_IDS.indexOf(a.step) - STEP_IDS.indexOf(b.step) ||
    compareText(a.rule, b.rule) ||
    Number(a.unlisted !== undefined) - Number(b.unlisted !== undefined) ||
    compareText(a.subject, b.subject) ||
    compareText(a.fingerprint, b.fingerprint)
  )
}

/** Code-unit order, not locale order: reports must not depend on the runner's locale. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/**
 * Rule `off` drops a finding, `warn` never blocks, `error` always blocks; otherwise it blocks at
 * or above its step's fail-on severity (`none` never). Then ignores and the steps' own
 * suppressions suppress and, with fail-on-new-only, findings already in the baseline stop
 * blocking. In the order given: ordering compares subjects, which a crafted image makes
 * thousands of characters long, so the engine orders only the findings it lists (`listFindings`).
 */
export function applyPolicy(
  findings: Finding[],
  policy: Policy,
  suppression?: Suppression,
  dropped: Dropped[] = []
): GatedFinding[] {
  const gated = findings
    .filter((finding) => policy.rules[finding.rule] !== 'off')
    .map((finding) => ({
      ...finding,
      fingerprint: fingerprint(finding),
      blocking: blocks(finding, policy)
    }))
  const judged = suppress(gated, suppression ?? NO_SUPPRESSION)
  for (const steps of dropped) {
    for (const folded of foldDropped(steps, judged, policy, suppression)) judged.push(folded)
  }
  return judged
}

/** Keeps `finding`, past its step's bound, as what the policy needs to judge it (`Dropped`). */
export function drop(dropped: Dropped, finding: Finding, path: string | undefined): void {
  dropped.add({
    rule: finding.rule,
    severity: finding.severity,
    fingerprint: fingerprint(finding),
    ...(path === undefined ? {} : { path }),
    ...(finding.package === undefined ? {} : { package: finding.package }),
    ...(finding.vulnerability === undefined ? {} : { vulnerability: finding.vulnerability }),
    ...(finding.suppression === undefined ? {} : { suppression: finding.suppression })
  })
}

/**
 * A step's dropped findings, judged one by one exactly as made findings are (rule overrides,
 * fail-on, ignores, the step's own suppressions, the baseline), folded into one finding per rule
 * that blocks when one of them blocks (`unlistedFinding`). Findings known only by number block as
 * their rule and severity do.
 */
function foldDropped(
  dropped: Dropped,
  made: GatedFinding[],
  policy: Policy,
  suppression: Suppression | undefined
): GatedFinding[] {
  const { step } = dropped
  const byRule = new Map<string, DroppedFinding[]>()
  for (const item of dropped.items) {
    if (policy.rules[item.rule] === 'off') continue
    const group = byRule.get(item.rule)
    if (group === undefined) byRule.set(item.rule, [item])
    else group.push(item)
  }
  const rules = new Set([...byRule.keys(), ...dropped.tail.keys()])
  const folded: GatedFinding[] = []
  for (const rule of rules) {
    if (policy.rules[rule] === 'off') continue
    const light = (byRule.get(rule) ?? []).map((item) => {
      const finding: Finding & { fingerprint: string; blocking: boolean } = {
        step,
        rule,
        severity: item.severity,
        title: rule,
        subject: '',
        location: item.path === undefined ? {} : { path: item.path },
        ...(item.package === undefined ? {} : { package: item.package }),
        ...(item.vulnerability === undefined ? {} : { vulnerability: item.vulnerability }),
        ...(item.suppression === undefined ? {} : { suppression: item.suppression }),
        fingerprint: item.fingerprint,
        blocking: false
      }
      finding.blocking = blocks(finding, policy)
      return finding
    })
    const tail = dropped.tail.get(rule)
    const shown = made.filter((finding) => finding.step === step && finding.rule === rule).length
    folded.push(
      unlistedFinding(
        step,
        rule,
        suppress(light, suppression ?? NO_SUPPRESSION),
        shown,
        tail === undefined
          ? undefined
          : {
              count: tail.count,
              severity: tail.severity,
              blocks: blocks(
                { step, rule, severity: tail.severity, title: rule, subject: '', location: {} },
                policy
              )
            }
      )
    )
  }
  return folded
}

/** `applyPolicy`, in report order. */
export function gate(
  findings: Finding[],
  policy: Policy,
  suppression?: Suppression
): GatedFinding[] {
  return applyPolicy(findings, policy, suppression).sort(compareGated)
}

/**
 * Findings a report lists. A real image has a few hundred (a large Debian image: several hundred
 * `composition/vulnerability` alone), and the report must list those whole; a crafted one can
 * have hundreds of thousands, each naming a path of up to 16,383 characters, which no report can
 * hold (JSON.stringify runs out of memory). 10,000 also stays under GitHub code scanning's 25,000
 * SARIF results per run.
 */
export const MAX_LISTED_FINDINGS = 10_000

/**
 * How many findings each rule lists so that the report lists at most `max`: rules with fewer
 * than an equal share list all theirs, the others split what is left equally (at least one each).
 * Infinity when everything fits.
 */
function listedPerRule(counts: Iterable<number>, max = MAX_LISTED_FINDINGS): number {
  const sorted = [...counts].sort((a, b) => a - b)
  let left = max
  for (const [index, count] of sorted.entries()) {
    const share = Math.floor(left / (sorted.length - index))
    if (count > share) return Math.max(1, share)
    left -= count
  }
  return Infinity
}

/**
 * Which findings of a rule a report lists first: blocking ones, then the most severe, then by
 * fingerprint (stable across runs, and short: no subject of thousands of characters is compared).
 */
function compareListing(a: GatedFinding, b: GatedFinding): number {
  return (
    // One standing for others (a step's dropped findings) goes with the rest, folded into one.
    Number(a.unlisted !== undefined) - Number(b.unlisted !== undefined) ||
    Number(isBlocking(b)) - Number(isBlocking(a)) ||
    severityRank(b.severity) - severityRank(a.severity) ||
    compareText(a.fingerprint, b.fingerprint)
  )
}

/**
 * The findings a report lists, in report order, every string from the image bounded
 * (`boundedFinding`). Over MAX_LISTED_FINDINGS, each rule over its share (`listedPerRule`) lists
 * that many (`compareListing`) and one more finding stands for the rest: it blocks exactly when
 * one of them blocks (not suppressed, not known to the baseline under fail-on-new-only), at the
 * severity of the worst of them that is not suppressed, so the verdict and every step's status
 * are what the whole list gives. Suppressed when all of them are.
 */
export function listFindings(findings: GatedFinding[], max = MAX_LISTED_FINDINGS): GatedFinding[] {
  const byRule = new Map<string, GatedFinding[]>()
  for (const finding of findings) {
    const key = `${finding.step}\0${finding.rule}`
    const group = byRule.get(key)
    if (group === undefined) byRule.set(key, [finding])
    else group.push(finding)
  }
  const share = listedPerRule(
    [...byRule.values()].map((group) => group.length),
    max
  )
  const listed: GatedFinding[] = []
  for (const group of byRule.values()) {
    if (group.length > share) group.sort(compareListing)
    const shown = Math.min(group.length, share)
    for (let index = 0; index < shown; index++) listed.push(boundedFinding(group[index]!))
    if (group.length > shown) {
      const { step, rule } = group[0]!
      listed.push(unlistedFinding(step, rule, group.slice(shown), shown))
    }
  }
  return listed.sort(compareGated)
}

/**
 * The one finding standing for `rest`, findings of one rule not listed after `shown` of them,
 * and for `tail`, more of them known only by number (a step's `Dropped.tail`), which block when
 * `tailBlocks`. A finding in `rest` that itself stands for others counts as those.
 */
function unlistedFinding(
  step: StepId,
  rule: string,
  rest: GatedFinding[],
  shown: number,
  tail?: { count: number; severity: Severity; blocks: boolean }
): GatedFinding {
  const counts = Object.fromEntries(SEVERITIES.map((severity) => [severity, 0])) as Record<
    Severity,
    number
  >
  let count = 0
  let suppressed = 0
  let blocking = 0
  let worstOpen: Severity | undefined
  let worstAll: Severity | undefined
  const worse = (a: Severity | undefined, b: Severity): Severity =>
    a === undefined || severityRank(b) > severityRank(a) ? b : a
  const fingerprints: string[] = []
  const sources = new Set<string>()
  const baselines = new Set<GatedFinding['baseline']>()
  for (const finding of rest) {
    baselines.add(finding.baseline)
    const inner = finding.unlisted
    if (inner !== undefined) {
      count += inner.count
      suppressed += inner.suppressed
      blocking += inner.blocking
      for (const severity of SEVERITIES) {
        counts[severity] += inner.counts[severity]
        if (inner.counts[severity] > 0) worstOpen = worse(worstOpen, severity)
      }
      for (const print of inner.fingerprints) fingerprints.push(print)
      worstAll = worse(worstAll, finding.severity)
      if (finding.suppressed !== undefined) sources.add(finding.suppressed.source)
      continue
    }
    count += 1
    fingerprints.push(finding.fingerprint)
    worstAll = worse(worstAll, finding.severity)
    if (finding.suppressed !== undefined) {
      suppressed += 1
      sources.add(finding.suppressed.source)
      continue
    }
    counts[finding.severity] += 1
    worstOpen = worse(worstOpen, finding.severity)
    if (finding.blocking) blocking += 1
  }
  if (tail !== undefined && tail.count > 0) {
    count += tail.count
    counts[tail.severity] += tail.count
    worstOpen = worse(worstOpen, tail.severity)
    worstAll = worse(worstAll, tail.severity)
    if (tail.blocks) blocking += tail.count
    // Not known to any baseline: they are judged as new.
    baselines.add('new')
  }
  const severity = worstOpen ?? worstAll ?? 'info'
  const subject = 'unlisted'
  const parts = [severityCounts(counts), suppressed === 0 ? '' : `${suppressed} suppressed`]
  const title = `${count} more ${rule} findings not listed (${parts.filter((part) => part !== '').join('; ')})`
  const open = count - suppressed
  const named = [...sources]
  return {
    step,
    rule,
    severity,
    title,
    detail: `The report lists ${plural(shown, 'finding')} of this rule, blocking ones and the most severe first; this one stands for the others, and blocks when one of them does. Fix the listed ones and scan again to see the next ones.`,
    location: {},
    subject,
    fingerprint: fingerprint({ step, rule, severity, title, location: {}, subject }),
    blocking: blocking > 0,
    ...(open > 0
      ? {}
      : {
          suppressed: {
            reason: 'every finding it stands for is suppressed',
            source: named.length > 3 ? `${named.slice(0, 3).join('; ')}; …` : named.join('; ')
          }
        }),
    ...(baselines.has(undefined)
      ? {}
      : { baseline: baselines.has('new') ? ('new' as const) : ('unchanged' as const) }),
    unlisted: { count, counts, blocking, suppressed, fingerprints }
  }
}

/** The report's summary numbers: findings standing for others count as those. */
export function blockingAndSuppressed(findings: GatedFinding[]): {
  blocking: number
  suppressed: number
} {
  let blocking = 0
  let suppressed = 0
  for (const finding of findings) {
    if (finding.unlisted !== undefined) {
      blocking += finding.unlisted.blocking
      suppressed += finding.unlisted.suppressed
    } else if (finding.suppressed !== undefined) suppressed += 1
    else if (finding.blocking) blocking += 1
  }
  return { blocking, suppressed }
}

/** The status of a step that ran, from its own gated findings; the engine sets skipped/error. */
export function stepStatus(findings: GatedFinding[]): Extract<StepStatus, 'pass' | 'fail'> {
  return findings.some(isBlocking) ? 'fail' : 'pass'
}

/** Fails closed: a step that errored fails the gate; a skipped step says so but does not fail. */
export function verdict(findings: GatedFinding[], steps: StepReport[]): Verdict {
  const failed = findings.some(isBlocking) || steps.some((step) => step.status === 'error')
  return failed ? 'fail' : 'pass'
}
