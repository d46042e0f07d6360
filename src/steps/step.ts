/** The one interface every verification method implements (docs/architecture.md). */
import type { Dropped, Finding, StepId } from '../findings.js'
import type {
  FileRequest,
  LayerSubscription,
  SubscriptionKey,
  Whiteout
} from '../image/analysis.js'
import type { RegistryAccess } from '../image/source.js'
import type { FileSystem, ImageConfig, LayerInfo, Platform, TarEntry } from '../image/types.js'
import type { Logger } from '../log.js'
import type { Policy } from '../policy/policy.js'
import type { Package } from '../packages/model.js'
import type { ContentManifest } from '../custody/model.js'
import type { TestResult } from '../test-results.js'

/** What a step knows of the image: metadata and the final filesystem. Read-only. */
export interface ImageView {
  reference: string
  digest: string
  platform: Platform
  config: ImageConfig
  configDigest: string
  layers: LayerInfo[]
  fs: FileSystem
  /** Results of a step's LayerSubscription, one per layer in layer order. */
  visits<R>(key: SubscriptionKey<R>): Array<R | undefined>
  /**
   * What each layer wrote and deleted, in layer order: its tar entries (whiteout markers apart,
   * in tar order) and its whiteouts, including what a later layer hides.
   */
  layerChanges(): ReadonlyArray<LayerEntries>
  /** The manifest's annotations (OCI image-spec annotations.md), e.g. the base image's name. */
  annotations?: Record<string, string>
}

export interface LayerEntries {
  entries: readonly TarEntry[]
  whiteouts: readonly Whiteout[]
}

export interface StepContext {
  image: ImageView
  policy: Policy
  logger: Logger
  /** How to reach registries beyond the image itself (signatures, base images). */
  registry?: RegistryAccess
  /** The Dockerfile that built the image, when the request names one (read once by the engine). */
  dockerfile?: DockerfileText
}

export interface DockerfileText {
  /** As findings name it, e.g. `Dockerfile` or `app/Dockerfile`. */
  file: string
  text: string
}

export interface StepOutcome {
  findings: Finding[]
  /** Set when the step could not run (never a silent pass): the reason is reported. */
  skipped?: string
  /** Short lines for the report, e.g. "checked 3 setuid files". */
  notes?: string[]
  /** What the step produced besides findings, for the outputs that need it (SBOM, JUnit, …). */
  artifacts?: StepArtifacts
  /** Findings past the step's bounds, not made in full: judged and counted by the engine. */
  dropped?: Dropped
}

export interface StepArtifacts {
  /** composition: every package in the final filesystem (the SBOM). */
  packages?: Package[]
  /** tests: one result per test (JUnit). */
  testResults?: TestResult[]
  /** custody: every file's digest (`--manifest`, drift). */
  contentManifest?: ContentManifest
}

/** What a step needs from the single pass over the image. */
export interface StepNeeds {
  /** Files of the final filesystem whose content the step reads through `fs.read`. */
  files?: FileRequest[]
  /** Per-layer analysis (e.g. secrets in files a later layer deletes), read through `visits`. */
  subscriptions?: LayerSubscription[]
}

export interface Step {
  readonly id: StepId
  readonly title: string
  /**
   * What this step needs from the single pass over the image, given the policy (it may read user
   * files, e.g. signature databases, so it may be async). Awaited before the image is read.
   */
  needs?(policy: Policy): StepNeeds | Promise<StepNeeds>
  run(context: StepContext): Promise<StepOutcome>
}
