/** Sigstore's public-good instances: where keyless signing goes unless told otherwise. */
export const DEFAULT_FULCIO_URL = 'https://fulcio.sigstore.dev'
export const DEFAULT_REKOR_URL = 'https://rekor.sigstore.dev'
