/**
 * The distribution, from os-release(5): `ID`, `VERSION_ID`, `VERSION_CODENAME`, and the OSV
 * ecosystem its advisories are published under (https://ossf.github.io/osv-schema/#affectedpackage-field).
 */
import type { FileSystem } from '../../../image/types.js'

export interface Distro {
  id: string
  versionId?: string
  codename?: string
  prettyName?: string
  /** OSV ecosystem, e.g. `Debian:12`, `Alpine:v3.20`, `Ubuntu:22.04:LTS`, `Rocky Linux:9`. */
  ecosystem?: string
}

/** os-release(5): `/etc/os-release` first, `/usr/lib/os-release` as the fallback. */
export const OS_RELEASE_FILES = ['/etc/os-release', '/usr/lib/os-release']

export function parseOsRelease(text: string): Map<string, string> {
  const fields = new Map<string, string>()
  for (const line of text.split('\n')) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim())
    if (match === null) continue
    // Values may be quoted with " or ' and use shell escapes inside double quotes.
    let value = match[2]!.trim()
    const quote = value[0]
    if ((quote === '"' || quote === "'") && value.endsWith(quote) && value.length >= 2) {
      value = value.slice(1, -1)
      if (quote === '"') value = value.replace(/\\(["\\$`])/g, '$1')
    }
    fields.set(match[1]!, value)
  }
  return fields
}

export function detectDistro(fs: FileSystem): Distro | undefined {
  for (const path of OS_RELEASE_FILES) {
    const node = fs.resolve(path)
    const bytes = node === undefined ? undefined : fs.read(node.path)
    if (bytes === undefined) continue
    const fields = parseOsRelease(bytes.toString('utf8'))
    const id = fields.get('ID')?.toLowerCase()
    if (id === undefined || id === '') continue
    const distro: Distro = { id }
    const optional = [
      ['versionId', 'VERSION_ID'],
      ['codename', 'VERSION_CODENAME'],
      ['prettyName', 'PRETTY_NAME']
    ] as const
    for (const [key, field] of optional) {
      const value = fields.get(field)
      if (value !== undefined && value !== '') distro[key] = value
    }
    const ecosystem = osvEcosystem(distro, fields.get('VERSION') ?? '')
    if (ecosystem !== undefined) distro.ecosystem = ecosystem
    return distro
  }
  return undefined
}

function major(version: string | undefined): string | undefined {
  return version?.split('.')[0]
}

/** OSV's ecosystem names for distributions (osv-schema "Defined ecosystems"). */
export function osvEcosystem(distro: Distro, version = ''): string | undefined {
  const v = distro.versionId
  switch (distro.id) {
    case 'debian':
      // testing and sid have no VERSION_ID.
      return v === undefined ? 'Debian' : `Debian:${major(v)}`
    case 'ubuntu':
      if (v === undefined) return 'Ubuntu'
      return /\bLTS\b/.test(version) ? `Ubuntu:${v}:LTS` : `Ubuntu:${v}`
    case 'alpine': {
      const [maj, min] = (v ?? '').split('.')
      return maj === undefined || min === undefined ? 'Alpine' : `Alpine:v${maj}.${min}`
    }
    case 'rhel':
    case 'centos':
      return 'Red Hat'
    case 'almalinux':
      return v === undefined ? 'AlmaLinux' : `AlmaLinux:${major(v)}`
    case 'rocky':
      return v === undefined ? 'Rocky Linux' : `Rocky Linux:${major(v)}`
    case 'amzn':
      return v === undefined ? 'Amazon Linux' : `Amazon Linux:${v}`
    case 'opensuse-leap':
      return v === undefined ? 'openSUSE' : `openSUSE:Leap ${v}`
    case 'sles':
    case 'sle-micro':
      return 'SUSE'
    case 'wolfi':
      return 'Wolfi'
    case 'chainguard':
      return 'Chainguard'
    case 'mariner':
      return v === undefined ? 'Mariner' : `Mariner:${v}`
    case 'azurelinux':
      return v === undefined ? 'Azure Linux' : `Azure Linux:${v}`
    default:
      return undefined
  }
}
