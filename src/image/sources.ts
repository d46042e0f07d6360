/**
 * Image references with skopeo's transport names (containers-transports(5)), so users already
 * know them: `docker://REF` or bare `REF`, `docker-daemon:REF`, `docker-archive:PATH[:REF]`,
 * `oci-archive:PATH[:REF]`, `oci:DIR[:REF]`.
 */
import { existsSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { ConfigurationError } from '../errors.js'
import { dockerArchiveSource, dockerDaemonSource, ociArchiveSource } from './archive.js'
import { ociLayoutSource } from './oci-layout.js'
import { parseReference } from './reference.js'
import { registrySource } from './registry/source.js'
import type { ImageSource } from './source.js'

export type SourceSpec =
  | { transport: 'docker' | 'docker-daemon'; reference: string }
  | { transport: 'docker-archive' | 'oci-archive' | 'oci'; path: string; ref?: string }

const FORMS =
  'docker://REF (or a bare REF), docker-daemon:REF, docker-archive:PATH[:REF], oci-archive:PATH[:REF], oci:DIR[:REF]'

/** skopeo transports that container-gate does not read; named so the error can say so. */
const UNSUPPORTED = new Set(['containers-storage', 'dir', 'ostree', 'sif', 'tarball', 'atomic'])

function isRegistryReference(value: string): boolean {
  try {
    parseReference(value)
    return true
  } catch {
    return false
  }
}

/** Splits an image argument into its transport and what that transport needs. */
export function parseSourceSpec(spec: string): SourceSpec {
  if (spec.startsWith('docker://')) {
    return { transport: 'docker', reference: spec.slice('docker://'.length) }
  }
  const colon = spec.indexOf(':')
  const prefix = colon === -1 ? '' : spec.slice(0, colon)
  const rest = spec.slice(colon + 1)
  switch (prefix) {
    case 'docker-daemon':
      if (rest === '') {
        throw new ConfigurationError(
          `image "${spec}" names no image; write docker-daemon:REF, e.g. docker-daemon:app:1.0.`,
          'INVALID_IMAGE_SOURCE'
        )
      }
      return { transport: 'docker-daemon', reference: rest }
    case 'docker-archive':
    case 'oci-archive':
    case 'oci': {
      // skopeo splits at the first colon: PATH cannot contain one, REF (name:tag) may.
      const split = rest.indexOf(':')
      const path = split === -1 ? rest : rest.slice(0, split)
      const ref = split === -1 ? '' : rest.slice(split + 1)
      if (path === '') {
        const form = prefix === 'oci' ? 'oci:DIR[:REF]' : `${prefix}:PATH[:REF]`
        throw new ConfigurationError(
          `image "${spec}" has an empty path; write ${form}.`,
          'INVALID_IMAGE_SOURCE'
        )
      }
      return ref === '' ? { transport: prefix, path } : { transport: prefix, path, ref }
    }
  }
  // `127.0.0.1:5000/app@sha256:…` or `ghcr.io/a/b:x:y`: a registry reference that is malformed,
  // not a transport; let the reference parser say what is wrong with it.
  const looksLikeRegistry = /[./]/.test(prefix) || prefix === 'localhost' || /^\d+\//.test(rest)
  if (colon !== -1 && !UNSUPPORTED.has(prefix) && looksLikeRegistry) {
    parseReference(spec)
  }
  if (colon !== -1 && (UNSUPPORTED.has(prefix) || !isRegistryReference(spec))) {
    throw new ConfigurationError(
      `image "${spec}" uses the transport "${prefix}", which container-gate does not read; use one of ${FORMS}.`,
      'UNKNOWN_TRANSPORT'
    )
  }
  return { transport: 'docker', reference: spec }
}

/** The ImageSource for an image argument; nothing is read until `acquire`. */
export function openSource(spec: string): ImageSource {
  const parsed = parseSourceSpec(spec)
  switch (parsed.transport) {
    case 'docker':
      if (!spec.startsWith('docker://')) checkNotLocal(spec)
      // The registry source accepts `docker://` itself and reports the reference as given.
      return registrySource(spec)
    case 'docker-daemon':
      return dockerDaemonSource(spec, parsed.reference)
    case 'docker-archive':
      return dockerArchiveSource(spec, parsed.path, parsed.ref)
    case 'oci-archive':
      return ociArchiveSource(spec, parsed.path, parsed.ref)
    case 'oci':
      return ociLayoutSource(spec, parsed.path, parsed.ref)
  }
}

/**
 * A bare reference that names a file or an OCI layout directory here was meant as that, not as
 * an image on Docker Hub: say which transport reads it (`docker://` still forces the registry).
 */
function checkNotLocal(spec: string): void {
  let kind: 'file' | 'layout' | undefined
  try {
    const stat = statSync(spec)
    if (stat.isFile()) kind = 'file'
    else if (stat.isDirectory() && existsSync(join(spec, 'oci-layout'))) kind = 'layout'
  } catch {
    return
  }
  if (kind === undefined) return
  throw new ConfigurationError(
    kind === 'file'
      ? `image "${spec}" names a file here, not a registry image; read it as oci-archive:${spec} (an OCI layout in a tar) or docker-archive:${spec} (docker save), or write docker://${spec} for the registry.`
      : `image "${spec}" names an OCI layout directory here, not a registry image; read it as oci:${spec}, or write docker://${spec} for the registry.`,
    'INVALID_IMAGE_SOURCE'
  )
}
