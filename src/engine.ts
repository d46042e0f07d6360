/**
 * The gate: acquire the image in one streaming pass, build the final filesystem, run the six
 * steps in the design's order, apply the policy and return the report. No I/O beyond reading
 * the image; entry points decide where the report goes.
 */
import { existsSync } from 'node:fs'
import { locateFinding, mapDockerfile } from './dockerfile/map.js'
import { ImageError, isUserError } from './errors.js'
import { readInputFile } from './files.js'
import { DEFAULT_TIMEOUT_MS, ScanDeadline, withDeadline } from './deadline.js'
import {
  inputNotAnalysed,
  STEP_IDS,
  type Dropped,
  type Finding,
  type Severity,
  type StepId
} from './findings.js'
import {
  resultKey,
  type FileRequest,
  type LayerSubscription,
  type SubscriptionKey
} from './image/analysis.js'
import { combineLayers } from './image/filesystem.js'
import {
  analyzeLayer,
  CaptureBudget,
  compileRequests,
  verifyLayerBlob
} from './image/layer/analyze.js'
import { analysisKey, LayerCache } from './image/layer/cache.js'
import { RangeVerifier } from './image/layer/verify-range.js'
import { formatPlatform } from './image/manifest.js'
import type { AcquiredImage, AcquireOptions, ImageSource, Transport } from './image/source.js'
import { openSource } from './image/sources.js'
import type { Descriptor, LayerInfo } from './image/types.js'
import type { LayerAnalysis } from './image/analysis.js'
import type { Logger } from './log.js'
import {
  applyPolicy,
  blockingAndSuppressed,
  listFindings,
  stepStatus,
  verdict
} from './policy/evaluate.js'
import type { Policy } from './policy/policy.js'
import {
  baselineFingerprints,
  compareBaseline,
  expiredIgnores,
  isoDay,
  isReportPath,
  readBaselineReport,
  reportBaseline,
  type Baseline,
  type Ignore
} from './policy/suppress.js'
import type { GateReport, Mode, StepReport } from './report/model.js'
import { countBySeverity } from './report/summary.js'
import { redactCreatedBy } from './secrets/config.js'
import { STEPS } from './steps/index.js'
import type { DockerfileText, ImageView, Step, StepArtifacts } from './steps/step.js'
import { formatBytes } from './units.js'
import { VERSION } from './version.js'

export interface GateRequest {
  /** Image reference with its transport, e.g. `oci-archive:app.tar` or `ghcr.io/org/app:1.2`. */
  image: string
  policy: Policy
  acquire: Omit<AcquireOptions, 'analyzeLayer' | 'logger'>
  /** Ignores from the policy file, each with a reason and maybe an expiry date. */
  ignores?: Ignore[]
  /** A previous JSON report, or an image reference scanned in this run, to compare with. */
  baseline?: string
  /** Findings already in the baseline do not block. */
  failOnNewOnly?: boolean
  /** Recorded in the report; the entry points decide what `warn` means for their exit. */
  mode?: Mode
  /** Path of the Dockerfile that built the image, as findings should name it. */
  dockerfile?: string
  /** The day ignores expire against; default today. */
  now?: Date
  /** The whole scan's deadline in milliseconds (input "timeout"); default 30 minutes. */
  timeoutMs?: number
  /** Where layer analyses are kept between runs, and the bound of that directory (inputs "layer-cache", "layer-cache-size"). */
  layerCache?: { dir: string; maxBytes: number }
}

/** The report and what steps produced besides findings (not part of the JSON report). */
export interface GateResult {
  report: GateReport
  artifacts: StepArtifacts
  /** Bytes this scan added to the layer cache: the action saves the cache when they are many. */
  layerCacheWrittenBytes: number
}

/** Transports whose layers are ranges of local files (FileRange), not streams. */
const FILE_TRANSPORTS: ReadonlySet<Transport> = new Set(['oci', 'oci-archive', 'docker-archive'])

