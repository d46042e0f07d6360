/**
 * Step 5, hardening: a lean image that holds no hard-coded secret in any layer (files a later
 * layer deletes included), in its config or in its build history. Rules: docs/rules/hardening.md.
 */
import { posix } from 'node:path'
import { minimatch } from 'minimatch'
import {
  Dropped,
  severityRank,
  shortened,
  SHOWN_PATH_CHARS,
  subjectPath,
  type Finding,
  type FindingLocation,
  type Suppressed
} from '../../findings.js'
import { drop, fingerprint } from '../../policy/evaluate.js'
import type { Policy } from '../../policy/policy.js'
import { parsePasswd } from '../../os/accounts.js'
import { parseUser, resolveUser } from '../../os/user.js'
import type { ImageView, Step, StepContext, StepOutcome } from '../step.js'
import { historyLayers, imageConfigFindings } from './image-config.js'
import {
  hardeningSubscription,
  HARDENING_LAYERS,
  type HardeningLayerVisit,
  type LayerFile
} from './layer.js'
import { formatBytes } from '../../units.js'
import { leanFindings, type LeanDraft } from './lean.js'
import { compiledScanner, configSecrets, type ConfigSecret } from '../../secrets/config.js'
import { customRule, type SecretMatch, type SecretScanner } from '../../secrets/scanner.js'
import type { HardeningSettings } from './settings.js'
import {
  analyzeWaste,
  fileFate,
  type FileFate,
  type LayerChanges,
  type WasteAnalysis
} from './waste.js'

const PASSWD = '/etc/passwd'
const SHELL_HISTORY =
  /^\.(?:bash|zsh|ash|sh|python|mysql|psql|node_repl|rediscli|sqlite|lesshst|irb|php)_history$|^\.histfile$|^\.lesshst$/

/** How every SHELL_HISTORY name ends. */
const HISTORY_ENDING = /(?:_history|histfile|lesshst)$/

const ROTATE =
  'Treat it as leaked: revoke or rotate it, remove it from the build context, and pass build-time credentials with `RUN --mount=type=secret` so they never enter a layer.'

function toFinding(image: ImageView, draft: LeanDraft): Finding {
  const layerDigest = draft.layer === undefined ? undefined : image.layers[draft.layer]?.digest
  const location: FindingLocation = {
    ...(draft.path === undefined ? {} : { path: draft.path }),
    ...(layerDigest === undefined ? {} : { layerDigest })
  }
  return {
    step: 'hardening',
    rule: `hardening/${draft.rule}`,
    severity: draft.severity,
    title: draft.title,
    detail: draft.detail,
    location,
    subject: draft.subject
  }
}

/** A secret scanner of these settings with a hasher of its own, and the text naming its rules. */
function scannerFor(settings: HardeningSettings): { scanner: SecretScanner; key: string } {
  const { scanner, key } = compiledScanner(
    settings.customSecretRules.map(customRule),
    settings.secretMinEntropy
  )
  return { scanner: scanner.withOwnHasher(), key }
}

function fateText(fate: FileFate, layer: number): { title: string; detail: string } {
  const from = `layer ${layer + 1}`
  switch (fate.kind) {
    case 'present':
      return { title: '', detail: '' }
    case 'deleted':
      return {
        title: ` (present in ${from}, deleted in layer ${fate.layer + 1})`,
        detail: `Deleting it in layer ${fate.layer + 1} does not remove it: ${from} still holds it for anyone who pulls the image. `
      }
    case 'replaced':
      return {
        title: ` (present in ${from}, replaced in layer ${fate.layer + 1})`,
        detail: `Replacing it in layer ${fate.layer + 1} does not remove it: ${from} still holds it for anyone who pulls the image. `
      }
    case 'gone':
      return {
        title: ` (present in ${from}, not in the final filesystem)`,
        detail: `${from} still holds it for anyone who pulls the image. `
      }
  }
}

