/** RPM packages (RHEL, Fedora, Rocky, Alma, Amazon Linux, SUSE) from the rpmdb. */
import type { UnreadInput } from '../../../findings.js'
import type { FileRequest } from '../../../image/analysis.js'
import type { Package } from '../../../packages/model.js'
import { definePackage, type CatalogInput } from './package.js'
import { purl } from '../../../packages/purl.js'
import { unreadFile } from '../../../os/bad-records.js'
import { RPMDB_GLOBS, readRpmdb } from '../../../os/rpm/rpmdb.js'

/**
 * Each package's header (file list, changelog, signatures) is stored whole, typically 30–100 KB,
 * so a 2,000-package database is 60–200 MB; 256 MiB keeps that whole.
 */
export const RPM_FILES: FileRequest = { globs: RPMDB_GLOBS, maxBytes: 256 * 1024 * 1024 }

/** purl-spec's rpm namespaces are the vendor's name: `redhat`, `fedora`, `opensuse`, … */
const NAMESPACES: Record<string, string> = { rhel: 'redhat', centos: 'centos', sles: 'suse' }

/** Packages of the rpmdb; a database or headers that cannot be read go to `unread`. */
export function catalogRpm(input: CatalogInput, unread: UnreadInput[]): Package[] {
  const { image, distro } = input
  const db = readRpmdb(image.fs)
  if (db === undefined) return []
  if (db.unreadable !== undefined) {
    unread.push(unreadFile(image, db.path, `${db.unreadable}; its packages are not in the SBOM`))
    return []
  }
  const problem = db.bad.unread(image, db.path, 'package record')
  if (problem !== undefined) unread.push(problem)
  const ecosystem = distro?.ecosystem ?? 'Red Hat'
  const namespace = distro === undefined ? 'redhat' : (NAMESPACES[distro.id] ?? distro.id)
  const distroQualifier =
    distro?.versionId === undefined ? undefined : `${distro.id}-${distro.versionId}`
  return db.packages
    .filter((header) => header.name !== 'gpg-pubkey' && input.budget.take(db.path))
    .map((header) => {
      // OSV and rpm both compare `[epoch:]version-release`.
      const evr = `${header.version}-${header.release}`
      const version = header.epoch === undefined ? evr : `${header.epoch}:${evr}`
      const source = sourceRpm(header.sourceRpm, header.epoch)
      return definePackage(image, {
        name: header.name,
        version,
        ecosystem,
        purl: purl('rpm', namespace, header.name, evr, {
          arch: header.arch,
          epoch: header.epoch === undefined ? undefined : String(header.epoch),
          distro: distroQualifier,
          upstream: header.sourceRpm
        }),
        path: db.path,
        kind: 'os',
        licenses: header.license === undefined ? [] : [header.license],
        ...(source === undefined || (source.name === header.name && source.version === version)
          ? {}
          : { source }),
        ...(header.arch === undefined ? {} : { arch: header.arch })
      })
    })
}

/**
 * `name-version-release.src.rpm` → name and `[epoch:]version-release`. The file name carries no
 * epoch; a source rpm builds its binaries with its own epoch, so the binary's is the source's.
 */
function sourceRpm(
  file: string | undefined,
  epoch: number | undefined
): { name: string; version: string } | undefined {
  const match = /^(.+)-([^-]+)-([^-]+)\.(?:no)?src\.rpm$/.exec(file ?? '')
  if (match === null) return undefined
  const evr = `${match[2]}-${match[3]}`
  return { name: match[1]!, version: epoch === undefined ? evr : `${epoch}:${evr}` }
}
