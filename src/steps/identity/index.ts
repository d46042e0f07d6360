/**
 * Step 1, container validation: the container runs under a specific, restricted, numeric
 * identity, and nothing in the image lets it regain privilege. Rules: docs/rules/identity.md.
 */
import { posix } from 'node:path'
import { minimatch } from 'minimatch'
import { drop } from '../../policy/evaluate.js'
import {
  Dropped,
  inputNotAnalysed,
  shortened,
  SHOWN_PATH_CHARS,
  subjectPath,
  type Finding,
  type FindingLocation,
  type Severity
} from '../../findings.js'
import { SYSTEM_BIN_DIRS } from '../../image/filesystem.js'
import type { FileNode } from '../../image/types.js'
import { OWNED_FILES_REQUEST, ownedFiles } from '../../os/owned-files.js'
import type { ImageView, Step, StepContext, StepOutcome } from '../step.js'
import {
  duplicateIds,
  hasLoginShell,
  readGroup,
  readPasswd,
  readShadow,
  type AccountFile,
  type GroupEntry,
  type PasswdEntry
} from '../../os/accounts.js'
import type { BadRecords } from '../../os/bad-records.js'
import { decodeFileCapabilities } from './capabilities.js'
import { isNumericId, parseUser, resolveUser } from '../../os/user.js'

const PASSWD = '/etc/passwd'
const GROUP = '/etc/group'
const SHADOW = '/etc/shadow'
const SUDOERS = '/etc/sudoers'
const DOAS_CONF = '/etc/doas.conf'

const ESCALATION_TOOLS = new Set(['sudo', 'su', 'doas'])

type Rule =
  | 'root-user'
  | 'non-numeric-user'
  | 'unknown-user'
  | 'system-range-uid'
  | 'setuid-file'
  | 'setgid-file'
  | 'file-capabilities'
  | 'privilege-escalation-tool'
  | 'empty-password'
  | 'duplicate-uid'
  | 'duplicate-gid'
  | 'privileged-port'
  | 'missing-healthcheck'

interface Draft {
  rule: Rule
  severity: Severity
  title: string
  detail: string
  subject: string
  location?: FindingLocation
}

function toFinding({ rule, location, ...rest }: Draft): Finding {
  return { step: 'identity', rule: `identity/${rule}`, location: location ?? {}, ...rest }
}

function text(image: ImageView, path: string): string | undefined {
  return image.fs.read(path)?.toString('utf8')
}

/** Where a file-based finding points: the path and the layer that last wrote it. */
function locate(image: ImageView, path: string, node = image.fs.get(path)): FindingLocation {
  const layerDigest = node === undefined ? undefined : image.layers[node.layer]?.digest
  return layerDigest === undefined ? { path } : { path, layerDigest }
}

interface Accounts {
  passwd: PasswdEntry[]
  groups: GroupEntry[]
  shadow: AccountFile<{ name: string; password: string }>
}

const ROOT_FIX = 'Add `USER 10001:10001` (any UID/GID of 1000 or more) to the Dockerfile.'

