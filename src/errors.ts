/**
 * Errors a user can cause. They carry one sentence naming the input and the fix, and are
 * printed without a stack trace; the gate exits 2. Anything else is a bug and keeps its stack.
 */
export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError'
  constructor(
    message: string,
    readonly code = 'CONFIGURATION',
    options?: { cause?: unknown }
  ) {
    super(message, options)
  }
}

/** The image could not be read: unreachable registry, corrupt archive, digest mismatch. */
export class ImageError extends Error {
  override readonly name = 'ImageError'
  constructor(
    message: string,
    readonly code = 'IMAGE',
    options?: { cause?: unknown }
  ) {
    super(message, options)
  }
}

export type UserError = ConfigurationError | ImageError

export function isUserError(error: unknown): error is UserError {
  return error instanceof ConfigurationError || error instanceof ImageError
}
