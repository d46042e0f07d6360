/**
 * in-toto Statements (in-toto attestation spec v1, statement.md) and DSSE envelopes
 * (secure-systems-lab/dsse, envelope.md and protocol.md).
 */

export const STATEMENT_TYPE = 'https://in-toto.io/Statement/v1'
export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json'
export const CONTENT_MANIFEST_PREDICATE = 'https://container-gate.dev/content-manifest/v1'

export interface Statement<P = unknown> {
  _type: typeof STATEMENT_TYPE
  subject: Array<{ name: string; digest: Record<string, string> }>
  predicateType: string
  predicate: P
}

/** A Statement about one image: its name (repository, no tag) and its manifest digest. */
export function imageStatement<P>(
  name: string,
  digest: string,
  predicateType: string,
  predicate: P
): Statement<P> {
  const [algorithm = 'sha256', hex = ''] = digest.split(':')
  return {
    _type: STATEMENT_TYPE,
    subject: [{ name, digest: { [algorithm]: hex } }],
    predicateType,
    predicate
  }
}

export interface DsseSignature {
  keyid: string
  /** base64 */
  sig: string
}

export interface DsseEnvelope {
  /** base64 */
  payload: string
  payloadType: string
  signatures: DsseSignature[]
}

/** DSSE v1 pre-authentication encoding: what is actually signed. */
export function pae(payloadType: string, payload: Buffer): Buffer {
  return Buffer.concat([
    Buffer.from(
      `DSSEv1 ${Buffer.byteLength(payloadType)} ${payloadType} ${payload.length} `,
      'utf8'
    ),
    payload
  ])
}

/** Parses a DSSE payload as a Statement, or undefined when it is not one. */
export function statementOf(payloadType: string, payload: Buffer): Statement | undefined {
  if (payloadType !== IN_TOTO_PAYLOAD_TYPE) return undefined
  try {
    const parsed = JSON.parse(payload.toString('utf8')) as Partial<Statement> | null
    const known =
      parsed?._type === STATEMENT_TYPE || parsed?._type === 'https://in-toto.io/Statement/v0.1'
    return known && Array.isArray(parsed.subject) ? (parsed as Statement) : undefined
  } catch {
    return undefined
  }
}

/** Whether a Statement's subjects include the image digest `sha256:<hex>`. */
export function statementCovers(statement: Statement, digest: string): boolean {
  const [algorithm = '', hex = ''] = digest.split(':')
  return statement.subject.some((subject) => subject.digest?.[algorithm] === hex)
}
