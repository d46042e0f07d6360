/**
 * Step 4, composition analysis: every OS and language package in the image (the SBOM), matched
 * against OSV vulnerability data with each ecosystem's own version rules, and checked against
 * the license policy. Data: docs/vulnerability-data.md.
 */
import { readInputFile } from '../../files.js'
import { drop, fingerprint } from '../../policy/evaluate.js'
import { ConfigurationError } from '../../errors.js'
import {
  Dropped,
  inputNotAnalysed,
  type Finding,
  type FindingPackage,
  type Severity
} from '../../findings.js'
import {
  MAX_VEX_BYTES,
  parseOpenVex,
  vexStatementFor,
  vexSuppression,
  type VexStatement
} from '../../policy/vex.js'
import type { ImageView, Step, StepContext, StepOutcome } from '../step.js'
import {
  CATALOG_FILES,
  CATALOG_SUBSCRIPTIONS,
  catalogPackages,
  type Catalog
} from './catalog/index.js'
import { deniedLicenses, disallowedLicenses } from './licenses.js'
import { UNMATCHED_ECOSYSTEMS, type Package } from '../../packages/model.js'
import { createAdvisoryIndexCache } from './osv/index-cache.js'
import {
  createVulnerabilityDataLoader,
  noVulnerabilityData,
  type DataSource,
  type VulnerabilityData,
  type VulnerabilityDataLoader
} from './osv/load.js'
import type { AdvisoryIndex } from './osv/index.js'
import { advisoryCoordinates, matchPackage, type MatchedVulnerability } from './osv/match.js'
import type { CompositionSettings } from './settings.js'
import { baseEcosystem } from '../../packages/versions/index.js'

export interface CompositionDependencies {
  catalog?: (image: ImageView) => Catalog
  loadVulnerabilityData?: VulnerabilityDataLoader
  readVex?: (path: string) => Promise<string>
}

function findingPackage(pkg: Package): FindingPackage {
  return { name: pkg.name, version: pkg.version, ecosystem: pkg.ecosystem, purl: pkg.purl }
}

function location(pkg: Package): Finding['location'] {
  return pkg.layerDigest === undefined
    ? { path: pkg.path }
    : { path: pkg.path, layerDigest: pkg.layerDigest }
}

function fixAdvice(pkg: Package, fixed: string | undefined): string {
  const { name } = advisoryCoordinates(pkg)
  if (fixed === undefined) {
    return 'No fixed version is published yet: remove the package if the image does not need it, or record why it does not apply with a VEX statement or an ignore.'
  }
  if (pkg.kind === 'os') {
    const via = name === pkg.name ? '' : ` (source package ${name})`
    return `Rebuild on an updated base image or upgrade ${pkg.name}${via} to ${fixed} or later with the distribution's package manager.`
  }
  return `Upgrade ${pkg.name} to ${fixed} or later.`
}

/** Other paths of a package named in each of its vulnerability findings; the rest are counted. */
const MAX_OTHER_PATHS = 10

/**
 * Vulnerability findings one scan makes in full (docs/limits.md): an old distribution's image has
 * a few thousand; a crafted one can list 100,000 versions of a package, each in the range of many
 * advisories. Past it a finding is kept only as what the policy needs to judge it (`Dropped`);
 * the engine folds those into one finding that blocks when one of them would.
 */
export const MAX_VULNERABILITY_FINDINGS = 20_000

function vulnerabilityFinding(
  pkg: Package,
  match: MatchedVulnerability,
  settings: CompositionSettings,
  otherPaths: string[]
): Finding {
  const unknown = match.rating.severity === 'unknown'
  const severity: Severity = unknown
    ? settings.unknownSeverity
    : (match.rating.severity as Severity)
  const fix = match.fixedVersion === undefined ? 'no fix yet' : `fixed in ${match.fixedVersion}`
  const rated = unknown
    ? `The data gives no severity; rated ${severity} by unknown-severity.`
    : `Severity from ${match.rating.source}.`
  // Every finding of the package repeats this: an image with thousands of copies would make it
  // copies × advisories long.
  const named = otherPaths.slice(0, MAX_OTHER_PATHS).join(', ')
  const more =
    otherPaths.length > MAX_OTHER_PATHS ? ` and ${otherPaths.length - MAX_OTHER_PATHS} more` : ''
  const also = otherPaths.length === 0 ? '' : ` Also installed at ${named}${more}.`
  return {
    step: 'composition',
    rule: 'composition/vulnerability',
    severity,
    title: `${match.id} in ${pkg.name} ${pkg.version} (${fix})`,
    detail: `${match.summary === undefined ? '' : `${match.summary.replace(/\.?\s*$/, '.')} `}${rated} ${fixAdvice(pkg, match.fixedVersion)}${also}`,
    subject: `${pkg.purl} ${match.id}`,
    location: location(pkg),
    package: findingPackage(pkg),
    vulnerability: {
      id: match.id,
      aliases: match.aliases,
      ...(match.fixedVersion === undefined ? {} : { fixedVersion: match.fixedVersion })
    }
  }
}

