/** Real OSV records for tests: the GitHub advisories in ../shared and the Debian fixtures here. */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Package } from '../../../src/packages/model.js'
import type { OsvRecord } from '../../../src/steps/composition/osv/schema.js'

const repo = fileURLToPath(new URL('../../../', import.meta.url))
/** github/advisory-database records, CC-BY 4.0 (see its README and SOURCES.md). */
export const NPM_OSV_DIR = join(repo, '__tests__', 'steps', 'composition', 'fixtures', 'osv-npm')
export const DEBIAN_OSV_DIR = join(
  repo,
  '__tests__',
  'steps',
  'composition',
  'fixtures',
  'osv-debian'
)

export function readRecords(dir: string): OsvRecord[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => JSON.parse(readFileSync(join(dir, name), 'utf8')) as OsvRecord)
}

export function npm(
  name: string,
  version: string,
  path = `/app/node_modules/${name}/package.json`
): Package {
  return {
    name,
    version,
    ecosystem: 'npm',
    purl: `pkg:npm/${name}@${version}`,
    path,
    licenses: ['MIT'],
    kind: 'language'
  }
}

/** A Debian binary package built from `source` (dpkg `Source:` field). */
export function deb(
  name: string,
  version: string,
  source: string,
  sourceVersion = version
): Package {
  return {
    name,
    version,
    ecosystem: 'Debian:12',
    purl: `pkg:deb/debian/${name}@${version}?arch=amd64&distro=debian-12`,
    path: '/var/lib/dpkg/status',
    licenses: [],
    kind: 'os',
    arch: 'amd64',
    ...(source === name ? {} : { source: { name: source, version: sourceVersion } })
  }
}
