/**
 * Hostile images, class "work linear in the input": a jar's central directory may point many
 * entries at one stored member (a jar, which does the same one level down), or at members whose
 * data holds the local headers after them. Overlapping members are refused and reported, so each
 * nesting level reads the bytes of the one above at most once; valid nested jars read whole.
 */
import { describe, expect, it } from '@jest/globals'
import {
  deflatedMember,
  storedMember,
  zipDirectoryEntry,
  zipLocalHeader,
  zipOf,
  zipWith,
  type ZipRecord
} from '../../__fixtures__/hostile-files.js'
import { javaPackages, type JavaPackage } from '../../src/steps/composition/catalog/java.js'
import { catalogImage } from '../steps/composition/catalog/catalog-image.js'

const MiB = 1024 * 1024

const pomProperties = (group: string, artifact: string, version: string): Buffer =>
  Buffer.from(`groupId=${group}\nartifactId=${artifact}\nversion=${version}\n`)

const maven = (group: string, artifact: string, version: string, nested: string): JavaPackage => ({
  name: `${group}:${artifact}`,
  version,
  ecosystem: 'Maven',
  purl: `pkg:maven/${group}/${artifact}@${version}`,
  licenses: [],
  nested
})

/** A stored member as its headers describe it; the CRC-32 is 0, as no reader here checks it. */
const stored = (name: string, size: number): ZipRecord => ({
  name,
  method: 0,
  crc: 0,
  compressedSize: size,
  size
})
const localHeader = (name: string, size: number): Buffer => zipLocalHeader(stored(name, size))
const directoryEntry = (name: string, size: number, localOffset: number): Buffer =>
  zipDirectoryEntry(stored(name, size), localOffset)

/**
 * Stored members, each written once; `entries` lists the directory, each entry naming the member
 * whose local header it points at, so several entries may share one.
 */
function zipSharingHeaders(
  members: { name: string; data: Buffer }[],
  entries: { name: string; member: number }[]
): Buffer {
  const records: Buffer[] = []
  const offsets: number[] = []
  let offset = 0
  for (const { name, data } of members) {
    offsets.push(offset)
    records.push(localHeader(name, data.length), data)
    offset += localHeader(name, data.length).length + data.length
  }
  return zipWith(
    records,
    entries.map(({ name, member }) =>
      directoryEntry(name, members[member]!.data.length, offsets[member]!)
    )
  )
}

/** `count` directory entries named by `name(i)`, all on the one stored member `data`. */
function oneMemberManyEntries(count: number, name: (i: number) => string, data: Buffer): Buffer {
  return zipSharingHeaders(
    [{ name: name(0), data }],
    Array.from({ length: count }, (_, i) => ({ name: name(i), member: 0 }))
  )
}

/**
 * Stored members whose data runs to the end of `kernel`: each one's data holds the local headers
 * of the members after it, so every member reads the kernel (Fifield's overlapping files, without
 * deflate). No two share a local header.
 */
function zipQuotingHeaders(names: string[], kernel: Buffer): Buffer {
  const headerBytes = names.map((name) => localHeader(name, 0).length)
  const total = headerBytes.reduce((sum, n) => sum + n, 0) + kernel.length
  const records: Buffer[] = []
  const entries: Buffer[] = []
  let offset = 0
  names.forEach((name, i) => {
    const size = total - offset - headerBytes[i]!
    records.push(localHeader(name, size))
    entries.push(directoryEntry(name, size, offset))
    offset += headerBytes[i]!
  })
  return zipWith([...records, kernel], entries)
}

const overlap = (member: string, first: string, more: number): string =>
  `its member ${member} overlaps ${first}, as do ${more} more (a zip bomb's layout)`

