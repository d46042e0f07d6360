/** File capabilities: the `security.capability` xattr holds a vfs_cap_data (linux/capability.h). */

/** Capability numbers 0..40 (linux/capability.h), in order. */
export const CAPABILITY_NAMES = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_DAC_READ_SEARCH',
  'CAP_FOWNER',
  'CAP_FSETID',
  'CAP_KILL',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETPCAP',
  'CAP_LINUX_IMMUTABLE',
  'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST',
  'CAP_NET_ADMIN',
  'CAP_NET_RAW',
  'CAP_IPC_LOCK',
  'CAP_IPC_OWNER',
  'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO',
  'CAP_SYS_CHROOT',
  'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT',
  'CAP_SYS_ADMIN',
  'CAP_SYS_BOOT',
  'CAP_SYS_NICE',
  'CAP_SYS_RESOURCE',
  'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG',
  'CAP_MKNOD',
  'CAP_LEASE',
  'CAP_AUDIT_WRITE',
  'CAP_AUDIT_CONTROL',
  'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE',
  'CAP_MAC_ADMIN',
  'CAP_SYSLOG',
  'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND',
  'CAP_AUDIT_READ',
  'CAP_PERFMON',
  'CAP_BPF',
  'CAP_CHECKPOINT_RESTORE'
] as const

const REVISION_MASK = 0xff000000
/** Revision 1 holds one 32-bit set; revisions 2 and 3 (namespaced, with a root id) hold two. */
const WORDS_BY_REVISION = new Map([
  [0x01000000, 1],
  [0x02000000, 2],
  [0x03000000, 2]
])

export interface FileCapabilities {
  /** Names of the permitted and inheritable capabilities, in capability order. */
  names: string[]
  /** The effective bit: the capabilities are raised on exec without the program asking. */
  effective: boolean
}

/** Undefined when the value is not a vfs_cap_data we know; the xattr is still reported. */
export function decodeFileCapabilities(value: Buffer): FileCapabilities | undefined {
  if (value.length < 4) return undefined
  const magic = value.readUInt32LE(0)
  const words = WORDS_BY_REVISION.get((magic & REVISION_MASK) >>> 0)
  if (words === undefined || value.length < 4 + words * 8) return undefined
  const names: string[] = []
  for (let word = 0; word < words; word++) {
    const permitted = value.readUInt32LE(4 + word * 8)
    const inheritable = value.readUInt32LE(8 + word * 8)
    const bits = (permitted | inheritable) >>> 0
    for (let bit = 0; bit < 32; bit++) {
      if ((bits >>> bit) & 1) {
        const capability = word * 32 + bit
        names.push(CAPABILITY_NAMES[capability] ?? `CAP_${capability}`)
      }
    }
  }
  return { names, effective: (magic & 1) === 1 }
}
