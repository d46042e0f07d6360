/**
 * A lean runtime image: no package caches or build leftovers, no tool chains or package managers
 * the application does not need, nothing world-writable outside sticky directories, and no
 * system file the runtime user could rewrite. All from the final filesystem's headers.
 */
import { formatBytes } from '../../units.js'
import type { Severity } from '../../findings.js'
import { SYSTEM_BIN_DIRS } from '../../image/filesystem.js'
import type { FileNode, FileSystem } from '../../image/types.js'
import type { HardeningSettings } from './settings.js'

export interface LeanDraft {
  rule: string
  severity: Severity
  title: string
  detail: string
  subject: string
  path?: string
  /** 0-based layer that last wrote the path. */
  layer?: number
}

/**
 * Caches package managers leave behind; the capture is the directory reported. A path can only
 * match when it holds one of the needles (the pattern runs for those paths only).
 */
const CACHES: Array<{ name: string; needles: string[]; pattern: RegExp; fix: string }> = [
  {
    name: 'apt package lists',
    needles: ['/var/lib/apt/lists/'],
    pattern: /^(\/var\/lib\/apt\/lists)\/(?!lock$|partial(?:\/|$)|auxfiles(?:\/|$))/,
    fix: 'End the `apt-get install` RUN line with `&& rm -rf /var/lib/apt/lists/*`.'
  },
  {
    name: 'apt package cache',
    needles: ['/var/cache/apt/'],
    pattern: /^(\/var\/cache\/apt)\/(?:archives\/[^/]+\.deb$|[^/]+\.bin$)/,
    fix: 'Run `apt-get clean` in the same RUN line as the install.'
  },
  {
    name: 'apk cache',
    needles: ['/var/cache/apk/', '/etc/apk/cache/'],
    pattern: /^(\/var\/cache\/apk|\/etc\/apk\/cache)\/./,
    fix: 'Install with `apk add --no-cache`.'
  },
  {
    name: 'dnf/yum cache',
    needles: ['/var/cache/dnf/', '/var/cache/yum/', '/var/cache/zypp/'],
    pattern: /^(\/var\/cache\/(?:dnf|yum|zypp))\/./,
    fix: 'Run `dnf clean all` (or `yum clean all`) in the same RUN line as the install.'
  },
  {
    name: 'pip cache',
    needles: ['/.cache/pip/'],
    pattern: /^(.*?\/\.cache\/pip)\/./,
    fix: 'Install with `pip install --no-cache-dir`.'
  },
  {
    name: 'npm cache',
    needles: ['/.npm/_cacache/'],
    pattern: /^(.*?\/\.npm\/_cacache)\/./,
    fix: 'Run `npm cache clean --force` after installing, or mount the cache with `RUN --mount=type=cache`.'
  },
  {
    name: 'yarn cache',
    needles: ['/.cache/yarn/', '/.yarn/cache/', '/.yarn/berry/cache/'],
    pattern: /^(.*?\/\.cache\/yarn|.*?\/\.yarn\/cache|.*?\/\.yarn\/berry\/cache)\/./,
    fix: 'Run `yarn cache clean` after installing, or mount the cache with `RUN --mount=type=cache`.'
  },
  {
    name: 'Go build and module cache',
    needles: ['/.cache/go-build/', '/go/pkg/mod/'],
    pattern: /^(.*?\/\.cache\/go-build|.*?\/go\/pkg\/mod)\/./,
    fix: 'Build in a separate stage and copy only the binary into the runtime image.'
  },
  {
    name: 'Maven repository',
    needles: ['/.m2/repository/'],
    pattern: /^(.*?\/\.m2\/repository)\/./,
    fix: 'Build in a separate stage and copy only the application into the runtime image.'
  },
  {
    name: 'Gradle cache',
    needles: ['/.gradle/caches/'],
    pattern: /^(.*?\/\.gradle\/caches)\/./,
    fix: 'Build in a separate stage and copy only the application into the runtime image.'
  },
  {
    name: 'Composer cache',
    needles: ['/.composer/cache/', '/.cache/composer/'],
    pattern: /^(.*?\/\.composer\/cache|.*?\/\.cache\/composer)\/./,
    fix: 'Install with `composer install --no-cache`.'
  },
  {
    name: 'Cargo registry',
    needles: ['/.cargo/registry/'],
    pattern: /^(.*?\/\.cargo\/registry)\/./,
    fix: 'Build in a separate stage and copy only the binary into the runtime image.'
  },
  {
    name: 'NuGet package cache',
    needles: ['/.nuget/packages/'],
    pattern: /^(.*?\/\.nuget\/packages)\/./,
    fix: 'Publish in a separate stage and copy only the output into the runtime image.'
  }
]

