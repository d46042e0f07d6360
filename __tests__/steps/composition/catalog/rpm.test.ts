import { beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { missingTools, tempDir } from '../../../../__fixtures__/registry.js'
import { parseRpmHeader } from '../../../../src/os/rpm/header.js'
import { catalogImage } from './catalog-image.js'

const ROCKY_OS_RELEASE =
  'NAME="Rocky Linux"\nVERSION="9.4 (Blue Onyx)"\nID="rocky"\nID_LIKE="rhel centos fedora"\nVERSION_ID="9.4"\nPRETTY_NAME="Rocky Linux 9.4 (Blue Onyx)"\n'

/** Subpackages with many files, so header blobs span pages in every backend. */
const SPEC = `Name: gate-demo
Version: 1.2.3
Release: 4.el9
Epoch: 2
Summary: container-gate test package
License: MIT AND (Apache-2.0 OR BSD-3-Clause)
BuildArch: noarch
%description
test
%package libs
Summary: libs
License: MIT
%description libs
libs
%install
mkdir -p %{buildroot}/usr/share/gate-demo %{buildroot}/usr/lib/gate-demo
for i in $(seq 1 300); do echo $i > %{buildroot}/usr/share/gate-demo/file-$i.txt; done
echo lib > %{buildroot}/usr/lib/gate-demo/libgate.so
%files
/usr/share/gate-demo
%files libs
/usr/lib/gate-demo/libgate.so
`

const missing = missingTools(['rpmbuild', 'rpm'])
if (missing !== undefined)
  console.warn(
    `rpm cataloger tests skipped: rpm and rpmbuild are not on PATH (apt-get install -y rpm)`
  )
const describeRpm = missing === undefined ? describe : describe.skip

/** The main header of an .rpm file (lead, signature header, then the header rpmdb stores), without its magic. */
function headerBlob(rpmFile: Buffer): Buffer {
  let at = 96
  const sigIndex = rpmFile.readUInt32BE(at + 8)
  const sigData = rpmFile.readUInt32BE(at + 12)
  at += 16 + sigIndex * 16 + sigData
  at += (8 - (at % 8)) % 8
  const index = rpmFile.readUInt32BE(at + 8)
  const data = rpmFile.readUInt32BE(at + 12)
  return rpmFile.subarray(at + 8, at + 16 + index * 16 + data)
}

/** rpm's NDB Packages.db (lib/backend/ndb/rpmpkg.c), written the way rpm lays it out. */
function ndbFile(blobs: Buffer[]): Buffer {
  const slotPages = 1
  const parts: Buffer[] = []
  const head = Buffer.alloc(4096)
  head.writeUInt32LE(0x506d7052, 0)
  head.writeUInt32LE(slotPages, 12)
  head.writeUInt32LE(blobs.length + 1, 16)
  let block = 4096 / 16
  for (let slot = 0; slot < (4096 - 32) / 16; slot++) {
    const at = 32 + slot * 16
    head.writeUInt32LE(0x746f6c53, at)
    const blob = blobs[slot]
    if (blob === undefined) continue
    head.writeUInt32LE(slot + 1, at + 4)
    head.writeUInt32LE(block, at + 8)
    const length = 16 + blob.length + 12
    const blocks = Math.ceil(length / 16)
    head.writeUInt32LE(blocks, at + 12)
    const stored = Buffer.alloc(blocks * 16)
    stored.writeUInt32LE(0x53626c42, 0)
    stored.writeUInt32LE(slot + 1, 4)
    stored.writeUInt32LE(1, 8)
    stored.writeUInt32LE(blob.length, 12)
    blob.copy(stored, 16)
    parts.push(stored)
    block += blocks
  }
  return Buffer.concat([head, ...parts])
}

describeRpm('rpm cataloger on databases written by rpm', () => {
  const dir = tempDir('catalog-rpm-')
  const blobs: Buffer[] = []
  let sqlite: Buffer

  beforeAll(() => {
    mkdirSync(join(dir, 'SPECS'), { recursive: true })
    writeFileSync(join(dir, 'SPECS/gate-demo.spec'), SPEC)
    execFileSync(
      'rpmbuild',
      ['--quiet', '--define', `_topdir ${dir}`, '-bb', join(dir, 'SPECS/gate-demo.spec')],
      { stdio: 'ignore' }
    )
    const rpms = ['gate-demo-1.2.3-4.el9.noarch.rpm', 'gate-demo-libs-1.2.3-4.el9.noarch.rpm'].map(
      (f) => join(dir, 'RPMS/noarch', f)
    )
    const db = join(dir, 'db')
    mkdirSync(db)
    execFileSync('rpm', ['--dbpath', db, '--initdb'])
    execFileSync(
      'rpm',
      ['--dbpath', db, '-i', '--justdb', '--nodeps', '--ignorearch', '--ignoreos', ...rpms],
      { stdio: 'ignore' }
    )
    sqlite = readFileSync(join(db, 'rpmdb.sqlite'))
    for (const rpm of rpms) blobs.push(headerBlob(readFileSync(rpm)))
  })

  const expected = [
    {
      name: 'gate-demo',
      version: '2:1.2.3-4.el9',
      ecosystem: 'Rocky Linux:9',
      purl: 'pkg:rpm/rocky/gate-demo@1.2.3-4.el9?arch=noarch&distro=rocky-9.4&epoch=2&upstream=gate-demo-1.2.3-4.el9.src.rpm',
      licenses: ['MIT AND (Apache-2.0 OR BSD-3-Clause)'],
      arch: 'noarch'
    },
    {
      name: 'gate-demo-libs',
      version: '2:1.2.3-4.el9',
      ecosystem: 'Rocky Linux:9',
      purl: 'pkg:rpm/rocky/gate-demo-libs@1.2.3-4.el9?arch=noarch&distro=rocky-9.4&epoch=2&upstream=gate-demo-1.2.3-4.el9.src.rpm',
      licenses: ['MIT'],
      arch: 'noarch',
      source: { name: 'gate-demo', version: '2:1.2.3-4.el9' }
    }
  ]

  async function catalogWith(path: string, content: Buffer) {
    return catalogImage({
      layers: [
        {
          entries: [
            { path: 'etc/os-release', content: ROCKY_OS_RELEASE },
            { path, content }
          ]
        }
      ]
    })
  }

  it('reads rpmdb.sqlite (RHEL 9, Fedora) written by rpm --initdb and rpm -i --justdb', async () => {
    const { catalog, image } = await catalogWith('var/lib/rpm/rpmdb.sqlite', sqlite)
    expect(catalog.packages).toEqual(
      expected.map((p) => ({
        ...p,
        kind: 'os',
        path: '/var/lib/rpm/rpmdb.sqlite',
        layerDigest: image.layers[0]!.digest
      }))
    )
  })

  it('reads the NDB Packages.db (SUSE) holding the same headers', async () => {
    const { catalog } = await catalogWith('usr/lib/sysimage/rpm/Packages.db', ndbFile(blobs))
    expect(
      catalog.packages.map(({ name, version, source }) => ({ name, version, source }))
    ).toEqual(expected.map(({ name, version, source }) => ({ name, version, source })))
  })

  it('parses every file an rpm header owns', () => {
    const header = parseRpmHeader(blobs[0]!)!
    expect(header.files).toHaveLength(301)
    expect(header.files).toContain('/usr/share/gate-demo/file-300.txt')
  })

  const noDbLoad = missingTools(['db5.3_load'])
  if (noDbLoad !== undefined)
    console.warn(
      'BerkeleyDB rpmdb test skipped: db5.3_load is not on PATH (apt-get install -y db5.3-util)'
    )
  ;(noDbLoad === undefined ? it : it.skip)(
    'reads a BerkeleyDB hash Packages (RHEL 7/8) written by db_load',
    async () => {
      // db_dump's bytevalue format: hex keys and values, one per line with a leading space.
      const lines = ['VERSION=3', 'format=bytevalue', 'type=hash', 'db_pagesize=4096', 'HEADER=END']
      blobs.forEach((blob, i) => {
        const key = Buffer.alloc(4)
        key.writeUInt32LE(i + 1)
        lines.push(` ${key.toString('hex')}`, ` ${blob.toString('hex')}`)
      })
      lines.push('DATA=END', '')
      const file = join(dir, 'Packages')
      writeFileSync(`${file}.dump`, lines.join('\n'))
      execFileSync('db5.3_load', ['-f', `${file}.dump`, file])
      const { catalog } = await catalogWith('var/lib/rpm/Packages', readFileSync(file))
      expect(catalog.packages.map(({ name, version }) => ({ name, version }))).toEqual(
        expected.map(({ name, version }) => ({ name, version }))
      )
    }
  )
})
