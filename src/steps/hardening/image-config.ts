/** Build practices visible in the image config and its history (OCI image-spec config.md). */
import type { ImageConfig } from '../../image/types.js'
import type { LeanDraft } from './lean.js'

/** Mounting these hands the container the host's system or the runtime's socket. */
const SENSITIVE_VOLUMES = new Set([
  '/',
  '/etc',
  '/proc',
  '/sys',
  '/dev',
  '/boot',
  '/root',
  '/usr',
  '/bin',
  '/sbin',
  '/lib',
  '/lib64',
  '/run',
  '/var/run',
  '/var/run/docker.sock',
  '/run/docker.sock',
  '/run/containerd/containerd.sock',
  '/var/lib/docker',
  '/var/lib/kubelet'
])

const ADD_URL = /(?:^|#\(nop\)\s+)ADD\s+(?:--\S+\s+)*(https?:\/\/\S+)/
const UPGRADE =
  /\b(?:apt-get\s+(?:-\S+\s+)*(?:dist-)?upgrade|apt\s+(?:-\S+\s+)*(?:full-)?upgrade|apk\s+(?:-\S+\s+)*upgrade|(?:dnf|yum|microdnf)\s+(?:-\S+\s+)*(?:upgrade|update)(?=\s*(?:$|&&|;|\|)))/

/** `org.opencontainers.image.base.name` (OCI annotations.md) when it names no tag or `latest`. */
function floatingBase(name: string): boolean {
  if (name.includes('@sha256:')) return false
  const lastPart = name.slice(name.lastIndexOf('/') + 1)
  return !lastPart.includes(':') || lastPart.endsWith(':latest')
}

/** History entries paired with the layer each produced (entries with `empty_layer` produce none). */
export function historyLayers(config: ImageConfig, layerCount: number): Array<number | undefined> {
  const history = config.history ?? []
  const producing = history.filter((entry) => entry.empty_layer !== true).length
  let layer = 0
  return history.map((entry) => {
    if (entry.empty_layer === true || producing !== layerCount) return undefined
    return layer++
  })
}

/**
 * The host and the URL without user info, query or fragment: `ADD https://user:token@host/x`
 * must not print the token, and query strings often carry signed credentials.
 */
function withoutCredentials(added: string): { host: string; url: string } {
  try {
    const url = new URL(added)
    return { host: url.host, url: `${url.protocol}//${url.host}${url.pathname}` }
  } catch {
    const rest = added.replace(/^https?:\/\//, '').replace(/^[^/]*@/, '')
    const host = rest.split(/[/?#]/)[0] ?? ''
    return { host, url: `${host}${rest.slice(host.length).replace(/[?#].*$/, '')}` }
  }
}

export function imageConfigFindings(
  config: ImageConfig,
  annotations: Record<string, string>,
  layerCount: number
): LeanDraft[] {
  const drafts: LeanDraft[] = []
  const layers = historyLayers(config, layerCount)
  ;(config.history ?? []).forEach(({ created_by: createdBy = '' }, index) => {
    const layer = layers[index]
    const where = layer === undefined ? {} : { layer }
    const added = ADD_URL.exec(createdBy)?.[1]
    if (added !== undefined) {
      const { host, url } = withoutCredentials(added)
      drafts.push({
        rule: 'add-remote-url',
        severity: 'medium',
        title: `ADD downloads from ${host} at build time`,
        detail:
          'ADD from a URL fetches whatever the server returns, unverified. Download with a pinned checksum (`ADD --checksum=sha256:…` or curl + sha256sum) or copy the file from a verified build stage.',
        subject: url,
        ...where
      })
    }
    const upgrade = UPGRADE.exec(createdBy)?.[0]
    if (upgrade !== undefined) {
      drafts.push({
        rule: 'package-upgrade',
        severity: 'low',
        title: `Build runs \`${upgrade.replace(/\s+/g, ' ')}\``,
        detail:
          'Upgrading every package at build time makes the image unreproducible and hides what the base image ships. Rebuild on an updated base image instead, or upgrade only the packages you need.',
        subject: `history:${upgrade.replace(/\s+/g, ' ')}`,
        ...where
      })
    }
  })

  const labels = config.config?.Labels ?? {}
  const base =
    annotations['org.opencontainers.image.base.name'] ??
    labels['org.opencontainers.image.base.name']
  if (base !== undefined && floatingBase(base)) {
    drafts.push({
      rule: 'latest-base-tag',
      severity: 'low',
      title: `Base image ${base} is not pinned`,
      detail:
        'A `latest` or missing tag gives a different base on every build. Pin the base image by digest (`FROM image:tag@sha256:…`) and let a bot such as Dependabot or Renovate update it.',
      subject: base
    })
  }

  for (const volume of Object.keys(config.config?.Volumes ?? {}).sort()) {
    const path = volume.length > 1 ? volume.replace(/\/+$/, '') : volume
    if (!SENSITIVE_VOLUMES.has(path)) continue
    drafts.push({
      rule: 'sensitive-volume',
      severity: 'medium',
      title: `VOLUME ${path} exposes a system path`,
      detail:
        'Whatever is mounted there replaces or reveals system files (or the container runtime). Declare volumes only for application data, e.g. `VOLUME /data`.',
      subject: path
    })
  }
  return drafts
}
