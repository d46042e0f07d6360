/**
 * The built-in security test pack: the same container-structure-test YAML users write, so it
 * can be read and copied (docs/structure-tests.md prints it). Input `builtin-tests` switches it.
 */
import { BUILTIN_SUITE_DATA } from './builtin-suite.generated.js'
import { compilePattern, parseStructureTests } from './parse.js'
import type { StructureTestSuite } from './suite.js'

export const BUILTIN_SUITE_NAME = 'built-in'

export const BUILTIN_TESTS_YAML = `# container-gate built-in security tests (container-structure-test schemaVersion 2.0.0).
# Extensions: severity, ifExists, isNotReadableBy and glob paths (docs/structure-tests.md).
schemaVersion: 2.0.0
fileExistenceTests:
  - name: no SSH directory for root
    path: /root/.ssh
    shouldExist: false
    severity: high
  - name: no SSH private keys in home directories
    path: /home/*/.ssh/id_{rsa,dsa,ecdsa,ed25519,ecdsa_sk,ed25519_sk}
    shouldExist: false
    severity: high
  - name: /tmp is world-writable with the sticky bit
    path: /tmp
    permissions: dtrwxrwxrwx
    ifExists: [/tmp]
    severity: medium
  - name: /etc/shadow is not world-readable
    path: /etc/shadow
    isNotReadableBy: other
    ifExists: [/etc/shadow]
    severity: high
  - name: no .git in application directories
    path: /{app,srv,opt,home,workspace,usr/src,usr/local/src,var/www}/**/.git
    shouldExist: false
    severity: medium
  - name: CA certificates present when TLS clients are installed
    path: /etc/{ssl/certs/ca-certificates.crt,pki/tls/certs/ca-bundle.crt,ssl/cert.pem}
    ifExists:
      - /{usr/,usr/local/,}bin/{curl,wget,openssl}
      - /{usr/,}lib/**/libcurl.so*
    severity: medium
fileContentTests:
  - name: no private keys in home directories
    path: /{root,home}/**
    excludedContents: ['-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY-----']
    severity: high
`

let parsed: StructureTestSuite | undefined

/**
 * The pack, as parsed from BUILTIN_TESTS_YAML when `npm run generate` last ran (a test checks the
 * two agree), so that a scan's start does not parse YAML.
 */
export function builtinSuite(): StructureTestSuite {
  parsed ??= revive(BUILTIN_SUITE_DATA) as StructureTestSuite
  return parsed
}

/** What the generator writes: the parsed pack as plain data, each pattern by its source alone. */
export function builtinSuiteData(): unknown {
  const suite = parseStructureTests(BUILTIN_TESTS_YAML, BUILTIN_SUITE_NAME)
  return JSON.parse(
    JSON.stringify(suite, (_, value: unknown) => (value instanceof RegExp ? undefined : value))
  )
}

/** The data back as a suite: `{ source }` objects are patterns, compiled again. */
function revive(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(revive)
  if (typeof value !== 'object' || value === null) return value
  const entries = Object.entries(value)
  if (entries.length === 1 && entries[0]![0] === 'source' && typeof entries[0]![1] === 'string') {
    return compilePattern(entries[0]![1])
  }
  return Object.fromEntries(entries.map(([key, field]) => [key, revive(field)]))
}