function licenseFindings(pkg: Package, settings: CompositionSettings): Finding[] {
  const base = {
    step: 'composition' as const,
    subject: pkg.purl,
    location: location(pkg),
    package: findingPackage(pkg)
  }
  const findings: Finding[] = []
  const denied = deniedLicenses(pkg.licenses, settings.licenseDeny)
  if (denied.length > 0) {
    findings.push({
      ...base,
      rule: 'composition/license-denied',
      severity: 'high',
      title: `${pkg.name} ${pkg.version} is under a denied license: ${denied.join(', ')}`,
      detail: `Its license (${pkg.licenses.join(' AND ')}) is on license-deny. Replace the package, or take it out of license-deny if your use is cleared.`
    })
  }
  if (settings.licenseAllow.length > 0 && pkg.licenses.length === 0) {
    findings.push({
      ...base,
      rule: 'composition/license-unknown',
      severity: 'low',
      title: `${pkg.name} ${pkg.version} has no license data`,
      detail:
        'license-allow is set but the package metadata names no license. Check the license by hand and record it with an ignore.'
    })
  } else {
    const disallowed = disallowedLicenses(pkg.licenses, settings.licenseAllow)
    if (disallowed.length > 0) {
      findings.push({
        ...base,
        rule: 'composition/license-not-allowed',
        severity: 'high',
        title: `${pkg.name} ${pkg.version} is under a license not on license-allow: ${disallowed.join(', ')}`,
        detail: `Its license (${pkg.licenses.join(' AND ')}) has no choice made only of licenses on license-allow. Replace the package or add the license to license-allow.`
      })
    }
  }
  return findings
}

function describeSource(source: DataSource, now: number): string {
  if (source.fetchedAt === undefined) return source.origin
  const hours = Math.round((now - source.fetchedAt.getTime()) / 3_600_000)
  return `${source.ecosystem ?? source.origin} (${source.stale === true ? 'stale cached copy, ' : ''}fetched ${hours < 1 ? 'within the hour' : `${hours} h ago`})`
}

function countBy<T>(items: T[], key: (item: T) => string): string {
  const counts = new Map<string, number>()
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1)
  return [...counts]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, n]) => `${k} ${n}`)
    .join(', ')
}

async function readStatements(
  paths: string[],
  read: (path: string) => Promise<string>
): Promise<VexStatement[]> {
  const statements: VexStatement[] = []
  for (const path of paths) {
    let content: string
    try {
      content = await read(path)
    } catch (error) {
      if (error instanceof ConfigurationError) throw error
      throw new ConfigurationError(
        `input "vex" ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}); name an OpenVEX JSON file.`,
        'BAD_VEX',
        { cause: error }
      )
    }
    statements.push(...parseOpenVex(content, path))
  }
  return statements
}

/** Only the packages some version rule or advisory could match: every ecosystem the image has. */
function neededEcosystems(packages: Package[]): string[] {
  const needed = new Set(packages.map((pkg) => baseEcosystem(pkg.ecosystem)))
  for (const ecosystem of UNMATCHED_ECOSYSTEMS) needed.delete(ecosystem)
  return [...needed].sort()
}

/**
 * Ecosystems the image needs that the data has nothing for: those the loader could not get, and
 * those no record of the data names (a `--vuln-db` of npm records for a Debian image). Either
 * way those packages would pass as "0 vulnerabilities" without having been looked up.
 */
function missingEcosystems(
  needed: string[],
  data: VulnerabilityData,
  index: AdvisoryIndex
): VulnerabilityData['missing'] {
  const covered = new Set([...index.ecosystems].map(baseEcosystem))
  const missing = [...data.missing]
  const origins = data.sources.map((s) => s.origin).join(', ')
  for (const ecosystem of needed) {
    if (covered.has(ecosystem) || missing.some((m) => m.ecosystem === ecosystem)) continue
    missing.push({ ecosystem, reason: `${origins || 'the data'} holds no ${ecosystem} records` })
  }
  return missing.sort((a, b) =>
    a.ecosystem < b.ecosystem ? -1 : a.ecosystem > b.ecosystem ? 1 : 0
  )
}

