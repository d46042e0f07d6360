/**
 * OpenVEX (github.com/openvex/spec, v0.2.0; v0.0.x strings accepted): statements that a product
 * is `not_affected` by or has `fixed` a vulnerability suppress the matching vulnerability
 * findings. A statement matches a finding when one of its vulnerability ids is the finding's id
 * or an alias, and one of its products (or their subcomponents) is the finding's package purl,
 * or the statement names the image itself with no subcomponents. The latest statement wins.
 */
import { PackageURL } from 'packageurl-js'
import { ConfigurationError } from '../errors.js'
import type { Finding, Suppressed } from '../findings.js'

export const VEX_STATUSES = ['not_affected', 'affected', 'fixed', 'under_investigation'] as const
export type VexStatus = (typeof VEX_STATUSES)[number]

export interface VexProduct {
  /** purl, or another IRI (an image digest) that names the product. */
  id: string
  subcomponents: string[]
}

export interface VexStatement {
  /** The vulnerability's name and its aliases. */
  vulnerabilities: string[]
  products: VexProduct[]
  status: VexStatus
  justification?: string
  impactStatement?: string
  /** Statement timestamp, else the document's; ISO 8601. */
  timestamp?: string
  /** The document and statement index, e.g. `vex.json#statements[2]`. */
  source: string
}

/**
 * An OpenVEX document for an image holds tens to thousands of statements (kilobytes to a few
 * MiB); these bounds leave room for distro-wide documents and keep JSON.parse from building an
 * object graph that does not fit in memory.
 */
export const MAX_VEX_BYTES = 32 * 1024 * 1024
export const MAX_VEX_STATEMENTS = 100_000

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined

function identifiers(value: unknown): string[] {
  if (typeof value === 'string') return [value]
  if (!isRecord(value)) return []
  const ids = [text(value['@id'])]
  if (isRecord(value.identifiers)) {
    for (const id of Object.values(value.identifiers)) ids.push(text(id))
  }
  return ids.filter((id): id is string => id !== undefined)
}

function product(value: unknown): VexProduct[] {
  const subcomponents =
    isRecord(value) && Array.isArray(value.subcomponents)
      ? value.subcomponents.flatMap(identifiers)
      : []
  return identifiers(value).map((id) => ({ id, subcomponents }))
}

function vulnerabilityIds(value: unknown): string[] {
  if (typeof value === 'string') return [value]
  if (!isRecord(value)) return []
  const aliases = Array.isArray(value.aliases) ? value.aliases.map(text) : []
  return [text(value.name), text(value['@id']), ...aliases].filter(
    (id): id is string => id !== undefined
  )
}

/** Parses one OpenVEX document; anything that is not one is a ConfigurationError naming the file. */
export function parseOpenVex(content: string, source: string): VexStatement[] {
  const bad = (why: string): ConfigurationError =>
    new ConfigurationError(
      `input "vex" ${source} ${why}; give an OpenVEX document (https://github.com/openvex/spec).`,
      'BAD_VEX'
    )
  if (content.length > MAX_VEX_BYTES) {
    throw bad(
      `is ${content.length} characters, more than the ${MAX_VEX_BYTES} an OpenVEX document may be`
    )
  }
  let document: unknown
  try {
    document = JSON.parse(content)
  } catch {
    throw bad('is not JSON')
  }
  if (
    !isRecord(document) ||
    !String(document['@context'] ?? '').startsWith('https://openvex.dev/ns')
  ) {
    throw bad('has no OpenVEX @context')
  }
  if (!Array.isArray(document.statements)) throw bad('has no statements list')
  if (document.statements.length > MAX_VEX_STATEMENTS) {
    throw bad(
      `has ${document.statements.length} statements, more than the ${MAX_VEX_STATEMENTS} one document may hold`
    )
  }
  const documentTime = text(document.timestamp)
  return document.statements.map((statement: unknown, i): VexStatement => {
    const where = `${source}#statements[${i}]`
    if (!isRecord(statement)) throw bad(`statement ${i} is not an object`)
    const status = VEX_STATUSES.find((s) => s === statement.status)
    if (status === undefined) {
      throw bad(
        `statement ${i} has status "${String(statement.status)}", not one of ${VEX_STATUSES.join(', ')}`
      )
    }
    const vulnerabilities = vulnerabilityIds(statement.vulnerability)
    if (vulnerabilities.length === 0) throw bad(`statement ${i} names no vulnerability`)
    const products = Array.isArray(statement.products) ? statement.products.flatMap(product) : []
    const justification = text(statement.justification)
    const impactStatement = text(statement.impact_statement)
    const timestamp = text(statement.timestamp) ?? documentTime
    return {
      vulnerabilities,
      products,
      status,
      ...(justification === undefined ? {} : { justification }),
      ...(impactStatement === undefined ? {} : { impactStatement }),
      ...(timestamp === undefined ? {} : { timestamp }),
      source: where
    }
  })
}