function userFindings(image: ImageView, accounts: Accounts, minUid: number): Draft[] {
  const configured = parseUser(image.config.config?.User)
  const resolved = resolveUser(configured, accounts.passwd, accounts.groups)
  const subject = configured.raw
  if (resolved.root) {
    const why =
      configured.raw === ''
        ? 'The image config sets no user, so the container runs as root (UID 0).'
        : `The image config user "${configured.raw}" is root (UID 0).`
    return [
      {
        rule: 'root-user',
        severity: 'high',
        title: 'Container runs as root',
        detail: `${why} ${ROOT_FIX}`,
        subject
      }
    ]
  }

  const drafts: Draft[] = []
  if (!isNumericId(configured.user) || !isNumericId(configured.group ?? '0')) {
    drafts.push({
      rule: 'non-numeric-user',
      severity: 'medium',
      title: `User "${configured.raw}" is not numeric`,
      detail:
        'Kubernetes runAsNonRoot cannot verify a user name and refuses or cannot check the pod. ' +
        'Set `USER UID:GID` with numbers, e.g. `USER 10001:10001`.',
      subject
    })
  }
  if (resolved.unknownUser !== undefined) {
    drafts.push({
      rule: 'unknown-user',
      severity: 'medium',
      title: `User "${resolved.unknownUser}" is not in /etc/passwd`,
      detail:
        'The runtime cannot resolve the name and refuses to start the container. ' +
        'Add the user to /etc/passwd or use a numeric `USER UID:GID`.',
      subject: `user:${resolved.unknownUser}`,
      location: locate(image, PASSWD)
    })
  }
  if (resolved.unknownGroup !== undefined) {
    drafts.push({
      rule: 'unknown-user',
      severity: 'medium',
      title: `Group "${resolved.unknownGroup}" is not in /etc/group`,
      detail:
        'The runtime cannot resolve the name and refuses to start the container. ' +
        'Add the group to /etc/group or use a numeric `USER UID:GID`.',
      subject: `group:${resolved.unknownGroup}`,
      location: locate(image, GROUP)
    })
  }
  if (resolved.uid !== undefined && resolved.uid < minUid) {
    drafts.push({
      rule: 'system-range-uid',
      severity: 'medium',
      title: `UID ${resolved.uid} is in the system range (below ${minUid})`,
      detail:
        "Under user-namespace ID mapping a low UID can collide with the host's system accounts. " +
        `Use a UID of ${minUid} or more, e.g. \`USER 10001:10001\`.`,
      subject: `uid:${resolved.uid}`
    })
  }
  if (resolved.gid !== undefined && resolved.gid < minUid) {
    const why = resolved.gidDefaulted
      ? `No group is set and UID ${configured.user} has no /etc/passwd entry, so the runtime uses GID 0. `
      : `Under user-namespace ID mapping a low GID can collide with the host's system groups. `
    drafts.push({
      rule: 'system-range-uid',
      severity: 'medium',
      title: `GID ${resolved.gid} is in the system range (below ${minUid})`,
      detail: `${why}Set the group explicitly with ${minUid} or more, e.g. \`USER ${configured.user}:10001\`.`,
      subject: `gid:${resolved.gid}`
    })
  }
  drafts.push(...privilegedPortFindings(image))
  return drafts
}

/** `80/tcp`, `53/udp`, `8000-8010/tcp` (ExposedPorts keys, OCI image-spec config.md). */
function lowestPort(spec: string): number | undefined {
  const match = /^(\d+)(?:-\d+)?(?:\/\w+)?$/.exec(spec)
  return match?.[1] === undefined ? undefined : Number(match[1])
}

function privilegedPortFindings(image: ImageView): Draft[] {
  return Object.keys(image.config.config?.ExposedPorts ?? {})
    .filter((spec) => {
      const port = lowestPort(spec)
      return port !== undefined && port > 0 && port < 1024
    })
    .sort()
    .map((spec) => ({
      rule: 'privileged-port',
      severity: 'medium',
      title: `Port ${spec} is privileged but the container runs as non-root`,
      detail:
        'A non-root process cannot bind ports below 1024 without CAP_NET_BIND_SERVICE. ' +
        'Listen on a port of 1024 or more (e.g. 8080) and map it at deploy time.',
      subject: spec
    }))
}

function healthcheckFindings(image: ImageView, required: boolean): Draft[] {
  const test = image.config.config?.Healthcheck?.Test ?? []
  if (!required || (test.length > 0 && test[0] !== 'NONE')) return []
  return [
    {
      rule: 'missing-healthcheck',
      severity: 'low',
      title: 'Image has no HEALTHCHECK',
      detail:
        'Without a health check the runtime cannot tell a hung container from a working one. ' +
        'Add a `HEALTHCHECK CMD ...` to the Dockerfile, or turn this rule off when the orchestrator probes instead.',
      subject: 'healthcheck'
    }
  ]
}

/**
 * One finding per account file with lines that are not entries the gate can read. Such a line is
 * not skipped by libc the way it is here (glibc reads UID ` 0` as root), so it could hide a second
 * root or a passwordless account: identity/input-not-analysed, blocking, rather than silence.
 */
function unreadAccountLines(
  image: ImageView,
  path: string,
  unread: BadRecords,
  unchecked: string
): Finding[] {
  if (unread.count === 0) return []
  const which =
    unread.count === 1
      ? unread.first
      : `${unread.count} lines could not be read as entries (the first: ${unread.first})`
  const layerDigest = locate(image, path).layerDigest
  return [
    inputNotAnalysed('identity', {
      path,
      ...(layerDigest === undefined ? {} : { layerDigest }),
      reason: `${which}; ${unchecked}`
    })
  ]
}