describe('jars whose members overlap', () => {
  const K = 64
  const dependency = pomProperties('org.example', 'dep', '2.0.0')
  const poms = (i: number): string => `META-INF/maven/org.example/dep${i}/pom.properties`
  const innermost = oneMemberManyEntries(K, poms, dependency)
  const middle = oneMemberManyEntries(K, (i) => `lib/shaded${i}.jar`, innermost)

  it.each([
    {
      layout:
        'the audit: many nested-jar entries on one stored jar of many pom.properties entries on one member (depth 2)',
      archive: oneMemberManyEntries(
        500,
        (i) => `j${i}.jar`,
        oneMemberManyEntries(500, (i) => `d${i}/pom.properties`, pomProperties('g', 'a', '1'))
      ),
      packages: [maven('g', 'a', '1', 'j0.jar')],
      unread: [
        overlap('j1.jar', 'j0.jar', 498),
        overlap('j0.jar:d1/pom.properties', 'j0.jar:d0/pom.properties', 498)
      ]
    },
    {
      layout:
        'a WAR beside its own pom.properties and a good jar, whose other entries share one stored jar that does the same twice more (depth 3)',
      archive: zipSharingHeaders(
        [
          {
            name: 'META-INF/maven/org.example/web/pom.properties',
            data: pomProperties('org.example', 'web', '1.0.0')
          },
          {
            name: 'WEB-INF/lib/good-3.1.jar',
            data: zipOf([
              storedMember(
                'META-INF/maven/org.example/good/pom.properties',
                pomProperties('org.example', 'good', '3.1')
              )
            ])
          },
          { name: 'WEB-INF/lib/lib0.jar', data: middle }
        ],
        [
          { name: 'META-INF/maven/org.example/web/pom.properties', member: 0 },
          { name: 'WEB-INF/lib/good-3.1.jar', member: 1 },
          ...Array.from({ length: K }, (_, i) => ({ name: `WEB-INF/lib/lib${i}.jar`, member: 2 }))
        ]
      ),
      packages: [
        maven('org.example', 'web', '1.0.0', ''),
        maven('org.example', 'good', '3.1', 'WEB-INF/lib/good-3.1.jar'),
        maven('org.example', 'dep', '2.0.0', 'WEB-INF/lib/lib0.jar:lib/shaded0.jar')
      ],
      unread: [
        overlap('WEB-INF/lib/lib1.jar', 'WEB-INF/lib/lib0.jar', K - 2),
        overlap(
          'WEB-INF/lib/lib0.jar:lib/shaded1.jar',
          'WEB-INF/lib/lib0.jar:lib/shaded0.jar',
          K - 2
        ),
        overlap(
          `WEB-INF/lib/lib0.jar:lib/shaded0.jar:${poms(1)}`,
          `WEB-INF/lib/lib0.jar:lib/shaded0.jar:${poms(0)}`,
          K - 2
        )
      ]
    },
    {
      layout:
        "pom.properties members with local headers of their own, each one's data holding the headers after it",
      archive: zipQuotingHeaders(
        Array.from({ length: K }, (_, i) => poms(i)),
        Buffer.concat([Buffer.from('\n'), dependency])
      ),
      packages: [maven('org.example', 'dep', '2.0.0', '')],
      unread: [overlap(poms(1), poms(0), K - 2)]
    }
  ])(
    'reads the first member of each overlap in $layout, and reports the others',
    ({ archive, packages, unread }) => {
      // Each nested jar opened adds its package: one per level is one inner jar opened per level.
      expect(javaPackages(archive, 'app.war')).toEqual({ packages, unread })
    }
  )

  it('reports the audit jar in an image as one finding, with the package of the one inner jar read', async () => {
    const jar = oneMemberManyEntries(
      K,
      (i) => `BOOT-INF/lib/lib${i}.jar`,
      oneMemberManyEntries(K, poms, dependency)
    )
    const { catalog } = await catalogImage({
      layers: [{ entries: [{ path: 'app/app.jar', content: jar }] }]
    })
    expect(catalog.packages.map((p) => `${p.path} ${p.name}@${p.version}`)).toEqual([
      '/app/app.jar:BOOT-INF/lib/lib0.jar org.example:dep@2.0.0'
    ])
    expect(catalog.unread?.map(({ path, reason }) => ({ path, reason }))).toEqual([
      {
        path: '/app/app.jar',
        reason: `${overlap('BOOT-INF/lib/lib1.jar', 'BOOT-INF/lib/lib0.jar', K - 2)} (and 1 more)`
      }
    ])
  })
})