/**
 * Gates `request.image` within `request.timeoutMs`: when the deadline passes, the scan stops
 * (reads in flight are destroyed, the source and steps see the abort) and this rejects with a
 * ConfigurationError naming what was still running.
 */
export async function runGate(
  request: GateRequest,
  logger: Logger,
  steps: readonly Step[] = STEPS,
  openImage: (reference: string) => ImageSource = openSource
): Promise<GateResult> {
  return withDeadline(request.timeoutMs ?? DEFAULT_TIMEOUT_MS, async (deadline) => {
    const rangeVerifier = new RangeVerifier(deadline.signal)
    try {
      return await scan(request, logger, steps, openImage, deadline, rangeVerifier)
    } finally {
      await rangeVerifier.close()
    }
  })
}

async function scan(
  request: GateRequest,
  logger: Logger,
  steps: readonly Step[],
  openImage: (reference: string) => ImageSource,
  deadline: ScanDeadline,
  rangeVerifier: RangeVerifier
): Promise<GateResult> {
  const started = Date.now()
  const selected = steps.filter((step) => request.policy.steps[step.id].enabled)
  // Awaited before the image is read: a step may load user files first (e.g. a .cvd database).
  const requests: FileRequest[] = []
  const requesters = new Map<StepId, FileRequest[]>()
  const subscriptions: LayerSubscription[] = []
  for (const step of selected) {
    deadline.enter(`preparing step ${step.id}`)
    const needs = (await step.needs?.(request.policy)) ?? {}
    requests.push(...(needs.files ?? []))
    requesters.set(step.id, needs.files ?? [])
    subscriptions.push(...(needs.subscriptions ?? []))
  }
  const captureBudget = new CaptureBudget()
  const cache =
    request.layerCache === undefined
      ? undefined
      : new LayerCache({
          ...request.layerCache,
          key: analysisKey(requests, subscriptions),
          logger
        })
  /** Checks of cached layers' bytes running on the range verifier's worker. */
  const rangeChecks = new Map<string, Array<Promise<void>>>()
  /** Digests looked up in the cache and not used: read afresh, not looked up again. */
  const missed = new Set<string>()
  /** A layer's analysis from the cache, charged to this scan's budget as if it had been read. */
  const fromCache = async (
    name: string,
    digest: string | undefined,
    size?: number
  ): Promise<LayerAnalysis | undefined> => {
    if (cache === undefined || digest === undefined || missed.has(digest)) return undefined
    const cached = await cache.get(digest)
    if (
      cached === undefined ||
      (size !== undefined && cached.compressedSize !== size) ||
      !captureBudget.admit(cached, `layer ${name}`)
    ) {
      missed.add(digest)
      return undefined
    }
    cache.hits.add(digest)
    return cached
  }

  deadline.enterImage(request.image)
  const source = openImage(request.image)
  // Cached layers of an image read from files are checked on the range verifier's worker.
  if (FILE_TRANSPORTS.has(source.transport) && cache?.hasEntries() === true) rangeVerifier.prepare()
  const acquired = await logger.group(`Read image ${request.image}`, () =>
    source.acquire({
      ...request.acquire,
      logger,
      signal: deadline.signal,
      analyzeLayer: async (blob, layer) => {
        const done = deadline.layer(layer.name, blob)
        try {
          // A range whose analysis the cache likely holds is hashed from now on, while the entry
          // is read and decoded: the check is what a re-gate waits for last. Used only if the
          // entry is (a damaged one leaves the layer to be read and verified as it streams).
          const early =
            layer.file !== undefined &&
            layer.expectedDigest !== undefined &&
            cache?.has(layer.expectedDigest) === true
              ? rangeVerifier.verify(layer.file, {
                  name: layer.name,
                  expectedDigest: layer.expectedDigest
                })
              : undefined
          early?.catch(() => undefined)
          const cached = await fromCache(layer.name, layer.expectedDigest)
          if (cached !== undefined) {
            // The bytes are at hand: they are still checked against the digest, not analysed;
            // from a file, on a worker thread while the scan goes on (awaited before the report).
            const expected = { name: layer.name, expectedDigest: cached.digest }
            if (layer.file === undefined) await verifyLayerBlob(blob, expected)
            else {
              blob.destroy()
              if (layer.file.length !== cached.compressedSize) {
                // Bytes of another length cannot have the digest: no need to read them.
                throw new ImageError(
                  `layer ${layer.name} is ${layer.file.length} bytes in ${layer.file.path}, but the blob with its digest is ${cached.compressedSize}; the image is corrupt or was tampered with.`,
                  'DIGEST_MISMATCH'
                )
              }
              const check = early ?? rangeVerifier.verify(layer.file, expected)
              // Awaited after the steps if the member is one of the image's layers (an archive
              // may hold others); until then a mismatch must not count as unhandled.
              check.catch(() => undefined)
              rangeChecks.set(cached.digest, [...(rangeChecks.get(cached.digest) ?? []), check])
            }
            return cached
          }
          const analysis = await analyzeLayer(blob, {
            ...layer,
            requests,
            subscriptions,
            captureBudget
          })
          if (layer.expectedDigest !== undefined) cache?.put(analysis)
          return analysis
        } finally {
          done()
        }
      },
      ...(cache === undefined
        ? {}
        : {
            cachedLayer: (descriptor: Descriptor) =>
              fromCache(descriptor.digest, descriptor.digest, descriptor.size)
          })
    })
  )
  deadline.enter(`combining the layers of ${request.image}`)
  checkDiffIds(acquired)
  const layers = layerInfos(acquired, cache?.hits)
  if (cache !== undefined) logCacheUse(acquired, cache, logger)
  const fs = combineLayers(acquired.layers.map((l) => l.analysis))
  logger.info(
    `Read ${acquired.reference} (${acquired.digest}): ${layers.length} layers, ${fs.size} paths in the final filesystem.`
  )
  const image: ImageView = {
    reference: acquired.reference,
    digest: acquired.digest,
    platform: acquired.platform,
    config: acquired.config,
    configDigest: acquired.configDigest,
    layers,
    fs,
    visits: <R>(key: SubscriptionKey<R>) =>
      acquired.layers.map((l) => l.analysis.visits.get(resultKey(key)) as R | undefined),
    layerChanges: () =>
      acquired.layers.map(({ analysis }) => ({
        entries: analysis.entries,
        whiteouts: analysis.whiteouts
      })),
    ...(acquired.manifest.annotations === undefined
      ? {}
      : { annotations: acquired.manifest.annotations })
  }

  deadline.enter('reading the Dockerfile')
  const dockerfile =
    request.dockerfile === undefined ? undefined : await readDockerfile(request.dockerfile)
  // Steps that reach registries themselves (signatures, base images) stop at the deadline too.
  const registry = { ...request.acquire, signal: deadline.signal }
  const unread = unreadInputs(image, requesters)
  const stepReports: StepReport[] = []
  const findings: Finding[] = []
  const dropped: Dropped[] = []
  const artifacts: StepArtifacts = {}
  for (const id of STEP_IDS) {
    const step = steps.find((s) => s.id === id)
    if (step === undefined || !selected.includes(step)) {
      stepReports.push({
        id,
        title: step?.title ?? id,
        status: 'skipped',
        durationMs: 0,
        reason: 'not selected'
      })
      continue
    }
    deadline.enter(`running step ${step.id} on ${image.reference}`)
    stepReports.push(
      await runStep(
        step,
        {
          image,
          policy: request.policy,
          logger,
          registry,
          ...(dockerfile === undefined ? {} : { dockerfile })
        },
        findings,
        artifacts,
        unread.get(step.id) ?? [],
        dropped
      )
    )
  }

  deadline.enter('checking the cached layers against their digests')
  await Promise.all(
    [...new Set(acquired.layers.map((l) => l.descriptor.digest))].flatMap(
      (digest) => rangeChecks.get(digest) ?? []
    )
  )

  deadline.enter('writing the layer cache')
  await cache?.settle()

  deadline.enter('mapping findings onto the Dockerfile')
  const located = locateInDockerfile(findings, dockerfile, image, logger)
  // Layer cache entries the baseline image's scan wrote count towards saving the cache too.
  const baselineWrites = { bytes: 0 }
  const baseline =
    request.baseline === undefined
      ? undefined
      : await loadBaseline(
          request.baseline,
          request,
          logger,
          steps,
          openImage,
          deadline,
          rangeVerifier,
          baselineWrites
        )
  const today = isoDay(request.now ?? new Date())
  const ignores = request.ignores ?? []
  const expired = expiredIgnores(ignores, today)
  for (const ignore of expired) {
    logger.warning(
      `The ignore at ${ignore.source} expired on ${ignore.until} and no longer suppresses anything ("${ignore.reason}"); renew its until date or fix the finding.`
    )
  }
  const failOnNewOnly = request.failOnNewOnly ?? false
  const gated = applyPolicy(
    located,
    request.policy,
    {
      ignores,
      today,
      failOnNewOnly,
      ...(baseline === undefined ? {} : { baseline: baselineFingerprints(baseline) })
    },
    dropped
  )
  for (const report of stepReports) {
    if (report.status === 'pass' || report.status === 'fail') {
      report.status = stepStatus(gated.filter((f) => f.step === report.id))
    }
  }
  const counts: Record<Severity, number> = countBySeverity(gated)
  const report: GateReport = {
    schemaVersion: 1,
    tool: { name: 'container-gate', version: VERSION },
    verdict: verdict(gated, stepReports),
    image: {
      reference: acquired.reference,
      digest: acquired.digest,
      ...(acquired.indexDigest === undefined ? {} : { indexDigest: acquired.indexDigest }),
      configDigest: acquired.configDigest,
      platform: formatPlatform(acquired.platform),
      ...(acquired.config.config?.User ? { user: acquired.config.config.User } : {}),
      layers: layers.map(({ digest, diffId, size, createdBy, cached }) => ({
        digest,
        diffId,
        size,
        ...(createdBy === undefined ? {} : { createdBy: redactCreatedBy(createdBy) }),
        ...(cached === true ? { cached } : {})
      }))
    },
    steps: stepReports,
    // The verdict, step statuses, summary and baseline comparison are the whole list's.
    findings: listFindings(gated),
    summary: { counts, ...blockingAndSuppressed(gated) },
    durationMs: Date.now() - started,
    startedAt: new Date(started).toISOString(),
    mode: request.mode ?? 'enforce',
    ...(baseline === undefined
      ? {}
      : { baseline: compareBaseline(gated, baseline, failOnNewOnly) }),
    ...(expired.length === 0 ? {} : { expiredIgnores: expired })
  }
  return {
    report,
    artifacts,
    layerCacheWrittenBytes: (cache?.writtenBytes ?? 0) + baselineWrites.bytes
  }
}