function accountFindings(image: ImageView, accounts: Accounts): Draft[] {
  const drafts: Draft[] = []
  const shadow = new Map(accounts.shadow.entries.map((entry) => [entry.name, entry]))
  for (const entry of accounts.passwd) {
    if (!hasLoginShell(entry)) continue
    // `x` defers to /etc/shadow; an empty field in /etc/passwd itself needs no password at all.
    const inShadow = entry.password === 'x'
    const password = inShadow ? shadow.get(entry.name)?.password : entry.password
    if (password !== '') continue
    drafts.push({
      rule: 'empty-password',
      severity: 'critical',
      title: `Account "${entry.name}" has an empty password`,
      detail:
        `Anyone can log in as ${entry.name} (shell ${entry.shell || '/bin/sh'}) without a password. ` +
        `Lock the account (\`passwd -l ${entry.name}\`, i.e. \`!\` in the password field) or give it a nologin shell.`,
      subject: entry.name,
      location: locate(image, inShadow ? SHADOW : PASSWD)
    })
  }

  const passwdIds = accounts.passwd.map(({ name, uid }) => ({ name, id: uid }))
  for (const [uid, names] of duplicateIds(passwdIds)) {
    drafts.push({
      rule: 'duplicate-uid',
      severity: uid === 0 ? 'high' : 'medium',
      title: `UID ${uid} is shared by ${names.join(', ')}`,
      detail:
        uid === 0
          ? 'A second UID-0 account is root under another name. Remove it or give it its own UID.'
          : 'Accounts sharing a UID share every file and process. Give each account its own UID.',
      subject: `uid:${uid}`,
      location: locate(image, PASSWD)
    })
  }
  const groupIds = accounts.groups.map(({ name, gid }) => ({ name, id: gid }))
  for (const [gid, names] of duplicateIds(groupIds)) {
    drafts.push({
      rule: 'duplicate-gid',
      severity: 'low',
      title: `GID ${gid} is shared by ${names.join(', ')}`,
      detail: 'Groups sharing a GID grant each other their access. Give each group its own GID.',
      subject: `gid:${gid}`,
      location: locate(image, GROUP)
    })
  }
  return drafts
}

/** sudoers(5) `NOPASSWD` and doas.conf(5) `nopass` rules, outside comments. */
function passwordlessConfigs(image: ImageView): string[] {
  const sudoers = [SUDOERS, `${SUDOERS}.d`]
    .flatMap((path) => [...image.fs.entriesUnder(path)])
    .map((node) => node.path)
    .filter((path) => path === SUDOERS || path.startsWith(`${SUDOERS}.d/`))
  const grants = (path: string, keyword: RegExp): boolean =>
    (text(image, path) ?? '')
      .split('\n')
      .some((line) => !line.trimStart().startsWith('#') && keyword.test(line))
  return [
    ...sudoers.filter((path) => grants(path, /\bNOPASSWD\s*:/)),
    ...(grants(DOAS_CONF, /\bnopass\b/) ? [DOAS_CONF] : [])
  ]
}

function fileFindings(image: ImageView, allowedSetuid: string[], dropped: Dropped): Draft[] {
  const drafts: Draft[] = []
  const allowed = (path: string): boolean => allowedSetuid.some((glob) => minimatch(path, glob))
  const passwordless = passwordlessConfigs(image)
  const owned = ownedFiles(image.fs)

  // The tools are three names in six directories: a set lookup per entry, no path parsing.
  const toolPaths = new Set(
    [...SYSTEM_BIN_DIRS].flatMap((dir) => [...ESCALATION_TOOLS].map((name) => `${dir}/${name}`))
  )
  let made = 0
  for (const node of image.fs.entries()) {
    if (node.type === 'file') {
      for (const draft of privilegeBitFindings(image, node, allowed, owned.has(node.path))) {
        if (made++ < MAX_FILE_FINDINGS) drafts.push(draft)
        else drop(dropped, toFinding(draft), node.path)
      }
    }
    if (!toolPaths.has(node.path)) continue
    const tool = escalationToolFinding(image, node, passwordless)
    if (tool !== undefined) drafts.push(tool)
  }
  return drafts
}

/**
 * Findings of files with special bits one scan makes in full (docs/limits.md): a Debian base has
 * about ten; a crafted image can set the bits on every one of its 500,000 entries. Past it a
 * finding is kept only as what the policy needs to judge it (`Dropped`); the engine folds those
 * into one finding per rule that blocks when one of them would.
 */
export const MAX_FILE_FINDINGS = 20_000

/**
 * A setuid file the team added (no OS package owns it) blocks at the default `fail-on: high`; the
 * distribution's own (`passwd`, `su`, `mount` in every Debian base) is reported as medium, so a
 * plain base image passes while the finding still says how to drop the bit.
 */
