/** The version ordering for each OSV ecosystem (ossf.github.io/osv-schema, "Defined ecosystems"). */
import { apkComparator } from './apk.js'
import type { VersionComparator } from './comparator.js'
import { dpkgComparator } from './dpkg.js'
import { mavenComparator } from './maven.js'
import { nugetComparator } from './nuget.js'
import { pep440Comparator } from './pep440.js'
import { rpmComparator } from './rpm.js'
import { rubygemsComparator } from './rubygems.js'
import { goComparator, semverComparator } from './semver.js'

export type { VersionComparator } from './comparator.js'

/** By the ecosystem's name before any `:release` suffix (`Debian:12` → `Debian`). */
const BY_ECOSYSTEM: Record<string, VersionComparator> = {
  Debian: dpkgComparator,
  Ubuntu: dpkgComparator,
  Alpine: apkComparator,
  Wolfi: apkComparator,
  Chainguard: apkComparator,
  'Red Hat': rpmComparator,
  AlmaLinux: rpmComparator,
  'Rocky Linux': rpmComparator,
  openSUSE: rpmComparator,
  SUSE: rpmComparator,
  Mageia: rpmComparator,
  'Azure Linux': rpmComparator,
  'Photon OS': rpmComparator,
  npm: semverComparator,
  'crates.io': semverComparator,
  Hex: semverComparator,
  Pub: semverComparator,
  Go: goComparator,
  PyPI: pep440Comparator,
  Maven: mavenComparator,
  RubyGems: rubygemsComparator,
  NuGet: nugetComparator
}

/** `Debian:12` → `Debian`, `Ubuntu:22.04:LTS` → `Ubuntu`. */
export function baseEcosystem(ecosystem: string): string {
  const colon = ecosystem.indexOf(':')
  return colon === -1 ? ecosystem : ecosystem.slice(0, colon)
}

/** Undefined for ecosystems without a known ordering: only their explicit `versions` lists match. */
export function comparatorFor(ecosystem: string): VersionComparator | undefined {
  return BY_ECOSYSTEM[baseEcosystem(ecosystem)]
}

export {
  apkComparator,
  dpkgComparator,
  goComparator,
  mavenComparator,
  nugetComparator,
  pep440Comparator,
  rpmComparator,
  rubygemsComparator,
  semverComparator
}