/** The Dockerfile of the request, read once: steps see it and findings are mapped onto it. */
async function readDockerfile(dockerfile: string): Promise<DockerfileText> {
  const text = await readInputFile(dockerfile, {
    subject: `input "dockerfile" ${dockerfile}`,
    fix: 'name the Dockerfile that built the image.',
    code: 'BAD_DOCKERFILE'
  })
  return { file: dockerfile.replace(/^(\.\/)+/, ''), text }
}

/** Puts findings on the Dockerfile lines that caused them; without a match they stay as they are. */
function locateInDockerfile(
  findings: Finding[],
  dockerfile: DockerfileText | undefined,
  image: ImageView,
  logger: Logger
): Finding[] {
  if (dockerfile === undefined) return findings
  const { file, text } = dockerfile
  const map = mapDockerfile(text, file, image.config.history ?? [], image.layers.length)
  if (map === undefined) {
    logger.warning(
      `${file} does not match the history of ${image.reference}; findings are reported without Dockerfile lines.`
    )
    return findings
  }
  logger.info(`Mapped ${map.matched} history entries of ${image.reference} onto ${file}.`)
  return findings.map((finding) => locateFinding(finding, map, image))
}

/**
 * A baseline report file, or an image scanned now with the same policy. A report file that does
 * not exist yet (the first run on a branch, before any cache) means no baseline: every finding is new.
 */
