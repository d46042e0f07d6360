/** Package URLs (purl-spec) as every cataloger and SBOM writes them. */
import { PackageURL } from 'packageurl-js'

/** A purl (purl-spec) with absent qualifiers left out. */
export function purl(
  type: string,
  namespace: string | undefined,
  name: string,
  version: string | undefined,
  qualifiers: Record<string, string | undefined> = {}
): string {
  const present = Object.fromEntries(
    Object.entries(qualifiers).filter((entry): entry is [string, string] => entry[1] !== undefined)
  )
  return new PackageURL(
    type,
    namespace,
    name,
    version,
    Object.keys(present).length === 0 ? undefined : present,
    undefined
  ).toString()
}
