/**
 * Layers → the Dockerfile instructions that created them → lines, so each finding points at the
 * line to change. The image's history (OCI image-spec config.md) ends with one entry per
 * instruction of the built stage and of the stages it starts from; entries before those came
 * with the base image. Entries are aligned with instructions by keyword and arguments, which
 * copes with builders that record some instructions and not others.
 */
import type { Finding } from '../findings.js'
import type { FileSystem, HistoryEntry } from '../image/types.js'
import { parseCreatedBy, type HistoryInstruction } from './history.js'
import { parseDockerfile, type DockerInstruction, type Stage } from './parse.js'

export interface DockerfileMap {
  /** The Dockerfile as findings name it (relative to the repository root). */
  file: string
  /** Per layer (0-based index): the line of the instruction that created it. */
  layerLines: Array<number | undefined>
  /** The FROM line of the stage that was built. */
  fromLine: number
  /** The FROM line naming the base image: of the first stage in the chain the built stage starts from. */
  baseLine: number
  /** The instructions of the built stage and the stages it starts from, in build order. */
  instructions: DockerInstruction[]
  /** How many history entries matched an instruction. */
  matched: number
}

/**
 * Alignment cells (history entries × instructions) computed per mapping, over all candidate
 * stages: 8 bytes and a score each. Real images and Dockerfiles need thousands (100 entries ×
 * 50 instructions × a few stages); 4M is a 4096-entry history against 1000 instructions.
 */
export const MAX_ALIGNMENT_CELLS = 4 * 1024 * 1024

/** Stages the built stage starts from, root first (`FROM build AS final` continues `build`). */
function chainOf(stages: Stage[], target: number): Stage[] {
  const chain: Stage[] = [stages[target]!]
  for (let guard = 0; guard < stages.length; guard++) {
    const base = chain[0]!.base.toLowerCase()
    const index = stages.findIndex(
      (stage, i) => i < stages.indexOf(chain[0]!) && stage.name === base
    )
    if (index === -1) break
    chain.unshift(stages[index]!)
  }
  return chain
}

/** 3: same arguments; 2: same COPY/ADD destination or a RUN that starts the same; 1: same keyword. */
function score(entry: HistoryInstruction, instruction: DockerInstruction): number {
  if (entry.keyword !== instruction.keyword) return 0
  if (entry.args === instruction.args) return 3
  if (entry.destination !== undefined && entry.destination === instruction.destination) return 2
  if (
    entry.keyword === 'RUN' &&
    entry.args.length >= 16 &&
    instruction.args.slice(0, 16) === entry.args.slice(0, 16)
  ) {
    return 2
  }
  return 1
}

interface Alignment {
  score: number
  /** history index → instruction index */
  pairs: Map<number, number>
}

/**
 * The monotone alignment with the best total score (dynamic programming over suffixes). On ties
 * an instruction takes the latest entry it can, since the built stage's entries come last.
 */
function align(history: HistoryInstruction[], instructions: DockerInstruction[]): Alignment {
  const rows = history.length + 1
  const cols = instructions.length + 1
  const best = new Float64Array(rows * cols)
  const at = (i: number, j: number): number => best[i * cols + j]!
  for (let i = history.length - 1; i >= 0; i--) {
    for (let j = instructions.length - 1; j >= 0; j--) {
      const s = score(history[i]!, instructions[j]!)
      best[i * cols + j] = Math.max(at(i + 1, j), at(i, j + 1), s === 0 ? 0 : s + at(i + 1, j + 1))
    }
  }
  const pairs = new Map<number, number>()
  let i = 0
  let j = 0
  while (i < history.length && j < instructions.length) {
    const s = score(history[i]!, instructions[j]!)
    if (at(i + 1, j) === at(i, j)) i++
    else if (s > 0 && s + at(i + 1, j + 1) === at(i, j)) {
      pairs.set(i, j)
      i++
      j++
    } else j++
  }
  return { score: at(0, 0), pairs }
}

/**
 * Maps an image's layers onto a Dockerfile. The built stage is the one whose chain matches the
 * history best (the last stage on a tie, as `docker build` without `--target`). Undefined when
 * the Dockerfile has no stage, when it has instructions and none matches the history (it did
 * not build this image), or when not even the last stage fits MAX_ALIGNMENT_CELLS.
 */