describe('jars nested in jars that are not bombs', () => {
  it('reads an EAR → WAR → Spring Boot jar → jar nesting whole, stored and deflated', () => {
    const library = (artifact: string, version: string) =>
      zipOf([
        deflatedMember('META-INF/MANIFEST.MF', Buffer.from('Manifest-Version: 1.0\n')),
        storedMember(
          `META-INF/maven/org.example/${artifact}/pom.properties`,
          pomProperties('org.example', artifact, version)
        )
      ])
    const boot = zipOf([
      storedMember(
        'META-INF/maven/org.example/boot/pom.properties',
        pomProperties('org.example', 'boot', '3.0.0')
      ),
      storedMember('BOOT-INF/lib/core-1.2.jar', library('core', '1.2')),
      storedMember('BOOT-INF/lib/util-4.0.jar', library('util', '4.0'))
    ])
    const war = zipOf([
      deflatedMember('WEB-INF/web.xml', Buffer.from('<web-app/>\n')),
      storedMember('WEB-INF/lib/boot-3.0.0.jar', boot),
      deflatedMember('WEB-INF/lib/json-2.1.jar', library('json', '2.1'))
    ])
    const ear = zipOf([
      storedMember('web.war', war),
      deflatedMember('lib/log-1.0.jar', library('log', '1.0'))
    ])
    expect(javaPackages(ear, 'app.ear')).toEqual({
      packages: [
        maven('org.example', 'log', '1.0', 'lib/log-1.0.jar'),
        maven('org.example', 'boot', '3.0.0', 'web.war:WEB-INF/lib/boot-3.0.0.jar'),
        maven(
          'org.example',
          'core',
          '1.2',
          'web.war:WEB-INF/lib/boot-3.0.0.jar:BOOT-INF/lib/core-1.2.jar'
        ),
        maven(
          'org.example',
          'util',
          '4.0',
          'web.war:WEB-INF/lib/boot-3.0.0.jar:BOOT-INF/lib/util-4.0.jar'
        ),
        maven('org.example', 'json', '2.1', 'web.war:WEB-INF/lib/json-2.1.jar')
      ],
      unread: []
    })
  })

  it('charges a nested jar whose stream turns corrupt late to the budget too', () => {
    // 100 MiB of zeros deflate to ~100 KB; without the last bytes the stream fails at its end.
    const whole = deflatedMember('x.jar', Buffer.alloc(100 * MiB))
    const cut = { ...whole, data: whole.data.subarray(0, whole.data.length - 8) }
    const archive = zipOf([0, 1, 2, 3].map((i) => ({ ...cut, name: `lib/x${i}.jar` })))
    // Two failed streams use up 200 MiB; the third would pass the 256 MiB in all.
    expect(javaPackages(archive, 'app.jar')).toEqual({
      packages: [],
      unread: [
        'its members inflate to more than 256.0 MiB in all, passed at lib/x2.jar',
        'its members inflate to more than 256.0 MiB in all, passed at lib/x3.jar'
      ]
    })
  })

  it("charges a nested jar stopped at its 128 MiB cap to the archive's 256 MiB budget", () => {
    const bomb = deflatedMember('x.jar', Buffer.alloc(129 * MiB))
    const archive = zipOf([0, 1, 2, 3].map((i) => ({ ...bomb, name: `lib/x${i}.jar` })))
    expect(javaPackages(archive, 'app.jar')).toEqual({
      packages: [],
      unread: [
        'its member lib/x0.jar inflates to more than 128.0 MiB',
        'its member lib/x1.jar inflates to more than 128.0 MiB',
        'its members inflate to more than 256.0 MiB in all, passed at lib/x2.jar',
        'its members inflate to more than 256.0 MiB in all, passed at lib/x3.jar'
      ]
    })
  })
})
