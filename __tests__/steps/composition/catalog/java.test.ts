import { beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { zipSync } from 'fflate'
import { missingTools, tempDir } from '../../../../__fixtures__/registry.js'
import type { Package } from '../../../../src/packages/model.js'
import { pomLicenses } from '../../../../src/steps/composition/catalog/java.js'
import { catalogImage } from './catalog-image.js'

const pick = (packages: Package[]) =>
  packages.map((p) => [p.name, p.version, p.purl, p.path, p.licenses])

const pomXml = (group: string, artifact: string, licenses: string): string =>
  `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>${group}</groupId>
  <artifactId>${artifact}</artifactId>
  <name>${artifact}</name>
  ${licenses}
</project>
`
const pomProperties = (group: string, artifact: string, version: string): string =>
  `#Created by Apache Maven 3.8.7\ngroupId=${group}\nartifactId=${artifact}\nversion=${version}\n`

describe('licences from an embedded pom.xml', () => {
  it.each([
    ['The Apache Software License, Version 2.0', ['Apache-2.0']],
    ['Apache License, Version 2.0', ['Apache-2.0']],
    ['Eclipse Public License - v 1.0', ['EPL-1.0']],
    ['Eclipse Public License v2.0', ['EPL-2.0']],
    ['The MIT License', ['MIT']],
    ['Bouncy Castle Licence', ['MIT']],
    ['New BSD License', ['BSD-3-Clause']],
    ['CDDL 1.1', ['CDDL-1.1']],
    ['GNU Lesser General Public License', ['GNU Lesser General Public License']],
    ['AT&amp;T   Public\n  License', ['AT&T Public License']]
  ])('maps <name>%s</name> to %j', (name, expected) => {
    expect(
      pomLicenses(
        pomXml('g.x', 'a', `<licenses><license><name>${name}</name></license></licenses>`)
      )
    ).toEqual(expected)
  })

  it('reads every <license>, a URL where the name is unknown, and skips comments', () => {
    const licenses = `<licenses>
      <!-- <license><name>GPL</name></license> -->
      <license><name>EPL 2.0</name><url>https://www.eclipse.org/legal/epl-2.0/</url></license>
      <license><url>https://www.apache.org/licenses/LICENSE-2.0.txt</url></license>
      <license><name>${'x'.repeat(201)}</name></license>
    </licenses>`
    expect(pomLicenses(pomXml('g.x', 'a', licenses))).toEqual(['EPL-2.0', 'Apache-2.0'])
    expect(pomLicenses(pomXml('g.x', 'a', ''))).toEqual([])
    const byOsiUrl = `<licenses>
      <license><url>https://opensource.org/license/unlicense/</url></license>
      <license><url>http://www.opensource.org/licenses/mit-license.php</url></license>
      <license><url>https://opensource.org/licenses/BSD-3-Clause</url></license>
      <license><url>https://opensource.org/licenses/bsd-license.php</url></license>
      <license><url>https://example.org/licenses/MIT</url></license>
    </licenses>`
    // A URL-only entry names its licence when opensource.org's path does (`bsd-license` names no
    // one BSD licence); other URLs name none.
    expect(pomLicenses(pomXml('g.x', 'a', byOsiUrl))).toEqual(['Unlicense', 'MIT', 'BSD-3-Clause'])
    expect(pomLicenses('<licenses><license><name>MIT')).toEqual([])
  })
})

describe('Java archives built with the JDK jar tool', () => {
  const missing = missingTools(['jar'])
  if (missing !== undefined)
    console.warn(
      'Java archive test skipped: jar is not on PATH (apt-get install -y default-jdk-headless)'
    )
  const jars: Record<string, Buffer> = {}

  beforeAll(() => {
    if (missing !== undefined) return
    const root = tempDir('java-jars')
    const build = (name: string, files: Record<string, string>, manifest?: string): void => {
      const dir = join(root, name)
      mkdirSync(dir, { recursive: true })
      for (const [path, content] of Object.entries(files)) {
        mkdirSync(dirname(join(dir, path)), { recursive: true })
        writeFileSync(join(dir, path), content)
      }
      const args = ['--create', '--file', join(root, `${name}.jar`)]
      if (manifest !== undefined) {
        writeFileSync(join(root, `${name}.mf`), manifest)
        args.push('--manifest', join(root, `${name}.mf`))
      }
      execFileSync('jar', [...args, '-C', dir, '.'])
      jars[name] = readFileSync(join(root, `${name}.jar`))
    }
    const apache =
      '<licenses><license><name>The Apache Software License, Version 2.0</name></license></licenses>'
    const mit = '<licenses><license><name>MIT License</name></license></licenses>'
    // A shaded uber-jar: its own coordinates, a shaded dependency twice (once relocated under a
    // deeper path), and one more in a Spring Boot-style BOOT-INF/classes tree.
    build('shaded', {
      'com/example/App.class': 'class',
      'META-INF/maven/com.example/app/pom.properties': pomProperties('com.example', 'app', '2.1.0'),
      'META-INF/maven/com.example/app/pom.xml': pomXml('com.example', 'app', apache),
      'META-INF/maven/org.slf4j/slf4j-api/pom.properties': pomProperties(
        'org.slf4j',
        'slf4j-api',
        '2.0.9'
      ),
      'META-INF/maven/org.slf4j/slf4j-api/pom.xml': pomXml('org.slf4j', 'slf4j-api', mit),
      'shaded/META-INF/maven/org.slf4j/slf4j-api/pom.properties': pomProperties(
        'org.slf4j',
        'slf4j-api',
        '2.0.9'
      ),
      'BOOT-INF/classes/META-INF/maven/org.yaml/snakeyaml/pom.properties': pomProperties(
        'org.yaml',
        'snakeyaml',
        '1.33'
      ),
      'BOOT-INF/classes/pom.properties': 'groupId=\nartifactId=broken\n'
    })
    build(
      'vendor-id-1.0',
      {},
      'Implementation-Vendor-Id: org.example.vendor\nBundle-SymbolicName: com.other.bundle\nImplementation-Version: 1.0\n'
    )
    build(
      'jackson-databind-2.15.2',
      {},
      'Bundle-SymbolicName: com.fasterxml.jackson.core.jackson-databind;singleton:=true\nBundle-Version: 2.15.2\n'
    )
    build('commons-text-1.10.0', {}, 'Automatic-Module-Name: org.apache.commons.text\n')
    build('inject-1', {}, 'Bundle-SymbolicName: javax.inject\nBundle-Version: 1.0.0\n')
    build('commons-lang3-3.12.0', {}, 'Bundle-SymbolicName: org.apache.commons.lang3\n')
    build('atinject-jsr330-api-1.0', {}, 'Bundle-SymbolicName: javax.inject\n')
  }, 120_000)

  ;(missing === undefined ? it : it.skip)(
    'reads pom.properties anywhere in a shaded jar with the licences of the pom.xml beside each',
    async () => {
      const { catalog } = await catalogImage({
        layers: [{ entries: [{ path: 'app/app.jar', content: jars['shaded']! }] }]
      })
      expect(pick(catalog.packages)).toEqual([
        [
          'com.example:app',
          '2.1.0',
          'pkg:maven/com.example/app@2.1.0',
          '/app/app.jar',
          ['Apache-2.0']
        ],
        [
          'org.slf4j:slf4j-api',
          '2.0.9',
          'pkg:maven/org.slf4j/slf4j-api@2.0.9',
          '/app/app.jar',
          ['MIT']
        ],
        ['org.yaml:snakeyaml', '1.33', 'pkg:maven/org.yaml/snakeyaml@1.33', '/app/app.jar', []]
      ])
    }
  )

  ;(missing === undefined ? it : it.skip)(
    'takes the groupId of a manifest-only jar from Implementation-Vendor-Id, Bundle-SymbolicName or Automatic-Module-Name',
    async () => {
      const nested = zipSync({
        'WEB-INF/lib/jackson-databind-2.15.2.jar': jars['jackson-databind-2.15.2']!
      })
      const { catalog } = await catalogImage({
        layers: [
          {
            entries: [
              { path: 'lib/vendor-id-1.0.jar', content: jars['vendor-id-1.0']! },
              { path: 'lib/commons-text-1.10.0.jar', content: jars['commons-text-1.10.0']! },
              { path: 'lib/inject-1.jar', content: jars['inject-1']! },
              { path: 'lib/commons-lang3-3.12.0.jar', content: jars['commons-lang3-3.12.0']! },
              {
                path: 'lib/atinject-jsr330-api-1.0.jar',
                content: jars['atinject-jsr330-api-1.0']!
              },
              { path: 'lib/app.war', content: Buffer.from(nested) }
            ]
          }
        ]
      })
      expect(pick(catalog.packages)).toEqual([
        [
          'com.fasterxml.jackson.core:jackson-databind',
          '2.15.2',
          'pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.15.2',
          '/lib/app.war:WEB-INF/lib/jackson-databind-2.15.2.jar',
          []
        ],
        [
          'atinject-jsr330-api:atinject-jsr330-api',
          '1.0',
          'pkg:maven/atinject-jsr330-api/atinject-jsr330-api@1.0',
          '/lib/atinject-jsr330-api-1.0.jar',
          []
        ],
        [
          'org.apache.commons:commons-lang3',
          '3.12.0',
          'pkg:maven/org.apache.commons/commons-lang3@3.12.0',
          '/lib/commons-lang3-3.12.0.jar',
          []
        ],
        [
          'org.apache.commons:commons-text',
          '1.10.0',
          'pkg:maven/org.apache.commons/commons-text@1.10.0',
          '/lib/commons-text-1.10.0.jar',
          []
        ],
        ['javax:inject', '1.0.0', 'pkg:maven/javax/inject@1.0.0', '/lib/inject-1.jar', []],
        [
          'org.example.vendor:vendor-id',
          '1.0',
          'pkg:maven/org.example.vendor/vendor-id@1.0',
          '/lib/vendor-id-1.0.jar',
          []
        ]
      ])
    }
  )
})

describe('Java archives built by Maven', () => {
  // Debian's Maven builds offline from the plugins its packages put in /usr/share/maven-repo.
  const repo = '/usr/share/maven-repo'
  const plugins = ['compiler', 'resources', 'jar', 'surefire', 'shade', 'war'].map(
    (name) => `${repo}/org/apache/maven/plugins/maven-${name}-plugin`
  )
  const missing =
    missingTools(['mvn']) ??
    (plugins.every((dir) => existsSync(dir))
      ? undefined
      : 'skipped: Maven plugins not in /usr/share/maven-repo')
  if (missing !== undefined)
    console.warn(
      `Maven archive test ${missing} (apt-get install -y maven libmaven-compiler-plugin-java libmaven-resources-plugin-java libmaven-jar-plugin-java libsurefire-java libmaven-shade-plugin-java libmaven-war-plugin-java)`
    )
  const built: Record<string, Buffer> = {}

  beforeAll(() => {
    if (missing !== undefined) return
    const root = tempDir('maven-build')
    // The shade and WAR plugins' default versions are not Debian's: the ones it installed.
    const installed = (name: string): string =>
      readdirSync(`${repo}/org/apache/maven/plugins/maven-${name}-plugin`).find((version) =>
        /^\d/.test(version)
      )!
    const write = (path: string, content: string): void => {
      mkdirSync(dirname(join(root, path)), { recursive: true })
      writeFileSync(join(root, path), content)
    }
    const project = (body: string): string =>
      `<project xmlns="http://maven.apache.org/POM/4.0.0">\n  <modelVersion>4.0.0</modelVersion>\n${body}\n</project>\n`
    const parent =
      '<parent><groupId>com.example</groupId><artifactId>parent</artifactId><version>1.0.0</version></parent>'
    const onLib =
      '<dependencies><dependency><groupId>org.example.shared</groupId><artifactId>shared-lib</artifactId><version>2.3.1</version></dependency></dependencies>'
    // A library, an application shaded into an uber-jar with it, and a WAR that carries it in
    // WEB-INF/lib: one reactor build, so nothing is installed into a repository.
    write(
      'pom.xml',
      project(
        '<groupId>com.example</groupId><artifactId>parent</artifactId><version>1.0.0</version><packaging>pom</packaging>\n<modules><module>lib</module><module>app</module><module>web</module></modules>\n<properties><maven.compiler.source>17</maven.compiler.source><maven.compiler.target>17</maven.compiler.target><project.build.sourceEncoding>UTF-8</project.build.sourceEncoding></properties>'
      )
    )
    write(
      'lib/pom.xml',
      project(
        `${parent}<groupId>org.example.shared</groupId><artifactId>shared-lib</artifactId><version>2.3.1</version>\n<licenses><license><name>MIT License</name></license></licenses>`
      )
    )
    write(
      'lib/src/main/java/org/example/shared/Lib.java',
      'package org.example.shared; public class Lib {}\n'
    )
    write(
      'app/pom.xml',
      project(
        `${parent}<artifactId>app</artifactId><version>5.0.0</version>\n<licenses><license><name>Apache License, Version 2.0</name></license></licenses>\n${onLib}\n<build><plugins><plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-shade-plugin</artifactId><version>${installed('shade')}</version><executions><execution><phase>package</phase><goals><goal>shade</goal></goals></execution></executions></plugin></plugins></build>`
      )
    )
    write(
      'app/src/main/java/com/example/app/App.java',
      'package com.example.app; public class App { Object lib = new org.example.shared.Lib(); }\n'
    )
    write(
      'web/pom.xml',
      project(
        `${parent}<artifactId>web</artifactId><version>6.0.0</version><packaging>war</packaging>\n${onLib}\n<build><plugins><plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-war-plugin</artifactId><version>${installed('war')}</version></plugin></plugins></build>`
      )
    )
    write('web/src/main/webapp/WEB-INF/web.xml', '<web-app/>\n')
    try {
      execFileSync(
        'mvn',
        ['-q', '-o', '-B', `-Dmaven.repo.local=${repo}`, '-Dmaven.test.skip=true', 'package'],
        { cwd: root, stdio: 'pipe', env: { ...process.env, HOME: root } }
      )
    } catch (error) {
      // Maven prints its errors on stdout.
      throw new Error(`mvn package failed:\n${String((error as { stdout?: Buffer }).stdout)}`, {
        cause: error
      })
    }
    built.app = readFileSync(join(root, 'app/target/app-5.0.0.jar'))
    built.web = readFileSync(join(root, 'web/target/web-6.0.0.war'))
    built.lib = readFileSync(join(root, 'lib/target/shared-lib-2.3.1.jar'))
  }, 120_000)

  ;(missing === undefined ? it : it.skip)(
    'finds the application and the library it shaded, in a WAR and on its own',
    async () => {
      const { catalog } = await catalogImage({
        layers: [
          {
            entries: [
              { path: 'app/app.jar', content: built.app! },
              { path: 'usr/local/tomcat/webapps/web.war', content: built.web! },
              { path: 'opt/lib/shared-lib-2.3.1.jar', content: built.lib! }
            ]
          }
        ]
      })
      const lib = (path: string): unknown[] => [
        'org.example.shared:shared-lib',
        '2.3.1',
        'pkg:maven/org.example.shared/shared-lib@2.3.1',
        path,
        ['MIT']
      ]
      expect(pick(catalog.packages)).toEqual([
        [
          'com.example:app',
          '5.0.0',
          'pkg:maven/com.example/app@5.0.0',
          '/app/app.jar',
          ['Apache-2.0']
        ],
        lib('/app/app.jar'),
        lib('/opt/lib/shared-lib-2.3.1.jar'),
        [
          'com.example:web',
          '6.0.0',
          'pkg:maven/com.example/web@6.0.0',
          '/usr/local/tomcat/webapps/web.war',
          []
        ],
        lib('/usr/local/tomcat/webapps/web.war:WEB-INF/lib/shared-lib-2.3.1.jar')
      ])
      expect(catalog.unread).toEqual([])
    }
  )
})