async function loadBaseline(
  input: string,
  request: GateRequest,
  logger: Logger,
  steps: readonly Step[],
  openImage: (reference: string) => ImageSource,
  deadline: ScanDeadline,
  rangeVerifier: RangeVerifier,
  writes: { bytes: number }
): Promise<Baseline | undefined> {
  deadline.enter(`reading the baseline ${input}`)
  if (isReportPath(input, existsSync)) {
    const baseline = await readBaselineReport(input)
    if (baseline === undefined) {
      logger.warning(
        `input "baseline" ${input} does not exist; every finding counts as new. Restore the base branch's report there to compare.`
      )
    }
    return baseline
  }
  // The baseline image is part of this scan: it shares the deadline.
  const { report, layerCacheWrittenBytes } = await logger.group(`Baseline image ${input}`, () =>
    scan(
      {
        image: input,
        policy: request.policy,
        acquire: request.acquire,
        ...(request.layerCache === undefined ? {} : { layerCache: request.layerCache })
      },
      logger,
      steps,
      openImage,
      deadline,
      rangeVerifier
    )
  )
  writes.bytes += layerCacheWrittenBytes
  return reportBaseline(input, report.findings)
}

async function runStep(
  step: Step,
  context: Parameters<Step['run']>[0],
  findings: Finding[],
  artifacts: StepArtifacts,
  unread: Finding[],
  /** Where the step's findings it did not make in full go (StepOutcome.dropped). */
  dropped: Dropped[]
): Promise<StepReport> {
  const started = Date.now()
  try {
    const outcome = await context.logger.group(`Step ${step.id}: ${step.title}`, () =>
      step.run(context)
    )
    const durationMs = Date.now() - started
    if (outcome.skipped !== undefined) {
      context.logger.info(`Step ${step.id} skipped: ${outcome.skipped}`)
      return {
        id: step.id,
        title: step.title,
        status: 'skipped',
        durationMs,
        reason: outcome.skipped
      }
    }
    // Loops, not push(...): spreading hundreds of thousands of arguments overflows the stack.
    for (const finding of unread) findings.push(finding)
    for (const finding of outcome.findings) findings.push(finding)
    if (outcome.dropped !== undefined) dropped.push(outcome.dropped)
    Object.assign(artifacts, outcome.artifacts)
    return {
      id: step.id,
      title: step.title,
      status: 'pass',
      durationMs,
      ...(outcome.notes === undefined ? {} : { notes: outcome.notes })
    }
  } catch (error) {
    // The user's mistake (no vulnerability data, an unreadable key file): the gate cannot run,
    // exit 2 with the message. Anything else fails closed: the step is an error, the gate fails.
    if (isUserError(error)) throw error
    const reason = error instanceof Error ? error.message : String(error)
    context.logger.error(`Step ${step.id} failed to run: ${reason}`)
    return {
      id: step.id,
      title: step.title,
      status: 'error',
      durationMs: Date.now() - started,
      reason
    }
  }
}