function parsePurl(value: string): PackageURL | undefined {
  try {
    return PackageURL.fromString(value)
  } catch {
    return undefined
  }
}

/**
 * purl-spec matching: type, namespace and name equal; a version or qualifiers in the statement
 * must be the package's too (a statement without a version covers every version).
 */
export function purlMatches(statementPurl: string, packagePurl: string): boolean {
  const want = parsePurl(statementPurl)
  const have = parsePurl(packagePurl)
  if (want === undefined || have === undefined) return statementPurl === packagePurl
  return (
    want.type === have.type &&
    (want.namespace ?? '') === (have.namespace ?? '') &&
    want.name === have.name &&
    (want.version === undefined || want.version === have.version) &&
    Object.entries(want.qualifiers ?? {}).every(([k, v]) => have.qualifiers?.[k] === v)
  )
}

/** A product names the image when it is its digest or a `pkg:oci` purl at that digest. */
function namesImage(id: string, imageDigest: string): boolean {
  if (id === imageDigest) return true
  const purl = parsePurl(id)
  return purl?.type === 'oci' && purl.version === imageDigest
}

function applies(statement: VexStatement, finding: Finding, imageDigest: string): boolean {
  const vulnerability = finding.vulnerability
  const purl = finding.package?.purl
  if (vulnerability === undefined || purl === undefined) return false
  const ids = new Set([vulnerability.id, ...vulnerability.aliases])
  if (!statement.vulnerabilities.some((id) => ids.has(id))) return false
  return statement.products.some((p) =>
    p.subcomponents.length === 0
      ? purlMatches(p.id, purl) || namesImage(p.id, imageDigest)
      : p.subcomponents.some((sub) => purlMatches(sub, purl))
  )
}

/** Milliseconds since the epoch; a statement without a timestamp is the oldest. */
function time(statement: VexStatement): number {
  const ms = Date.parse(statement.timestamp ?? '')
  return Number.isNaN(ms) ? 0 : ms
}

/** Statement positions by vulnerability id, so each finding looks at its own statements only. */
const indexes = new WeakMap<
  readonly VexStatement[],
  { length: number; ids: Map<string, number[]> }
>()

function statementsAbout(
  statements: readonly VexStatement[],
  ids: readonly string[]
): VexStatement[] {
  let index = indexes.get(statements)
  if (index === undefined || index.length !== statements.length) {
    const byId = new Map<string, number[]>()
    statements.forEach((statement, position) => {
      for (const id of new Set(statement.vulnerabilities)) {
        const positions = byId.get(id)
        if (positions === undefined) byId.set(id, [position])
        else positions.push(position)
      }
    })
    index = { length: statements.length, ids: byId }
    indexes.set(statements, index)
  }
  const byId = index.ids
  const positions = new Set(ids.flatMap((id) => byId.get(id) ?? []))
  return [...positions].sort((a, b) => a - b).map((position) => statements[position]!)
}

/** The statement that decides a finding: the latest matching one (document order breaks ties). */
export function vexStatementFor(
  finding: Finding,
  statements: VexStatement[],
  imageDigest: string
): VexStatement | undefined {
  const vulnerability = finding.vulnerability
  if (vulnerability === undefined) return undefined
  let chosen: VexStatement | undefined
  for (const statement of statementsAbout(statements, [
    vulnerability.id,
    ...vulnerability.aliases
  ])) {
    if (!applies(statement, finding, imageDigest)) continue
    if (chosen === undefined || time(statement) >= time(chosen)) {
      chosen = statement
    }
  }
  return chosen
}

/** `not_affected` and `fixed` suppress, with the statement's own words as the reason. */
export function vexSuppression(statement: VexStatement | undefined): Suppressed | undefined {
  if (statement === undefined) return undefined
  if (statement.status !== 'not_affected' && statement.status !== 'fixed') return undefined
  const why = [statement.justification, statement.impactStatement].filter(Boolean).join(': ')
  return {
    reason: `VEX ${statement.status}${why === '' ? '' : ` (${why})`}`,
    source: statement.source
  }
}
