/** RPM packages (RHEL, Fedora, Rocky, Alma, Amazon Linux, SUSE) from the rpmdb. */
import type { FileRequest } from '../../../../image/analysis.js'
import type { Package } from '../../model.js'
import { definePackage, purl, type CatalogInput } from '../package.js'
import { RPMDB_GLOBS, readRpmdb } from './rpmdb.js'

export const RPM_FILES: FileRequest = { globs: RPMDB_GLOBS, maxBytes: 256 * 1024 * 1024 }

/** purl-spec's rpm namespaces are the vendor's name: `redhat`, `fedora`, `opensuse`, … */
const NAMESPACES: Record<string, string> = { rhel: 'redhat', centos: 'centos', sles: 'suse' }

export function catalogRpm(input: CatalogInput): Package[] {
  const { image, distro } = input
  const db = readRpmdb(image.fs)
  if (db === undefined) return []
  const ecosystem = distro?.ecosystem ?? 'Red Hat'
  const namespace = distro === undefined ? 'redhat' : (NAMESPACES[distro.id] ?? distro.id)
  const distroQualifier =
    distro?.versionId === undefined ? undefined : `${distro.id}-${distro.versionId}`
  return db.packages
    .filter((header) => header.name !== 'gpg-pubkey')
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