/** At most this many unread files are named per step; the rest are counted in one more finding. */
const MAX_UNREAD_NAMED = 50

/**
 * Files of the final filesystem that a step asked for but whose content was not kept (over its
 * request's cap or the scan's budget), as that step's `input-not-analysed` findings: a step that
 * never saw a file must not pass as if it had (docs/architecture.md, "Fail closed").
 */
function unreadInputs(
  image: ImageView,
  requesters: Map<StepId, FileRequest[]>
): Map<StepId, Finding[]> {
  const byStep = new Map<StepId, Finding[]>()
  const compiled = [...requesters].map(([step, files]) => ({
    step,
    requests: compileRequests(files)
  }))
  const counts = new Map<StepId, number>()
  for (const [node, reason] of image.fs.unreadFiles()) {
    for (const { step, requests } of compiled) {
      if (!requests.some((request) => request.matches(node))) continue
      const count = (counts.get(step) ?? 0) + 1
      counts.set(step, count)
      if (count > MAX_UNREAD_NAMED) continue
      const findings = byStep.get(step) ?? []
      findings.push(
        inputNotAnalysed(step, {
          path: node.path,
          layerDigest: image.layers[node.layer]!.digest,
          reason
        })
      )
      byStep.set(step, findings)
    }
  }
  for (const [step, count] of counts) {
    if (count <= MAX_UNREAD_NAMED) continue
    const rest = count - MAX_UNREAD_NAMED
    byStep.get(step)!.push({
      ...inputNotAnalysed(step, { path: `${rest} more files`, reason: '' }),
      subject: 'more files',
      title: `${rest} more files were not analysed, for the same kinds of reasons as those named`
    })
  }
  return byStep
}

