/**
 * Runs the ecosystems' own implementations as references: Debian's python3-apt, python3-rpm,
 * python3-packaging, dpkg itself and the Maven jar. Each call is one process for a whole batch.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'

const PYTHON = '/usr/bin/python3'

/** Why a reference is unavailable (naming the package to install), or undefined. */
export function missingPythonModule(module: string, aptPackage: string): string | undefined {
  if (!existsSync(PYTHON))
    return `skipped: ${PYTHON} not found (apt-get install -y python3 ${aptPackage})`
  const probe = spawnSync(PYTHON, ['-c', `import ${module}`])
  return probe.status === 0
    ? undefined
    : `skipped: python module ${module} not importable by ${PYTHON} (apt-get install -y ${aptPackage})`
}

/** Feeds `pairs` to a Python snippet defining `cmp(a, b)`; returns its results in order. */
export function pythonCompare(snippet: string, pairs: Array<[string, string]>): number[] {
  const program = `
import json, sys
${snippet}
pairs = json.load(sys.stdin)
out = []
for a, b in pairs:
    r = cmp(a, b)
    out.append((r > 0) - (r < 0))
json.dump(out, sys.stdout)
`
  const output = execFileSync(PYTHON, ['-c', program], {
    input: JSON.stringify(pairs),
    maxBuffer: 64 * 1024 * 1024
  })
  return JSON.parse(output.toString('utf8')) as number[]
}

/** `dpkg --compare-versions` for every pair, in one shell process. */
export function dpkgCompare(pairs: Array<[string, string]>): number[] {
  const script = pairs
    .map(
      ([a, b]) =>
        `if dpkg --compare-versions '${a}' lt '${b}'; then echo -1; elif dpkg --compare-versions '${a}' eq '${b}'; then echo 0; else echo 1; fi`
    )
    .join('\n')
  return execFileSync('sh', ['-s'], { input: script, maxBuffer: 16 * 1024 * 1024 })
    .toString('utf8')
    .trim()
    .split('\n')
    .map(Number)
}

export const MAVEN_JAR = '/usr/share/maven/lib/maven-artifact-3.x.jar'

/**
 * `java -cp maven-artifact.jar ComparableVersion v1 v2 …` prints `v1 < v2`, `v1 == v2` or
 * `v1 > v2` for each neighbouring pair; returns those results in order.
 */
export function mavenCompare(versions: string[]): number[] {
  const output = execFileSync(
    'java',
    ['-cp', MAVEN_JAR, 'org.apache.maven.artifact.versioning.ComparableVersion', ...versions],
    { maxBuffer: 16 * 1024 * 1024 }
  ).toString('utf8')
  return output
    .split('\n')
    .filter((line) => /^ {3}\S/.test(line))
    .map((line) => {
      const operator = / (<|==|>) /.exec(line)?.[1]
      return operator === '<' ? -1 : operator === '>' ? 1 : 0
    })
}

/** Every `Version:` of the machine's apt indexes (decompressed by apt's own helper). */
export function aptVersions(): string[] {
  const dir = '/var/lib/apt/lists'
  if (!existsSync(dir)) return []
  const versions = new Set<string>()
  for (const name of readdirSync(dir).filter((n) => /_Packages(\.lz4|\.gz|\.xz)?$/.test(n))) {
    const text = execFileSync('/usr/lib/apt/apt-helper', ['cat-file', `${dir}/${name}`], {
      maxBuffer: 512 * 1024 * 1024
    }).toString('utf8')
    for (const match of text.matchAll(/^Version: (\S+)$/gm)) versions.add(match[1]!)
  }
  return [...versions].sort()
}

/** Deterministic pseudo-random numbers (mulberry32), so failures reproduce. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Neighbours in text order (they share prefixes, where orderings differ) plus random pairs. */
export function interestingPairs(
  values: string[],
  count: number,
  seed = 1
): Array<[string, string]> {
  const random = seededRandom(seed)
  const pairs: Array<[string, string]> = []
  const step = Math.max(1, Math.floor(values.length / (count / 2)))
  for (let i = 0; i + 1 < values.length && pairs.length < count / 2; i += step) {
    pairs.push([values[i]!, values[i + 1]!])
  }
  while (pairs.length < count) {
    const a = values[Math.floor(random() * values.length)]!
    const b = values[Math.floor(random() * values.length)]!
    pairs.push([a, b])
  }
  return pairs
}