/**
 * Secret findings one scan makes in full (docs/limits.md): an image chooses how many files of
 * secrets it holds and how long their paths are. Twice what a report lists (policy/evaluate.ts);
 * past it a secret is kept only as what the policy needs to judge it (`Dropped`), and the engine
 * folds those into one finding per rule that blocks when one of them would.
 */
export const MAX_SECRET_FINDINGS = 20_000

function layerSecretDrafts(
  image: ImageView,
  visits: HardeningLayerVisit[],
  layers: LayerChanges[],
  settings: HardeningSettings,
  dropped: Dropped
): LeanDraft[] {
  const pathSets = new Map<number, Set<string>>()
  const pathsOf = (layer: number): Set<string> => {
    let paths = pathSets.get(layer)
    if (paths === undefined) {
      paths = new Set(layers[layer]!.files.map((file) => file.path))
      pathSets.set(layer, paths)
    }
    return paths
  }
  // Per path, not per secret: a path may be 16,383 characters, and matching it against globs or
  // hashing it as a map key costs as much each time. Keys use the path's number instead.
  const pathIds = new Map<string, { id: number; fixture: boolean }>()
  const pathOf = (path: string): { id: number; fixture: boolean } => {
    let known = pathIds.get(path)
    if (known === undefined) {
      const fixture = settings.secretFixturePaths.some((glob) =>
        minimatch(path, glob, { dot: true })
      )
      known = { id: pathIds.size, fixture }
      pathIds.set(path, known)
    }
    return known
  }
  const drafts = new Map<string, LeanDraft>()
  // Keys of the secrets past the bound, for the same value in the same file in several layers.
  const droppedKeys = new Set<string>()
  visits.forEach((visit, layer) => {
    for (const file of visit.secretFiles) {
      const { id, fixture } = pathOf(file.path)
      let fate: { title: string; detail: string } | undefined
      for (const secret of file.secrets) {
        const key = `${secret.rule}\0${id}\0${secret.hash}`
        // The same value in the same file in several layers (e.g. a chmod) is one finding.
        if (drafts.has(key) || droppedKeys.has(key)) continue
        const downgrade = fixture && severityRank(secret.severity) > severityRank('low')
        const severity = downgrade ? 'low' : secret.severity
        const subject = `${subjectPath(file.path)}:${secret.hash}`
        if (drafts.size >= MAX_SECRET_FINDINGS) {
          droppedKeys.add(key)
          const rule = `hardening/secret-${secret.rule}`
          const light: Finding = {
            step: 'hardening',
            rule,
            severity,
            title: rule,
            subject,
            location: { path: file.path }
          }
          const suppression = allowed(light, settings)
          drop(dropped, suppression === undefined ? light : { ...light, suppression }, file.path)
          continue
        }
        fate ??= fateText(
          fileFate(layers, layer, file.path, image.fs.get(file.path)?.layer, pathsOf),
          layer
        )
        drafts.set(key, {
          rule: `secret-${secret.rule}`,
          severity,
          title: `${secret.title} in ${shortened(file.path, SHOWN_PATH_CHARS)}${fate.title}`,
          detail:
            `${linesOf(secret)}: ${secret.redacted}. ${fate.detail}` +
            (downgrade
              ? "It is under a package's test fixtures or docs (secret-fixture-paths), so it is reported as low; check that it is an example."
              : ROTATE),
          subject,
          path: file.path,
          layer
        })
      }
    }
    // Past a layer's own bound, counted per rule at the scanner's severity.
    for (const { rule, count, severity, path } of visit.unkept ?? []) {
      dropped.count(`hardening/secret-${rule}`, count, severity, path)
    }
  })
  return [...drafts.values()]
}

