/** The user-facing errors of registry access, worded once (exit 2, one sentence, no secrets). */
import { ImageError } from '../../errors.js'
import { HttpError } from '../http.js'
import type { HostCredentials } from './docker-config.js'

/** Connection-level failures: the registry could not be talked to at all. */
const UNREACHABLE_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'STALL'
])

/** Turns a failed request to `host` into an ImageError; anything that is not an HttpError is a bug. */
export function registryRequestError(host: string, error: unknown): unknown {
  if (!(error instanceof HttpError)) return error
  if (UNREACHABLE_CODES.has(error.code)) {
    return new ImageError(
      `registry ${host} is unreachable: ${error.message}; check the image reference and the network.`,
      'REGISTRY_UNREACHABLE',
      { cause: error }
    )
  }
  return new ImageError(`registry ${host} could not be read: ${error.message}.`, 'REGISTRY_ERROR', {
    cause: error
  })
}

export function credentialsRejected(
  host: string,
  repository: string,
  credentials: HostCredentials | undefined
): ImageError {
  if (credentials === undefined) {
    return new ImageError(
      `registry ${host} requires authentication to pull ${repository} (401); set registry-username/registry-password or run docker login.`,
      'REGISTRY_UNAUTHORIZED'
    )
  }
  return new ImageError(
    `registry ${host} rejected the credentials for ${repository} (401); check registry-username/registry-password or docker login (they came from ${credentials.source}).`,
    'REGISTRY_UNAUTHORIZED'
  )
}

export function unexpectedStatus(host: string, what: string, status: number): ImageError {
  return new ImageError(
    `registry ${host} answered ${status} for ${what}; try again later or check the registry.`,
    'REGISTRY_ERROR'
  )
}
