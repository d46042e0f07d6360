import { describe, expect, it } from '@jest/globals'
import { zipSync } from 'fflate'
import parseSpdx from 'spdx-expression-parse'
import { normalizeLicense } from '../../../../src/packages/license.js'
import { deniedLicenses } from '../../../../src/steps/composition/licenses.js'
import { catalogImage } from './catalog-image.js'

/** Names as each kind of metadata writes them, and the SPDX expression the text determines. */
const DETERMINED: [string, string][] = [
  // Debian copyright files (copyright-format 1.0 short names).
  ['GPL-2', 'GPL-2.0-only'],
  ['GPL-2+', 'GPL-2.0-or-later'],
  ['GPL-1+', 'GPL-1.0-or-later'],
  ['LGPL-2.1', 'LGPL-2.1-only'],
  ['LGPL-2.1+', 'LGPL-2.1-or-later'],
  ['LGPL-3+', 'LGPL-3.0-or-later'],
  ['AGPL-3+', 'AGPL-3.0-or-later'],
  ['GFDL-1.3+', 'GFDL-1.3-or-later'],
  ['Expat', 'MIT'],
  ['BSD-3-clause', 'BSD-3-Clause'],
  ['Artistic-2', 'Artistic-2.0'],
  ['PSFL', 'PSF-2.0'],
  ['GPL-2+ or Artistic', 'GPL-2.0-or-later OR Artistic-1.0'],
  ['Expat or GPL-1+ or Artistic', 'MIT OR GPL-1.0-or-later OR Artistic-1.0'],
  ['GPL-3+ with Bison exception', 'GPL-3.0-or-later WITH Bison-exception-2.2'],
  // Trove classifiers (pypi.org/classifiers), by their last segment.
  ['GNU General Public License v2 (GPLv2)', 'GPL-2.0-only'],
  ['GNU General Public License v2 or later (GPLv2+)', 'GPL-2.0-or-later'],
  ['GNU General Public License v3 or later (GPLv3+)', 'GPL-3.0-or-later'],
  ['GNU Lesser General Public License v2 or later (LGPLv2+)', 'LGPL-2.0-or-later'],
  ['GNU Lesser General Public License v3 (LGPLv3)', 'LGPL-3.0-only'],
  ['GNU Affero General Public License v3', 'AGPL-3.0-only'],
  ['GNU Affero General Public License v3 or later (AGPLv3+)', 'AGPL-3.0-or-later'],
  ['MIT No Attribution License (MIT-0)', 'MIT-0'],
  ['ISC License (ISCL)', 'ISC'],
  ['Mozilla Public License 2.0 (MPL 2.0)', 'MPL-2.0'],
  ['CC0 1.0 Universal (CC0 1.0) Public Domain Dedication', 'CC0-1.0'],
  // POM <name>s.
  ['GNU Lesser General Public License, Version 2.1', 'LGPL-2.1-only'],
  ['GNU Library General Public License v2', 'LGPL-2.0-only'],
  [
    'GNU General Public License, version 2, with the Classpath Exception',
    'GPL-2.0-only WITH Classpath-exception-2.0'
  ],
  ['GPL2 w/ CPE', 'GPL-2.0-only WITH Classpath-exception-2.0'],
  ['Common Development and Distribution License (CDDL) v1.0', 'CDDL-1.0'],
  ['The Apache Software License, Version 2.0', 'Apache-2.0'],
  ['Eclipse Public License - v 1.0', 'EPL-1.0'],
  // gemspecs, package.json and Composer: SPDX ids, deprecated ones, and names in words.
  ['GPL-2.0', 'GPL-2.0-only'],
  ['GPL-2.0+', 'GPL-2.0-or-later'],
  ['GPL-3.0+', 'GPL-3.0-or-later'],
  ['AGPL-3.0', 'AGPL-3.0-only'],
  ['GPL-2.0-only+', 'GPL-2.0-or-later'],
  ['GPLv3', 'GPL-3.0-only'],
  ['GPLv2+', 'GPL-2.0-or-later'],
  ['GNU GPL v3', 'GPL-3.0-only'],
  ['GPL v2 or later', 'GPL-2.0-or-later'],
  ['LGPLv2.1+', 'LGPL-2.1-or-later'],
  ['GPLv2 or GPLv3', 'GPL-2.0-only OR GPL-3.0-only'],
  ['(MIT OR GPL-2.0) AND BSD-3-Clause', '(MIT OR GPL-2.0-only) AND BSD-3-Clause'],
  ['GPL-2.0 WITH Classpath-exception-2.0', 'GPL-2.0-only WITH Classpath-exception-2.0'],
  ['GPL-2.0-with-classpath-exception', 'GPL-2.0-only WITH Classpath-exception-2.0'],
  ['mit', 'MIT'],
  ['Apache 2.0', 'Apache-2.0'],
  // Valid expressions with current ids keep their form.
  ['(MIT OR AGPL-3.0-only)', '(MIT OR AGPL-3.0-only)'],
  ['MIT or Apache-2.0', 'MIT or Apache-2.0'],
  ['Apache-2.0+', 'Apache-2.0+'],
  ['LicenseRef-Proprietary', 'LicenseRef-Proprietary']
]

/** Names whose text names no one licence, or a licence the GNU project never published. */
const UNDETERMINED = [
  'GPL',
  'LGPL',
  'GNU GPL',
  'GNU Lesser General Public License',
  'GNU General Public License (GPL)',
  'GNU Library or Lesser General Public License (LGPL)',
  'GNU Free Documentation License (FDL)',
  // The abbreviation says "or later", the name does not.
  'GNU General Public License v2 (GPLv2+)',
  'GPL-2.1',
  'GPLv2 with exceptions',
  'GPL-2+ with OpenSSL exception',
  'BSD License',
  'public-domain',
  'MIT (see LICENSE)',
  // Debian's `, and` after an `or`: the grouping is a guess.
  'GPL-1+ or Artistic, and BSD-4-clause',
  'GPL-3+ and BSD-4-clause-UC',
  'constructor'
]