/** Text files too large to scan for secrets, and shell history files, in any layer (deleted ones included). */
function layerFileDrafts(
  visits: HardeningLayerVisit[],
  layers: LayerChanges[],
  settings: HardeningSettings
): LeanDraft[] {
  const drafts = new Map<string, LeanDraft>()
  visits.forEach((visit, layer) => {
    for (const file of visit.oversized) {
      // Fail closed: a secret padded past the limit must not pass unseen (docs/limits.md).
      drafts.set(`skipped\0${file.path}`, {
        rule: 'input-not-analysed',
        severity: 'high',
        title: `${file.path} was not analysed: it is a text file of ${formatBytes(file.size)}, over secret-max-file-size (${formatBytes(settings.secretMaxFileBytes)}), so it was not scanned for secrets`,
        detail: `Raise secret-max-file-size to scan it, or shrink or remove the file; turn hardening/input-not-analysed to warn only if you accept the gap.`,
        subject: file.path,
        path: file.path,
        layer
      })
    }
    for (const file of layers[layer]!.files) {
      // Every file of every layer passes here: the name is cut out only for the few that may be one.
      if (file.size === 0 || !HISTORY_ENDING.test(file.path)) continue
      if (!SHELL_HISTORY.test(posix.basename(file.path))) continue
      drafts.set(`history\0${file.path}`, {
        rule: 'shell-history',
        severity: 'medium',
        title: `Shell history file ${file.path} (layer ${layer + 1})`,
        detail:
          'Command history records what was typed at build or debug time, passwords and tokens included. Delete it in the same layer that wrote it and add it to .dockerignore.',
        subject: file.path,
        path: file.path,
        layer
      })
    }
  })
  return [...drafts.values()]
}

function configSecretDraft(
  secret: ConfigSecret,
  historyLayer: Array<number | undefined>
): LeanDraft {
  const name = secret.name ?? ''
  const where =
    secret.field === 'Env'
      ? `ENV ${name}`
      : secret.field === 'Labels'
        ? `label ${name}`
        : secret.field === 'history'
          ? `build history entry ${(secret.history ?? 0) + 1}${name === '' ? '' : ` (${name})`}`
          : secret.field
  const layer = secret.history === undefined ? undefined : historyLayer[secret.history]
  return {
    rule: `secret-${secret.rule}`,
    severity: secret.severity,
    title: `${secret.title} in ${where}`,
    detail:
      `${secret.redacted}. Anyone who pulls the image can read its config and build history. ` +
      (secret.field === 'history'
        ? 'Build arguments and ENV values are recorded in the history: pass secrets with `RUN --mount=type=secret` instead. '
        : 'Pass it at run time (an orchestrator secret or a mounted file) instead of baking it into the image. ') +
      'Revoke or rotate it.',
    subject: `config:${secret.field}:${name}:${secret.hash}`,
    ...(layer === undefined ? {} : { layer })
  }
}

function wasteDrafts(
  waste: WasteAnalysis,
  settings: HardeningSettings,
  layerCount: number
): LeanDraft[] {
  const drafts: LeanDraft[] = []
  const percent = (ratio: number): string => `${(ratio * 100).toFixed(1)}%`
  // A few hundred bytes rewritten across layers is not worth a finding, whatever its share.
  const significant = waste.wastedBytes >= settings.minWasterBytes
  if (significant && waste.efficiency < settings.minEfficiency) {
    drafts.push({
      rule: 'low-efficiency',
      severity: 'medium',
      title: `Image efficiency ${percent(waste.efficiency)} is below ${percent(settings.minEfficiency)}`,
      detail:
        'Files written in one layer and changed or deleted in a later one still ship in the earlier layer. Create, use and delete files in the same RUN line, or build in a separate stage.',
      subject: 'efficiency'
    })
  }
  const overBytes =
    settings.maxWastedBytes !== undefined && waste.wastedBytes > settings.maxWastedBytes
  const overShare =
    significant && layerCount > 1 && waste.userWastedRatio > settings.maxUserWastedRatio
  if (overBytes || overShare) {
    drafts.push({
      rule: 'wasted-space',
      severity: 'medium',
      title: `${formatBytes(waste.wastedBytes)} wasted across layers (${percent(waste.userWastedRatio)} of the bytes above the first layer)`,
      detail: `Limits: max-wasted-bytes ${settings.maxWastedBytes === undefined ? 'none' : formatBytes(settings.maxWastedBytes)}, max-user-wasted-percent ${percent(settings.maxUserWastedRatio)}. The largest wasters are reported as hardening/wasted-file.`,
      subject: 'wasted-space'
    })
  }
  for (const waster of waste.wasters.slice(0, 10)) {
    if (waster.bytes < settings.minWasterBytes) break
    const layers = waster.layers.map((layer) => layer + 1).join(', ')
    drafts.push({
      rule: 'wasted-file',
      severity: 'low',
      title: `${waster.path} wastes ${formatBytes(waster.bytes)} (written or deleted in layers ${layers})`,
      detail:
        'Every copy stays in its layer. Write the file once in its final form, or delete it in the same RUN line that created it.',
      subject: waster.path,
      path: waster.path,
      layer: waster.layers[waster.layers.length - 1]!
    })
  }
  return drafts
}

