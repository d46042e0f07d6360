/**
 * Hostile images, class "bounded and never silent": a Go 1.13–1.17 binary's build info is found
 * through addresses among strings kept as the file streams by; a file that floods those
 * candidates keeps a bounded number of them, and a string not among them is reported.
 */
import { describe, expect, it } from '@jest/globals'
import { legacyGoBinary } from '../../__fixtures__/go-legacy-binary.js'
import { catalogImage } from '../steps/composition/catalog/catalog-image.js'

const modInfo = [
  'path\texample.com/tool',
  'mod\texample.com/tool\tv1.4.0\th1:AAAA',
  'dep\tgolang.org/x/text\tv0.3.7\th1:BBBB',
  ''
].join('\n')

async function scan(binary: Buffer) {
  const { catalog } = await catalogImage({
    layers: [{ entries: [{ path: 'usr/bin/tool', content: binary, mode: 0o755 }] }]
  })
  return {
    packages: catalog.packages.map((p) => `${p.name}@${p.version}`),
    unread: (catalog.unread ?? []).map((u) => `${u.path}: ${u.reason}`)
  }
}

describe('Go 1.13–1.17 build info in a crafted binary', () => {
  it('reads the modules and toolchain the header points at', async () => {
    expect(await scan(legacyGoBinary({ version: 'go1.16.15', modInfo }))).toEqual({
      packages: ['example.com/tool@v1.4.0', 'golang.org/x/text@v0.3.7', 'stdlib@1.16.15'],
      unread: []
    })
  })

  it('reports a version hidden behind more `go1.` strings than are kept, and keeps the modules', async () => {
    const before = Buffer.from('go1.99'.repeat(5_000), 'latin1')
    expect(await scan(legacyGoBinary({ version: 'go1.16.15', modInfo, before }))).toEqual({
      packages: ['example.com/tool@v1.4.0', 'golang.org/x/text@v0.3.7'],
      unread: ['/usr/bin/tool: its Go version is not among the first 1024 strings like one']
    })
  })

  it('reports module info hidden behind decoy sentinels', async () => {
    const decoy = Buffer.from('3077af0c9274080241e1c107e6d618e6', 'hex')
    const before = Buffer.concat(Array.from({ length: 8 }, () => decoy))
    const found = await scan(legacyGoBinary({ version: 'go1.16.15', modInfo, before }))
    expect(found).toEqual({
      packages: [],
      unread: [
        '/usr/bin/tool: its Go module info is not among the first 4 strings like one of up to 1.0 MiB'
      ]
    })
  })

  it('reports a module info variable longer than its string, without failing', async () => {
    const binary = legacyGoBinary({ version: 'go1.16.15', modInfo, modInfoLength: 2 ** 40 })
    expect(await scan(binary)).toEqual({
      packages: [],
      unread: ['/usr/bin/tool: its Go 1.13–1.17 build info points at no module info the file holds']
    })
  })

  it('reports a header whose addresses lie outside the file', async () => {
    const binary = legacyGoBinary({ version: 'go1.16.15', modInfo })
    const header = binary.indexOf(Buffer.from('\xff Go buildinf:', 'latin1'))
    binary.writeBigUInt64LE(0x7fff0000n, header + 24)
    expect(await scan(binary)).toEqual({
      packages: [],
      unread: ['/usr/bin/tool: its Go 1.13–1.17 build info points at no module info the file holds']
    })
  })

  it('follows no more than 16 headers, so that a file of headers costs a search', async () => {
    // 100,000 aligned headers whose addresses lead nowhere, then the real one: not followed.
    const decoy = Buffer.alloc(32)
    decoy.write('\xff Go buildinf:', 0, 'latin1')
    decoy.set([8, 0], 14)
    decoy.writeBigUInt64LE(0x7fff0000n, 16)
    decoy.writeBigUInt64LE(0x7fff0000n, 24)
    const before = Buffer.concat(Array.from({ length: 100_000 }, () => decoy))
    const binary = legacyGoBinary({ version: 'go1.16.15', modInfo, headersBefore: before })
    expect(await scan(binary)).toEqual({
      packages: [],
      unread: ['/usr/bin/tool: its Go 1.13–1.17 build info points at no module info the file holds']
    })
  })
})
