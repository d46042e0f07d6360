/** The SBOM entry: one package found in the final filesystem (composition step). */
export interface Package {
  name: string
  version: string
  /**
   * OSV ecosystem name: `Debian:12`, `Alpine:v3.20`, `npm`, `PyPI`, `Go`, `Maven`, …; or one OSV
   * does not define (UNMATCHED_ECOSYSTEMS), whose packages are in the SBOM only.
   */
  ecosystem: string
  /** Package URL (purl-spec), built with packageurl-js. */
  purl: string
  /** Where it was found, e.g. `/var/lib/dpkg/status` or `/app/node_modules/lodash/package.json`. */
  path: string
  /** Compressed digest of the layer that added it. */
  layerDigest?: string
  /** SPDX license expressions where the metadata gives them. */
  licenses: string[]
  /**
   * The source package OS advisories are written against: dpkg `Source:` (name and version),
   * apk `origin`, rpm source rpm. Absent when it equals the binary package.
   */
  source?: { name: string; version: string }
  /** `os` for distribution packages, `language` for npm, PyPI, Go, Maven, … */
  kind: 'os' | 'language'
  /** Binary architecture where the metadata gives it (dpkg, apk, rpm). */
  arch?: string
}

/** conda packages (`conda-meta/*.json`): Anaconda's and conda-forge's builds. */
export const CONDA_ECOSYSTEM = 'conda'

/** Ecosystems OSV does not define: no vulnerability data can exist for them, none is needed. */
export const UNMATCHED_ECOSYSTEMS: ReadonlySet<string> = new Set([CONDA_ECOSYSTEM])