function runtimeUid(image: ImageView): number | undefined {
  const configured = parseUser(image.config.config?.User)
  const passwd = parsePasswd(image.fs.read(PASSWD)?.toString('utf8') ?? '')
  const resolved = resolveUser(configured, passwd, [])
  return resolved.root ? undefined : resolved.uid
}

/**
 * Why the secret allow-lists accept a secret finding, if they do. The finding is kept and the
 * gate reports it as suppressed (policy/suppress.ts), so an allowed secret stays visible.
 */
function allowed(finding: Finding, settings: HardeningSettings): Suppressed | undefined {
  if (!finding.rule.startsWith('hardening/secret-')) return undefined
  // The policy file's keys have the inputs' names, so the name says where to look in either.
  const by = (input: string, entry: string): Suppressed => ({
    reason: `allowed by ${input} ${entry}`,
    source: `${input} (input or policy file)`
  })
  const id = finding.rule.slice('hardening/secret-'.length)
  if (settings.secretAllowRules.includes(id)) return by('secret-allow-rules', id)
  const path = finding.location.path
  const glob =
    path === undefined
      ? undefined
      : settings.secretAllowPaths.find((candidate) => minimatch(path, candidate, { dot: true }))
  if (glob !== undefined) return by('secret-allow-paths', glob)
  const print = fingerprint(finding)
  if (settings.secretAllowFingerprints.includes(print))
    return by('secret-allow-fingerprints', print)
  return undefined
}

function largestContributors(
  image: ImageView,
  layers: LayerChanges[],
  waste: WasteAnalysis
): string[] {
  return layers
    .map((changes, layer) => ({ changes, layer, bytes: waste.layerBytes[layer] ?? 0 }))
    .filter(({ bytes }) => bytes > 0)
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 5)
    .map(({ changes, layer, bytes }) => {
      const top = largest(changes.files, 3).map((file) => `${file.path} ${formatBytes(file.size)}`)
      const digest =
        image.layers[layer]?.digest.slice('sha256:'.length, 'sha256:'.length + 12) ?? ''
      return `layer ${layer + 1} (${digest}, ${formatBytes(bytes)}): ${top.join(', ')}`
    })
}

/** The `count` largest files, the earlier first among equal sizes (a stable sort's order), in one pass. */
function largest(files: readonly LayerFile[], count: number): LayerFile[] {
  const top: LayerFile[] = []
  for (const file of files) {
    if (top.length === count && file.size <= top[count - 1]!.size) continue
    let at = top.length
    while (at > 0 && top[at - 1]!.size < file.size) at--
    top.splice(at, 0, file)
    if (top.length > count) top.pop()
  }
  return top
}