/** Any cache's needle: one test per path; most paths hold none. */
const CACHE_NEEDLE = new RegExp(
  CACHES.flatMap((cache) => cache.needles)
    .map((needle) => needle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('|')
)

interface Tool {
  name: string
  kind: 'package-manager' | 'toolchain'
  binary: RegExp
}

/** Binaries by name, with Debian's versioned and target-prefixed forms (gcc-12, x86_64-linux-gnu-gcc). */
const TOOLS: Tool[] = [
  { name: 'apt', kind: 'package-manager', binary: /^apt(?:-get)?$/ },
  { name: 'dpkg', kind: 'package-manager', binary: /^dpkg$/ },
  { name: 'apk', kind: 'package-manager', binary: /^apk$/ },
  { name: 'dnf', kind: 'package-manager', binary: /^(?:micro)?dnf(?:-\d+)?$/ },
  { name: 'yum', kind: 'package-manager', binary: /^yum$/ },
  { name: 'rpm', kind: 'package-manager', binary: /^rpm$/ },
  { name: 'zypper', kind: 'package-manager', binary: /^zypper$/ },
  { name: 'pip', kind: 'package-manager', binary: /^pip(?:\d(?:\.\d+)?)?$/ },
  { name: 'npm', kind: 'package-manager', binary: /^np[mx]$/ },
  { name: 'yarn', kind: 'package-manager', binary: /^yarn(?:pkg)?$/ },
  { name: 'pnpm', kind: 'package-manager', binary: /^pnpm$/ },
  { name: 'gem', kind: 'package-manager', binary: /^gem\d*(?:\.\d+)*$/ },
  { name: 'composer', kind: 'package-manager', binary: /^composer$/ },
  { name: 'conda', kind: 'package-manager', binary: /^(?:conda|mamba|micromamba)$/ },
  { name: 'gcc', kind: 'toolchain', binary: /^(?:[\w]+-linux-gnu\w*-)?(?:gcc|cc)(?:-\d+)?$/ },
  { name: 'g++', kind: 'toolchain', binary: /^(?:[\w]+-linux-gnu\w*-)?(?:g\+\+|c\+\+)(?:-\d+)?$/ },
  { name: 'clang', kind: 'toolchain', binary: /^clang(?:\+\+)?(?:-\d+)?$/ },
  { name: 'make', kind: 'toolchain', binary: /^g?make$/ },
  { name: 'cmake', kind: 'toolchain', binary: /^cmake$/ },
  {
    name: 'binutils',
    kind: 'toolchain',
    binary: /^(?:[\w]+-linux-gnu\w*-)?(?:ld(?:\.bfd|\.gold)?|as)$/
  },
  { name: 'go', kind: 'toolchain', binary: /^go$/ },
  { name: 'rustc', kind: 'toolchain', binary: /^(?:rustc|cargo)$/ },
  { name: 'javac', kind: 'toolchain', binary: /^javac$/ },
  { name: 'maven', kind: 'toolchain', binary: /^mvn$/ },
  { name: 'gradle', kind: 'toolchain', binary: /^gradle$/ },
  { name: 'gfortran', kind: 'toolchain', binary: /^gfortran(?:-\d+)?$/ },
  { name: 'autotools', kind: 'toolchain', binary: /^(?:autoconf|automake|libtool)$/ }
]

/** Where toolchains put their programs: the system's, plus the Go and conda image layouts. */
const BIN_DIRS = new Set([...SYSTEM_BIN_DIRS, '/usr/local/go/bin', '/opt/conda/bin'])

/** Where the runtime user must not own anything: the system's programs, libraries and config. */
const SYSTEM_PATH = /^\/(?:bin|sbin|lib|lib32|lib64|libx32|usr|etc|boot)(?:\/|$)/

const PYTHON_LIB =
  /^\/(?:usr\/(?:local\/)?lib\/python[\d.]*|opt\/conda|usr\/lib\/python3\/dist-packages)\//
const EDITOR_BACKUP = /(?:~|\.sw[po]|\.orig|\.rej|\.bak)$|^\.#|^#.*#$/
const BUILD_DIRS = new Set(['CMakeFiles', '.pytest_cache', '.mypy_cache', '.tox', '.ruff_cache'])
const VCS_DIRS = new Set(['.git', '.svn', '.hg'])
/** Per-file rules stop after this many findings: the first ones show the pattern. */
const MAX_PER_RULE = 50

interface Aggregate {
  files: number
  bytes: number
  layer: number
  fix: string
  name: string
}

function aggregate(
  map: Map<string, Aggregate>,
  key: string,
  node: FileNode,
  name: string,
  fix: string
): void {
  const entry = map.get(key) ?? { files: 0, bytes: 0, layer: node.layer, fix, name }
  entry.files += 1
  entry.bytes += node.size
  entry.layer = Math.max(entry.layer, node.layer)
  map.set(key, entry)
}

export interface LeanContext {
  fs: FileSystem
  settings: HardeningSettings
  /** The UID the container runs as, when it is known and not root. */
  runtimeUid: number | undefined
  /** Paths (in the final filesystem) whose content is an ELF core dump. */
  coreDumps: Set<string>
}

export function leanFindings({ fs, settings, runtimeUid, coreDumps }: LeanContext): LeanDraft[] {
  const drafts: LeanDraft[] = []
  const counts = new Map<string, number>()
  const push = (draft: LeanDraft): void => {
    const count = (counts.get(draft.rule) ?? 0) + 1
    counts.set(draft.rule, count)
    if (count <= MAX_PER_RULE) drafts.push(draft)
  }
  const caches = new Map<string, Aggregate>()
  const temp = new Map<string, Aggregate>()
  const pycache = new Map<string, Aggregate>()
  const owned = new Map<string, Aggregate>()
  const tools = new Map<string, FileNode>()

  for (const node of fs.entries()) {
    const slash = node.path.lastIndexOf('/')
    const name = node.path.slice(slash + 1)
    const dir = slash === 0 ? '/' : node.path.slice(0, slash)
    if (node.type === 'file') {
      for (const cache of CACHE_NEEDLE.test(node.path) ? CACHES : []) {
        if (!cache.needles.some((needle) => node.path.includes(needle))) continue
        const root = cache.pattern.exec(node.path)?.[1]
        if (root !== undefined) {
          aggregate(caches, root, node, cache.name, cache.fix)
          break
        }
      }
      const tmp = /^(\/tmp|\/var\/tmp)\//.exec(node.path)?.[1]
      if (tmp !== undefined) aggregate(temp, tmp, node, 'temporary files', '')
      if (node.path.includes('/__pycache__/') && !PYTHON_LIB.test(node.path)) {
        const top = `/${node.path.split('/')[1] ?? ''}`
        aggregate(pycache, top, node, '__pycache__', '')
      }
      if (EDITOR_BACKUP.test(name)) {
        push({
          rule: 'editor-backup',
          severity: 'info',
          title: `Editor backup or patch leftover ${node.path}`,
          detail:
            'Backup and patch files ship stale copies of code and config. Add them to .dockerignore.',
          subject: node.path,
          path: node.path,
          layer: node.layer
        })
      }
      if (node.size >= settings.largeFileBytes) {
        push({
          rule: 'large-file',
          severity: 'info',
          title: `Large file ${node.path} (${formatBytes(node.size)})`,
          detail: `Files of ${formatBytes(settings.largeFileBytes)} or more slow every pull. Check that the runtime needs it; raise large-file-size if it does.`,
          subject: node.path,
          path: node.path,
          layer: node.layer
        })
      }
      if (coreDumps.has(node.path)) {
        push({
          rule: 'core-dump',
          severity: 'medium',
          title: `Core dump ${node.path}`,
          detail:
            "A core dump holds a crashed process's memory, secrets included. Delete it and add it to .dockerignore.",
          subject: node.path,
          path: node.path,
          layer: node.layer
        })
      }
    }
    if (node.type === 'dir' && VCS_DIRS.has(name)) {
      push({
        rule: 'vcs-directory',
        severity: 'low',
        title: `Version control directory ${node.path}`,
        detail:
          'It ships the history of the source, and often credentials in its config. Add it to .dockerignore.',
        subject: node.path,
        path: node.path,
        layer: node.layer
      })
    }
    if (
      node.type === 'dir' &&
      (BUILD_DIRS.has(name) || node.path.endsWith('/node_modules/.cache'))
    ) {
      push({
        rule: 'build-leftover',
        severity: 'low',
        title: `Build or test leftover ${node.path}`,
        detail:
          'Build and test caches are not needed at run time. Add them to .dockerignore or build in a separate stage.',
        subject: node.path,
        path: node.path,
        layer: node.layer
      })
    }
    if (BIN_DIRS.has(dir) && node.type !== 'dir') {
      const tool = TOOLS.find((candidate) => candidate.binary.test(name))
      if (tool !== undefined && !tools.has(tool.name) && isProgram(fs, node))
        tools.set(tool.name, node)
    }
    if (
      (node.mode & 0o002) !== 0 &&
      (node.type === 'file' || node.type === 'dir') &&
      !(node.type === 'dir' && (node.mode & 0o1000) !== 0)
    ) {
      push({
        rule: 'world-writable',
        severity: 'medium',
        title: `World-writable ${node.type === 'dir' ? 'directory' : 'file'} ${node.path}`,
        detail:
          node.type === 'dir'
            ? `Any user can add or replace files in it. Remove the bit (\`chmod o-w ${node.path}\`), or make it sticky like /tmp (\`chmod +t\`).`
            : `Any user can change it. Remove the bit (\`chmod o-w ${node.path}\`).`,
        subject: node.path,
        path: node.path,
        layer: node.layer
      })
    }
    if (runtimeUid !== undefined && node.uid === runtimeUid && SYSTEM_PATH.test(node.path)) {
      aggregate(owned, node.type === 'dir' ? node.path : dir, node, 'owned', '')
    }
  }

  for (const [root, cache] of caches) {
    push({
      rule: 'package-cache',
      severity: 'low',
      title: `${cache.name} left in ${root} (${cache.files} files, ${formatBytes(cache.bytes)})`,
      detail: `${cache.fix} It only makes the image larger.`,
      subject: root,
      path: root,
      layer: cache.layer
    })
  }
  for (const [root, files] of temp) {
    push({
      rule: 'temp-files',
      severity: 'low',
      title: `Files left in ${root} (${files.files} files, ${formatBytes(files.bytes)})`,
      detail: `Delete them in the RUN line that created them; ${root} should be empty in an image.`,
      subject: root,
      path: root,
      layer: files.layer
    })
  }
  for (const [root, files] of pycache) {
    push({
      rule: 'pycache',
      severity: 'low',
      title: `__pycache__ under ${root} (${files.files} files, ${formatBytes(files.bytes)})`,
      detail:
        'Bytecode built from the build context is stale or host-specific. Add `__pycache__` to .dockerignore; let pip compile installed packages.',
      subject: root,
      path: root,
      layer: files.layer
    })
  }
  for (const [name, node] of tools) {
    const tool = TOOLS.find((candidate) => candidate.name === name)!
    if (settings.allowedTools.includes(name)) continue
    const manager = tool.kind === 'package-manager'
    push({
      rule: tool.kind,
      severity: settings.leanBaseImage ? 'high' : manager ? 'info' : 'low',
      title: `${manager ? 'Package manager' : 'Build tool chain'} ${name} in the image (${node.path})`,
      detail: manager
        ? `It lets anyone with a shell in the container install software. Use a base image without it (distroless, \`-slim\` + multi-stage), or list ${name} in allowed-tools.`
        : `Compilers and build tools belong in a build stage. Copy only the build output into the runtime image, or list ${name} in allowed-tools.`,
      subject: name,
      path: node.path,
      layer: node.layer
    })
  }
  for (const [dir, files] of owned) {
    push({
      rule: 'runtime-user-owns-system-file',
      severity: 'medium',
      title: `${files.files} ${files.files === 1 ? 'entry' : 'entries'} in ${dir} owned by the runtime user (UID ${runtimeUid})`,
      detail: `The application can rewrite its own programs or the system's. Leave system paths owned by root (\`COPY --chown=root:root\`, or no --chown) and give the runtime user only the directories it writes.`,
      subject: dir,
      path: dir,
      layer: files.layer
    })
  }
  for (const [rule, count] of counts) {
    if (count > MAX_PER_RULE) {
      drafts.push({
        rule,
        severity: 'info',
        title: `${count - MAX_PER_RULE} more hardening/${rule} findings not listed`,
        detail: `Only the first ${MAX_PER_RULE} are reported one by one.`,
        subject: `${rule}:more`
      })
    }
  }
  return drafts
}

/** A binary that runs: a file, or a link that leads to one (busybox applets, alternatives). */
function isProgram(fs: FileSystem, node: FileNode): boolean {
  const target = node.type === 'symlink' ? fs.resolve(node.path) : node
  return target !== undefined && (target.type === 'file' || target.type === 'hardlink')
}