/** OCI image-spec config.md: rootfs.diff_ids lists the uncompressed digest of each layer in order. */
function checkDiffIds(image: AcquiredImage): void {
  const expected = image.config.rootfs.diff_ids
  if (expected.length !== image.layers.length) {
    throw new ImageError(
      `${image.reference}: the config lists ${expected.length} layers but the manifest has ${image.layers.length}; the image is corrupt.`,
      'LAYER_COUNT_MISMATCH'
    )
  }
  image.layers.forEach(({ descriptor, analysis }, i) => {
    if (analysis.diffId !== expected[i]) {
      throw new ImageError(
        `layer ${descriptor.digest} uncompresses to ${analysis.diffId}, but the config's rootfs.diff_ids[${i}] is ${expected[i]}; the image is corrupt or was tampered with.`,
        'DIFF_ID_MISMATCH'
      )
    }
  })
}

/**
 * Pairs layers with the history entries that created them (empty_layer entries have none), and
 * marks those whose analysis came from the layer cache.
 */
function layerInfos(image: AcquiredImage, cached?: ReadonlySet<string>): LayerInfo[] {
  const producing = (image.config.history ?? []).filter((h) => h.empty_layer !== true)
  return image.layers.map(({ descriptor, analysis }, i) => {
    const createdBy =
      producing.length === image.layers.length ? producing[i]?.created_by : undefined
    return {
      digest: descriptor.digest,
      diffId: analysis.diffId,
      size: descriptor.size,
      mediaType: descriptor.mediaType,
      ...(createdBy === undefined ? {} : { createdBy }),
      ...(cached?.has(descriptor.digest) === true ? { cached: true } : {})
    }
  })
}

/** One line on what the layer cache saved: how many layers, how many bytes not read again. */
function logCacheUse(image: AcquiredImage, cache: LayerCache, logger: Logger): void {
  const hits = image.layers.filter(({ descriptor }) => cache.hits.has(descriptor.digest))
  const bytes = hits.reduce((sum, { descriptor }) => sum + descriptor.size, 0)
  logger.info(
    hits.length === 0
      ? `Layer cache (${cache.dir}): no layer of ${image.reference} was analysed before.`
      : `Layer cache (${cache.dir}): ${hits.length} of ${image.layers.length} layers of ${image.reference} analysed before (${formatBytes(bytes)} not analysed again).`
  )
}