describe('licence names as SPDX ids', () => {
  it.each(DETERMINED)('reads %j as %j', (name, expected) => {
    expect(normalizeLicense(name)).toBe(expected)
  })

  it.each(UNDETERMINED)('keeps %j as written', (name) => {
    expect(normalizeLicense(` ${name} `)).toBe(name)
  })

  it('gives valid SPDX expressions that read as themselves again', () => {
    for (const [, expected] of DETERMINED) {
      expect(() => parseSpdx(expected)).not.toThrow()
      expect(normalizeLicense(expected)).toBe(expected)
    }
    for (const name of UNDETERMINED) expect(normalizeLicense(normalizeLicense(name))).toBe(name)
  })
})

describe('licences every cataloger reports', () => {
  const pom = (name: string): string =>
    `<project><modelVersion>4.0.0</modelVersion><licenses><license><name>${name}</name></license></licenses></project>`
  const jar = Buffer.from(
    zipSync({
      'META-INF/maven/org.example/lgpl/pom.properties': Buffer.from(
        'groupId=org.example\nartifactId=lgpl\nversion=1.0\n'
      ),
      'META-INF/maven/org.example/lgpl/pom.xml': Buffer.from(
        pom('GNU Lesser General Public License, Version 2.1')
      ),
      'META-INF/maven/org.example/unversioned/pom.properties': Buffer.from(
        'groupId=org.example\nartifactId=unversioned\nversion=2.0\n'
      ),
      'META-INF/maven/org.example/unversioned/pom.xml': Buffer.from(
        pom('GNU Lesser General Public License')
      )
    })
  )
  const entries = [
    {
      path: 'var/lib/dpkg/status',
      content:
        'Package: tar\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1.34+dfsg-1.2\n\n'
    },
    {
      path: 'usr/share/doc/tar/copyright',
      content:
        'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\nFiles: *\nCopyright: 1985-2021 Free Software Foundation, Inc.\nLicense: GPL-3+\n\nFiles: lib/*\nCopyright: 1985-2021 Free Software Foundation, Inc.\nLicense: LGPL-3+\n\nFiles: doc/*\nCopyright: 2021 Free Software Foundation, Inc.\nLicense: GPL-3+ with Bison exception\n\nLicense: GPL-3+\n On Debian systems, the complete text is in /usr/share/common-licenses/GPL-3.\n'
    },
    {
      path: 'usr/lib/python3/dist-packages/chardet-5.1.0.dist-info/METADATA',
      content:
        'Metadata-Version: 2.1\nName: chardet\nVersion: 5.1.0\nLicense: LGPL\nClassifier: License :: OSI Approved :: GNU Lesser General Public License v2 or later (LGPLv2+)\n\n'
    },
    {
      path: 'usr/lib/python3/dist-packages/ansible-9.0.0.dist-info/METADATA',
      content:
        'Metadata-Version: 2.1\nName: ansible\nVersion: 9.0.0\nClassifier: License :: OSI Approved :: GNU General Public License v3 or later (GPLv3+)\n\n'
    },
    {
      path: 'app/node_modules/gpl-lib/package.json',
      content: JSON.stringify({ name: 'gpl-lib', version: '1.0.0', license: 'GPL-2.0' })
    },
    {
      path: 'app/node_modules/lgpl-lib/package.json',
      content: JSON.stringify({ name: 'lgpl-lib', version: '1.0.0', license: 'LGPL-2.1+' })
    },
    {
      path: 'usr/lib/ruby/gems/3.1.0/specifications/gplgem-0.1.gemspec',
      content:
        'Gem::Specification.new do |s|\n  s.name = "gplgem".freeze\n  s.version = "0.1"\n  s.licenses = ["GPLv3".freeze, "GNU GPL v3".freeze]\nend\n'
    },
    {
      path: 'var/www/vendor/composer/installed.json',
      content: JSON.stringify({
        packages: [{ name: 'acme/gpl', version: '1.0.0', license: ['GPL-3.0+'] }]
      })
    },
    { path: 'opt/app/lib/app.jar', content: jar }
  ]

  it('reads GNU licences from each kind of metadata as the SPDX ids their names determine', async () => {
    const { catalog } = await catalogImage({ layers: [{ entries }] })
    expect(catalog.packages.map((p) => [p.name, p.licenses])).toEqual([
      ['gpl-lib', ['GPL-2.0-only']],
      ['lgpl-lib', ['LGPL-2.1-or-later']],
      ['org.example:lgpl', ['LGPL-2.1-only']],
      ['org.example:unversioned', ['GNU Lesser General Public License']],
      ['ansible', ['GPL-3.0-or-later']],
      ['chardet', ['LGPL']],
      ['gplgem', ['GPL-3.0-only']],
      [
        'tar',
        ['GPL-3.0-or-later', 'GPL-3.0-or-later WITH Bison-exception-2.2', 'LGPL-3.0-or-later']
      ],
      ['acme/gpl', ['GPL-3.0-or-later']]
    ])
  })

  it('lets license-deny name the current SPDX id of a licence written under a deprecated one', async () => {
    const { catalog } = await catalogImage({ layers: [{ entries }] })
    const denied = catalog.packages
      .filter((p) => deniedLicenses(p.licenses, ['GPL-2.0-only', 'LGPL-2.1-or-later']).length > 0)
      .map((p) => p.name)
    expect(denied).toEqual(['gpl-lib', 'lgpl-lib'])
  })
})
