/** Image formats (OCI image-spec v1.1, Docker image manifest v2 schema 2) and the in-memory image. */

export const MEDIA_TYPES = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json'
} as const

export interface Platform {
  os: string
  architecture: string
  variant?: string
}

/** OCI image-spec descriptor.md */
export interface Descriptor {
  mediaType: string
  digest: string
  size: number
  platform?: Platform & { 'os.version'?: string }
  annotations?: Record<string, string>
  urls?: string[]
  /** image-spec 1.1: the type of an artifact a referrer describes (descriptor.md). */
  artifactType?: string
}

/** OCI image-spec manifest.md (also Docker schema 2: same shape). */
export interface ImageManifest {
  schemaVersion: number
  mediaType?: string
  config: Descriptor
  layers: Descriptor[]
  annotations?: Record<string, string>
}

/** OCI image-spec image-index.md (also Docker manifest list). */
export interface ImageIndex {
  schemaVersion: number
  mediaType?: string
  manifests: Descriptor[]
  annotations?: Record<string, string>
}

export interface HistoryEntry {
  created?: string
  created_by?: string
  author?: string
  comment?: string
  empty_layer?: boolean
}

/** OCI image-spec config.md */
export interface ImageConfig {
  architecture: string
  os: string
  variant?: string
  created?: string
  config?: {
    User?: string
    ExposedPorts?: Record<string, object>
    Env?: string[]
    Entrypoint?: string[] | null
    Cmd?: string[] | null
    Volumes?: Record<string, object>
    WorkingDir?: string
    Labels?: Record<string, string>
    StopSignal?: string
    Healthcheck?: { Test?: string[]; Interval?: number; Timeout?: number; Retries?: number }
  }
  rootfs: { type: string; diff_ids: string[] }
  history?: HistoryEntry[]
}

export type FileType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo'

/** One tar header as read from a layer, normalised. */
export interface TarEntry {
  /** Absolute, normalised path inside the image: `/etc/passwd` (no trailing slash). */
  path: string
  type: FileType
  /** Permission bits including setuid/setgid/sticky (mode & 0o7777). */
  mode: number
  uid: number
  gid: number
  size: number
  /** Symlink target as written, or the absolute path of a hardlink's target. */
  linkTarget?: string
  /** PAX `SCHILY.xattr.*` records, e.g. `security.capability` (binary). */
  xattrs?: Record<string, Buffer>
  devMajor?: number
  devMinor?: number
  mtime?: number
}

/** A file in the final filesystem, with the layer that last wrote it (0-based layer index). */
export interface FileNode extends TarEntry {
  layer: number
}

/** A layer of the image as reported: compressed digest, uncompressed digest, the step that made it. */
export interface LayerInfo {
  digest: string
  diffId: string
  size: number
  mediaType: string
  createdBy?: string
  /** Its analysis came from the layer cache: an earlier run read these bytes. */
  cached?: boolean
}

/** The final filesystem of the image: whiteouts and opaque directories applied in layer order. */
export interface FileSystem {
  get(path: string): FileNode | undefined
  /** Every node in path order. */
  entries(): Iterable<FileNode>
  /** The node at `path` (a normal absolute path) and every node below it, in entries() order. */
  entriesUnder(path: string): Iterable<FileNode>
  /** Content captured for a path because some step asked for it (see FileRequest). Follows hardlinks. */
  read(path: string): Buffer | undefined
  /** Every file in the final filesystem that some step asked for and could not be kept, with why. */
  unreadFiles(): Iterable<[FileNode, string]>
  /** Resolves symlinks (relative and absolute, within the image root) to the final node. */
  resolve(path: string): FileNode | undefined
  readonly size: number
}