async function run({ image, policy }: StepContext): Promise<StepOutcome> {
  const settings = policy.hardening
  const visits = image
    .visits(HARDENING_LAYERS)
    .filter((visit): visit is HardeningLayerVisit => visit !== undefined)
  if (visits.length !== image.layers.length) {
    // Never a silent pass: without the layer pass there is no secret scan.
    throw new Error(
      `the hardening layer analysis is missing for ${image.layers.length - visits.length} of ${image.layers.length} layers`
    )
  }
  const { scanner } = scannerFor(settings)
  const historyLayer = historyLayers(image.config, image.layers.length)
  // Files are every entry that is not a directory (references, not copies).
  const layers: LayerChanges[] = image.layerChanges().map(({ entries, whiteouts }) => ({
    files: entries.filter((entry) => entry.type !== 'dir'),
    whiteouts
  }))
  const waste = analyzeWaste(layers)
  const coreDumps = new Set(
    visits.flatMap((visit, layer) =>
      visit.coreDumps.filter((path) => image.fs.get(path)?.layer === layer)
    )
  )
  const dropped = new Dropped('hardening')
  const drafts = [
    ...layerSecretDrafts(image, visits, layers, settings, dropped),
    ...layerFileDrafts(visits, layers, settings),
    ...configSecrets(image.config, scanner).map((secret) =>
      configSecretDraft(secret, historyLayer)
    ),
    ...wasteDrafts(waste, settings, image.layers.length),
    ...leanFindings({ fs: image.fs, settings, runtimeUid: runtimeUid(image), coreDumps }),
    ...imageConfigFindings(image.config, image.annotations ?? {}, image.layers.length)
  ]
  const findings = drafts.map((draft): Finding => {
    const finding = toFinding(image, draft)
    const suppression = allowed(finding, settings)
    return suppression === undefined ? finding : { ...finding, suppression }
  })

  // A layer from the layer cache was scanned by an earlier run: its time is not this run's.
  const cached = (layer: number): boolean => image.layers[layer]?.cached === true
  const stats = visits.reduce(
    (sum, { stats: s }, layer) => ({
      files: sum.files + s.files,
      bytes: sum.bytes + s.bytes,
      binary: sum.binary + s.binary,
      ms: sum.ms + (cached(layer) ? 0 : s.ms)
    }),
    { files: 0, bytes: 0, binary: 0, ms: 0 }
  )
  const fromCache = visits.filter((_, layer) => cached(layer)).length
  const oversized = visits.reduce((sum, visit) => sum + visit.oversized.length, 0)
  const notes = [
    `secret scan: ${stats.files} text files (${formatBytes(stats.bytes)}) in ${visits.length} layers${fromCache > 0 ? ` (${fromCache} scanned by an earlier run, from the layer cache)` : ''} in ${Math.round(stats.ms)} ms; ${stats.binary} binary files skipped, ${oversized} over secret-max-file-size`,
    `efficiency ${(waste.efficiency * 100).toFixed(1)}%, ${formatBytes(waste.wastedBytes)} wasted (${(waste.userWastedRatio * 100).toFixed(1)}% of the bytes above the first layer)`,
    ...largestContributors(image, layers, waste)
  ]
  return { findings, notes, ...(dropped.size + dropped.tail.size > 0 ? { dropped } : {}) }
}

export const hardeningStep: Step = {
  id: 'hardening',
  title: 'Hardening',
  needs: (policy: Policy) => {
    const { scanner, key } = scannerFor(policy.hardening)
    return {
      files: [{ globs: [PASSWD], maxBytes: 1024 * 1024 }],
      subscriptions: [hardeningSubscription(scanner, policy.hardening.secretMaxFileBytes, key)]
    }
  },
  run
}

/** `Line 4`, or `Line 4 (the same value also on lines 9, 12 and 3 more)`: every place to fix. */
function linesOf(secret: SecretMatch): string {
  const repeats = secret.repeats
  if (repeats === undefined) return `Line ${secret.line}`
  const more = repeats.count - repeats.lines.length
  const items = [...repeats.lines.map(String), ...(more > 0 ? [`${more} more`] : [])]
  const also =
    items.length === 1 ? items[0] : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`
  return `Line ${secret.line} (the same value also on line${repeats.count === 1 ? '' : 's'} ${also})`
}
