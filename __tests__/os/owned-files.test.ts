/**
 * ownedFiles: the paths OS packages own, plus their real paths where a directory on the way is a
 * symlink (merged /usr). Checked against the definition: each directory resolved on its own.
 */
import { describe, expect, it } from '@jest/globals'
import { combineLayers } from '../../src/image/filesystem.js'
import type { TarEntry } from '../../src/image/types.js'
import { ownedFiles } from '../../src/os/owned-files.js'

function entry(path: string, type: TarEntry['type'], linkTarget?: string): TarEntry {
  return { path, type, mode: 0o755, uid: 0, gid: 0, size: 0, ...(linkTarget ? { linkTarget } : {}) }
}

describe('ownedFiles', () => {
  it('adds the real path of every listed path whose directories go through symlinks', () => {
    let symlinked = 0
    let seed = 2024
    const pick = (n: number): number => ((seed = (seed * 48271) % 2147483647), seed % n)
    const names = ['usr', 'bin', 'lib', 'a', 'b']
    for (let round = 0; round < 40; round++) {
      const entries: TarEntry[] = []
      const contents = new Map<string, Buffer>()
      const made = new Set<string>(['/'])
      const dirs = ['/']
      for (let i = 0; i < 25; i++) {
        const parent = dirs[pick(dirs.length)]!
        const path = `${parent === '/' ? '' : parent}/${names[pick(names.length)]}`
        if (made.has(path)) continue
        made.add(path)
        if (pick(4) === 0) {
          // Relative, absolute, chained, dangling or looping links.
          const target = [
            names[pick(names.length)]!,
            `/${names[pick(names.length)]}`,
            `../${names[pick(names.length)]}`,
            `/usr/${names[pick(names.length)]}`
          ][pick(4)]!
          entries.push(entry(path, 'symlink', target))
        } else {
          // Some directories have no entry of their own: their children imply them.
          if (pick(4) !== 0) entries.push(entry(path, 'dir'))
          dirs.push(path)
        }
      }
      const listed = Array.from({ length: 30 }, () => {
        const depth = 1 + pick(4)
        return '/' + Array.from({ length: depth }, () => names[pick(names.length)]).join('/')
      })
      entries.push(entry('/var', 'dir'), entry('/var/lib', 'dir'), entry('/var/lib/dpkg', 'dir'))
      entries.push(entry('/var/lib/dpkg/info', 'dir'))
      entries.push({ ...entry('/var/lib/dpkg/info/p.list', 'file'), size: 1 })
      contents.set('/var/lib/dpkg/info/p.list', Buffer.from(`/.\n${listed.join('\n')}\n`))
      const fs = combineLayers([{ entries, whiteouts: [], contents }])

      const expected = new Set(listed)
      for (const path of listed) {
        const slash = path.lastIndexOf('/')
        const dir = path.slice(0, slash) || '/'
        const node = fs.resolve(dir)
        if (node?.type === 'dir' && node.path !== dir) {
          expected.add(`${node.path === '/' ? '' : node.path}${path.slice(slash)}`)
        }
      }
      expect([...ownedFiles(fs)].sort()).toEqual([...expected].sort())
      symlinked += expected.size - new Set(listed).size
    }
    expect(symlinked).toBeGreaterThan(20)
  })
})