function privilegeBitFindings(
  image: ImageView,
  node: FileNode,
  allowed: (path: string) => boolean,
  ownedByPackage: boolean
): Draft[] {
  const drafts: Draft[] = []
  // Most files have no special bit: nothing is built for them.
  if ((node.mode & 0o6000) === 0 && node.xattrs?.['security.capability'] === undefined)
    return drafts
  const location = locate(image, node.path, node)
  // A crafted path may be 16,383 characters: titles and commands name it shortened.
  const path = shortened(node.path, SHOWN_PATH_CHARS)
  const subject = subjectPath(node.path)
  if ((node.mode & 0o4000) !== 0 && !allowed(node.path)) {
    drafts.push({
      rule: 'setuid-file',
      severity: ownedByPackage ? 'medium' : 'high',
      title: `Setuid file ${path}${ownedByPackage ? ' (from an OS package)' : ''}`,
      detail:
        `It runs as its owner (UID ${node.uid}) whoever starts it. ` +
        `Remove the bit (\`chmod u-s ${path}\`), delete the file, or allow it with allowed-setuid.`,
      subject,
      location
    })
  }
  if ((node.mode & 0o2000) !== 0 && !allowed(node.path)) {
    drafts.push({
      rule: 'setgid-file',
      severity: 'medium',
      title: `Setgid file ${path}`,
      detail:
        `It runs with its group (GID ${node.gid}) whoever starts it. ` +
        `Remove the bit (\`chmod g-s ${path}\`), delete the file, or allow it with allowed-setuid.`,
      subject,
      location
    })
  }
  const capability = node.xattrs?.['security.capability']
  if (capability !== undefined) {
    const decoded = decodeFileCapabilities(capability)
    const names = decoded === undefined || decoded.names.length === 0 ? undefined : decoded.names
    drafts.push({
      rule: 'file-capabilities',
      severity: 'high',
      title:
        names === undefined
          ? `File capabilities on ${path}`
          : `File capabilities on ${path}: ${names.join(', ')}`,
      detail:
        'The file gains these capabilities whoever runs it. ' +
        `Remove them (\`setcap -r ${path}\`) and grant capabilities at deploy time instead.`,
      subject,
      location
    })
  }
  return drafts
}

function escalationToolFinding(
  image: ImageView,
  node: FileNode,
  passwordless: string[]
): Draft | undefined {
  const name = posix.basename(node.path)
  if (node.type !== 'file' && node.type !== 'hardlink' && node.type !== 'symlink') return undefined
  // A busybox applet is a symlink to busybox: report the link, but only when it leads to a file.
  const target = node.type === 'symlink' ? image.fs.resolve(node.path) : node
  if (target === undefined || target.type === 'dir') return undefined
  const via = target.path === node.path ? '' : ` (→ ${target.path})`
  const grants =
    name === 'su' || passwordless.length === 0
      ? ''
      : ` ${passwordless.join(', ')} grant${passwordless.length === 1 ? 's' : ''} passwordless use.`
  return {
    rule: 'privilege-escalation-tool',
    severity: 'medium',
    title: `Privilege escalation tool ${node.path}${via}`,
    detail:
      `\`${name}\` lets a process become another user, root included.${grants} ` +
      'Remove it from the runtime image (a multi-stage build leaves it behind).',
    subject: node.path,
    location: locate(image, node.path, node)
  }
}

async function run({ image, policy }: StepContext): Promise<StepOutcome> {
  const passwd = readPasswd(text(image, PASSWD) ?? '')
  const groups = readGroup(text(image, GROUP) ?? '')
  const accounts: Accounts = {
    passwd: passwd.entries,
    groups: groups.entries,
    shadow: readShadow(text(image, SHADOW) ?? '')
  }
  const dropped = new Dropped('identity')
  const drafts = [
    ...userFindings(image, accounts, policy.identity.minUid),
    ...healthcheckFindings(image, policy.identity.requireHealthcheck),
    ...accountFindings(image, accounts),
    ...fileFindings(image, policy.identity.allowedSetuid, dropped)
  ]
  const user = image.config.config?.User?.trim() || '(not set: root)'
  return {
    findings: [
      ...drafts.map(toFinding),
      ...unreadAccountLines(
        image,
        PASSWD,
        passwd.unread,
        'an account there is not checked for UID 0 or an empty password'
      ),
      ...unreadAccountLines(image, GROUP, groups.unread, 'a group there is not checked'),
      ...unreadAccountLines(
        image,
        SHADOW,
        accounts.shadow.unread,
        'a password there is not checked for being empty'
      )
    ],
    notes: [`user ${user}`],
    ...(dropped.size + dropped.tail.size > 0 ? { dropped } : {})
  }
}

export const identityStep: Step = {
  id: 'identity',
  title: 'Container validation',
  needs: () => ({
    files: [
      {
        globs: [PASSWD, GROUP, SHADOW, SUDOERS, `${SUDOERS}.d/*`, DOAS_CONF],
        maxBytes: 1024 * 1024
      },
      OWNED_FILES_REQUEST
    ]
  }),
  run
}
