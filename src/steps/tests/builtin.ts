/**
 * The built-in security test pack: the same container-structure-test YAML users write, so it
 * can be read and copied (docs/structure-tests.md prints it). Input `builtin-tests` switches it.
 */
import { parseStructureTests } from './parse.js'
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

/** The pack, parsed once. */
export function builtinSuite(): StructureTestSuite {
  parsed ??= parseStructureTests(BUILTIN_TESTS_YAML, BUILTIN_SUITE_NAME)
  return parsed
}