export function createCompositionStep(dependencies: CompositionDependencies = {}): Step {
  const catalog = dependencies.catalog ?? catalogPackages
  const load = dependencies.loadVulnerabilityData ?? createVulnerabilityDataLoader()
  const readVex =
    dependencies.readVex ??
    ((path: string) =>
      readInputFile(path, {
        subject: `input "vex" ${path}`,
        fix: 'name an OpenVEX JSON file.',
        code: 'BAD_VEX',
        maxBytes: MAX_VEX_BYTES
      }))
  const indexFor = createAdvisoryIndexCache()

  async function run({ image, policy, logger }: StepContext): Promise<StepOutcome> {
    const settings = policy.composition
    const started = Date.now()
    const { packages, distro, unread = [] } = catalog(image)
    const statements = await readStatements(settings.vex, readVex)
    const notes = [
      packages.length === 0
        ? 'no packages found'
        : `${packages.length} packages: ${countBy(packages, (p) => p.ecosystem)}`
    ]
    if (distro !== undefined) notes.push(`distribution ${distro.prettyName ?? distro.id}`)

    const unmatched = packages.filter((p) => UNMATCHED_ECOSYSTEMS.has(baseEcosystem(p.ecosystem)))
    if (unmatched.length > 0)
      notes.push(
        `in the SBOM only, as OSV has no data for them: ${countBy(unmatched, (p) => p.ecosystem)}`
      )

    const matches = new Map<Package, MatchedVulnerability[]>()
    const needed = neededEcosystems(packages)
    if (needed.length > 0) {
      const data = await load({ vulnDb: settings.vulnDb, ecosystems: needed, logger })
      const index = await indexFor(data, logger)
      const missing = missingEcosystems(needed, data, index)
      if (missing.length > 0) {
        if (!settings.allowNoVulnData) throw noVulnerabilityData(settings.vulnDb, missing)
        const list = missing.map((m) => `${m.ecosystem} (${m.reason})`).join('; ')
        logger.warning(`no vulnerability data for ${list}; those packages were not matched.`)
        notes.push(`NOT matched for lack of data: ${missing.map((m) => m.ecosystem).join(', ')}`)
      }
      const now = Date.now()
      if (data.sources.length > 0) {
        notes.push(
          `vulnerability data: ${data.sources.map((s) => describeSource(s, now)).join(', ')}; ${index.advisories} advisories, ${index.withdrawn} withdrawn ignored`
        )
      }
      // Once per package coordinates: copies of a package (an image chooses how many) share the
      // matches of the first.
      const matched = new Map<string, MatchedVulnerability[]>()
      for (const pkg of packages) {
        const { name, version } = advisoryCoordinates(pkg)
        const key = `${pkg.ecosystem}\0${pkg.kind}\0${name}\0${version}`
        let found = matched.get(key)
        if (found === undefined) {
          found = matchPackage(index, pkg)
          matched.set(key, found)
        }
        matches.set(pkg, found)
      }
    }

    // One finding per problem per package: copies of one package at several paths are one finding.
    const vulnerabilities = new Map<
      string,
      { finding: Finding; paths: string[]; pkg: Package; match: MatchedVulnerability }
    >()
    const dropped = new Dropped('composition')
    // Fingerprints of the dropped ones: copies of a package at several paths are one, as made ones.
    const droppedPrints = new Set<string>()
    for (const [pkg, found] of matches) {
      for (const match of found) {
        if (settings.ignoreUnfixed && match.fixedVersion === undefined) continue
        const subject = `${pkg.purl} ${match.id}`
        const seen = vulnerabilities.get(subject)
        if (seen === undefined && vulnerabilities.size >= MAX_VULNERABILITY_FINDINGS) {
          const finding = vulnerabilityFinding(pkg, match, settings, [])
          const print = fingerprint(finding)
          if (droppedPrints.has(print)) continue
          droppedPrints.add(print)
          const suppression = vexSuppression(vexStatementFor(finding, statements, image.digest))
          drop(dropped, suppression === undefined ? finding : { ...finding, suppression }, pkg.path)
        } else if (seen === undefined) {
          vulnerabilities.set(subject, {
            finding: vulnerabilityFinding(pkg, match, settings, []),
            paths: [],
            pkg,
            match
          })
        } else if (pkg.path !== seen.pkg.path) {
          seen.paths.push(pkg.path)
        }
      }
    }
    const findings: Finding[] = [...vulnerabilities.values()].map(
      ({ finding, paths, pkg, match }) => {
        const complete =
          paths.length === 0 ? finding : vulnerabilityFinding(pkg, match, settings, paths)
        // Reported as suppressed by the gate (policy/suppress.ts), never dropped here.
        const suppression = vexSuppression(vexStatementFor(complete, statements, image.digest))
        return suppression === undefined ? complete : { ...complete, suppression }
      }
    )
    const licensed = new Set<string>()
    for (const pkg of packages) {
      if (licensed.has(pkg.purl)) continue
      licensed.add(pkg.purl)
      findings.push(...licenseFindings(pkg, settings))
    }
    // Fail closed: a package database or metadata file the catalog could not read is a finding.
    // A loop, not push(...): an image may hold more unreadable files than a call has arguments.
    for (const input of unread) findings.push(inputNotAnalysed('composition', input))
    const affected = new Set([...vulnerabilities.values()].map(({ pkg }) => pkg.purl)).size
    notes.push(
      `${vulnerabilities.size} vulnerabilities in ${affected} packages${settings.ignoreUnfixed ? ' (unfixed left out)' : ''}; ${Date.now() - started} ms`
    )
    if (dropped.size > 0)
      notes.push(`${dropped.size} more past ${MAX_VULNERABILITY_FINDINGS}, counted`)
    return {
      findings,
      notes,
      artifacts: { packages },
      ...(dropped.size + dropped.tail.size > 0 ? { dropped } : {})
    }
  }

  return {
    id: 'composition',
    title: 'Composition analysis',
    needs: () => ({ files: CATALOG_FILES, subscriptions: CATALOG_SUBSCRIPTIONS }),
    run
  }
}

export const compositionStep: Step = createCompositionStep()