export function mapDockerfile(
  text: string,
  file: string,
  history: HistoryEntry[],
  layerCount: number
): DockerfileMap | undefined {
  const stages = parseDockerfile(text)
  if (stages.length === 0) return undefined
  const entries = history.map((entry) => parseCreatedBy(entry.created_by ?? ''))
  let chosen:
    { chain: Stage[]; instructions: DockerInstruction[]; alignment: Alignment } | undefined
  // Last stage first, so that when the budget runs out the stages most likely built were tried.
  let budget = MAX_ALIGNMENT_CELLS
  for (let index = stages.length - 1; index >= 0; index--) {
    const chain = chainOf(stages, index)
    const instructions = chain.flatMap((stage) => stage.instructions)
    budget -= (entries.length + 1) * (instructions.length + 1)
    if (budget < 0) break
    const alignment = align(entries, instructions)
    // On a tie the later stage wins, as `docker build` without `--target` builds the last one.
    if (chosen === undefined || alignment.score > chosen.alignment.score) {
      chosen = { chain, instructions, alignment }
    }
  }
  if (chosen === undefined) return undefined
  const { chain, instructions, alignment } = chosen
  if (instructions.length > 0 && alignment.pairs.size === 0) return undefined

  const first = Math.min(...alignment.pairs.keys(), history.length)
  const baseLine = chain[0]!.fromLine
  const lineOf = (entry: number): number | undefined => {
    const matched = alignment.pairs.get(entry)
    if (matched !== undefined) return instructions[matched]!.line
    return entry < first ? baseLine : undefined
  }
  // Layers pair with the history entries that are not `empty_layer`, in order.
  const producing = history.flatMap((entry, index) => (entry.empty_layer === true ? [] : [index]))
  const layerLines =
    producing.length === layerCount
      ? producing.map(lineOf)
      : Array.from({ length: layerCount }, () => undefined)
  return {
    file,
    layerLines,
    fromLine: chain.at(-1)!.fromLine,
    baseLine,
    instructions,
    matched: alignment.pairs.size
  }
}

const USER_RULES = new Set([
  'identity/root-user',
  'identity/non-numeric-user',
  'identity/unknown-user',
  'identity/system-range-uid'
])

function last(
  instructions: DockerInstruction[],
  test: (instruction: DockerInstruction) => boolean
): DockerInstruction | undefined {
  return instructions.filter(test).at(-1)
}

/** `80/tcp`, `8000-8010` → the first port number. */
function portOf(subject: string): string | undefined {
  return /^(\d+)/.exec(subject)?.[1]
}

/** The line behind a finding about the image config rather than a file. */
function configLine(finding: Finding, map: DockerfileMap): number | undefined {
  const { instructions } = map
  if (USER_RULES.has(finding.rule)) {
    return last(instructions, (i) => i.keyword === 'USER')?.line ?? map.fromLine
  }
  if (finding.rule === 'identity/privileged-port') {
    const port = portOf(finding.subject)
    const expose = last(
      instructions,
      (i) =>
        i.keyword === 'EXPOSE' &&
        port !== undefined &&
        i.args.split(' ').some((spec) => portOf(spec) === port)
    )
    return expose?.line ?? map.baseLine
  }
  if (finding.rule === 'identity/missing-healthcheck') return map.fromLine
  // Findings about ENV, ARG or LABEL values name them in their subject as `env:NAME` etc.
  const named = /^(env|arg|label)[:=](.+)$/i.exec(finding.subject)
  if (named !== null) {
    const keyword = named[1]!.toUpperCase()
    const name = named[2]!
    const defined = last(
      instructions,
      (i) => i.keyword === keyword && (i.names ?? []).includes(name)
    )
    return defined?.line ?? map.baseLine
  }
  return undefined
}

/** What the mapping needs of the image. */
export interface MappedImage {
  layers: ReadonlyArray<{ digest: string }>
  fs: Pick<FileSystem, 'get'>
}

/**
 * The finding with `location.dockerfile` set when its line is known: by rule for findings about
 * the config (user → last USER, else the built stage's FROM), else by the layer that added its
 * file (base-image layers → the FROM naming the base). Findings that cannot be placed are
 * returned unchanged, never dropped.
 */
export function locateFinding(finding: Finding, map: DockerfileMap, image: MappedImage): Finding {
  if (finding.location.dockerfile !== undefined) return finding
  let line = configLine(finding, map)
  if (line === undefined) {
    const { layerDigest, path } = finding.location
    const layer =
      layerDigest !== undefined
        ? image.layers.findIndex((candidate) => candidate.digest === layerDigest)
        : path !== undefined
          ? (image.fs.get(path)?.layer ?? -1)
          : -1
    line = layer === -1 ? undefined : map.layerLines[layer]
  }
  if (line === undefined) return finding
  return { ...finding, location: { ...finding.location, dockerfile: { file: map.file, line } } }
}
