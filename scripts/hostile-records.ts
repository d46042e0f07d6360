/**
 * The giant cases of __tests__/hostile/records.test.ts, too large for the test run: writes them
 * to DIR for measuring by hand, e.g.
 *
 *   node scripts/run-ts.mjs scripts/hostile-records.ts .bench/records
 *   /usr/bin/time -v node dist/cli.js scan oci-archive:.bench/records/tiny.tar --sarif-import .bench/records/big.sarif
 *   /usr/bin/time -v node dist/cli.js scan oci-archive:.bench/records/dpkg-flood.tar --vuln-db demo/osv
 *
 * - big.sarif: 400,000 CodeQL-shaped results (about 150 MB), and tiny.tar to scan with it.
 * - dpkg-5k.tar: a 5,000-package status file (this machine's paragraphs, renamed), about 4.5 MB.
 * - dpkg-flood.tar: one good paragraph and 700,000 without a Package name (about 15 MB).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { buildImage, writeOciArchive, type FixtureEntry } from '../__fixtures__/image-builder.js'

const dir = process.argv[2]
if (dir === undefined) {
  console.error('usage: node scripts/run-ts.mjs scripts/hostile-records.ts DIR')
  process.exit(2)
}
mkdirSync(dir, { recursive: true })

const config = { User: '10001:10001', Healthcheck: { Test: ['CMD', 'true'] } }
const accounts: FixtureEntry[] = [
  { path: 'etc/passwd', content: 'root:x:0:0:root:/root:/sbin/nologin\n' },
  { path: 'etc/os-release', content: 'ID=debian\nVERSION_ID="12"\n' }
]

function write(name: string, entries: FixtureEntry[]): void {
  const image = buildImage({ layers: [{ entries: [...accounts, ...entries] }], config })
  writeOciArchive(join(dir!, name), [{ image }])
}

function result(i: number): string {
  return JSON.stringify({
    ruleId: i % 10 === 0 ? 'js/sql-injection' : 'js/unused-local-variable',
    level: i % 10 === 0 ? 'error' : 'note',
    message: { text: `This query string depends on a [user-provided value](1) (${i}).` },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: `src/module${i % 997}/file${i}.js`, uriBaseId: '%SRCROOT%' },
          region: { startLine: (i % 400) + 1, startColumn: 5, endColumn: 40 }
        }
      }
    ],
    partialFingerprints: { primaryLocationLineHash: `${(i * 2654435761) % 2 ** 32}:1` }
  })
}

const results = Array.from({ length: 400_000 }, (_, i) => result(i))
writeFileSync(
  join(dir, 'big.sarif'),
  `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"CodeQL"}},"results":[${results.join(',')}]}]}`
)
write('tiny.tar', [])

const real = readFileSync('/var/lib/dpkg/status', 'utf8').trimEnd().split('\n\n')
const paragraphs: string[] = []
for (let copy = 0; paragraphs.length < 5000; copy++) {
  for (const p of real.slice(0, 5000 - paragraphs.length)) {
    paragraphs.push(copy === 0 ? p : p.replace(/^Package: (.+)$/m, `Package: $1-copy${copy}`))
  }
}
write('dpkg-5k.tar', [{ path: 'var/lib/dpkg/status', content: `${paragraphs.join('\n\n')}\n` }])
write('dpkg-flood.tar', [
  {
    path: 'var/lib/dpkg/status',
    content: `Package: ok\nStatus: install ok installed\nVersion: 1\n\n${'Package:\nVersion: 1\n\n'.repeat(700_000)}`
  }
])
console.log(`wrote big.sarif, tiny.tar, dpkg-5k.tar and dpkg-flood.tar to ${dir}`)
