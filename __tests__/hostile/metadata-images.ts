/**
 * Images whose documents (index.json, manifest, config, docker save's manifest.json) are edited
 * after the fact, re-digested so that every digest still matches: only the shape is hostile.
 * Shared by __tests__/hostile/metadata.test.ts and scripts that measure the CLI on them by hand.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { buildImage, tarFile, type BuiltImage } from '../../__fixtures__/image-builder.js'
import { sha256 } from '../../src/image/digest.js'
import { MEDIA_TYPES } from '../../src/image/types.js'

export type Json = Record<string, unknown>

/** Edits of the parsed documents, in place. */
export interface DocumentEdits {
  config?: (config: Json) => void
  manifest?: (manifest: Json) => void
  index?: (index: Json) => void
  /** docker save's manifest.json: a list of {Config, RepoTags, Layers}. */
  dockerManifest?: (entries: Json[]) => void
}

/** A non-root, healthchecked two-layer image that passes the default policy as built. */
export function baseImage(): BuiltImage {
  return buildImage({
    layers: [
      {
        entries: [
          { path: 'etc/' },
          {
            path: 'etc/passwd',
            content: 'root:x:0:0:root:/root:/sbin/nologin\napp:x:10001:10001::/app:/sbin/nologin\n'
          },
          { path: 'etc/group', content: 'root:x:0:\napp:x:10001:\n' }
        ],
        createdBy: 'ADD rootfs.tar /'
      },
      {
        entries: [{ path: 'app/' }, { path: 'app/run', content: 'x', mode: 0o755 }],
        createdBy: 'COPY run /app/run # buildkit'
      }
    ],
    config: { User: '10001:10001', Healthcheck: { Test: ['CMD', '/app/run'] } }
  })
}

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value))
}

function clone(value: unknown): Json {
  return JSON.parse(JSON.stringify(value)) as Json
}

export interface EditedImage {
  /** Files of an OCI image layout: `oci-layout`, `index.json`, `blobs/sha256/<hex>`. */
  layout: Map<string, Buffer>
  /** Files of a classic docker save archive. */
  dockerSave: Map<string, Buffer>
  configDigest: string
  manifestDigest: string
  /** docker save's name for the config member. */
  configMember: string
}

/** The image with `edits` applied, every document re-digested. */
export function editedImage(edits: DocumentEdits, image = baseImage()): EditedImage {
  const config = clone(image.config)
  edits.config?.(config)
  const configBytes = json(config)
  const configDigest = sha256(configBytes)

  const manifest = clone(image.manifest)
  manifest.config = {
    mediaType: MEDIA_TYPES.ociConfig,
    digest: configDigest,
    size: configBytes.length
  }
  edits.manifest?.(manifest)
  const manifestBytes = json(manifest)
  const manifestDigest = sha256(manifestBytes)

  const index: Json = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.ociIndex,
    manifests: [
      {
        mediaType: MEDIA_TYPES.ociManifest,
        digest: manifestDigest,
        size: manifestBytes.length,
        platform: image.platform
      }
    ]
  }
  edits.index?.(index)

  const blob = (digest: string): string => `blobs/sha256/${digest.slice('sha256:'.length)}`
  const layout = new Map<string, Buffer>([
    ['oci-layout', json({ imageLayoutVersion: '1.0.0' })],
    ['index.json', json(index)],
    [blob(configDigest), configBytes],
    [blob(manifestDigest), manifestBytes]
  ])
  for (const layer of image.layers) layout.set(blob(layer.digest), layer.blob)

  const configMember = `${configDigest.slice('sha256:'.length)}.json`
  const layerMembers = image.layers.map((_, i) => `layer${i + 1}/layer.tar`)
  const entries: Json[] = [{ Config: configMember, RepoTags: ['hostile:1'], Layers: layerMembers }]
  edits.dockerManifest?.(entries)
  const dockerSave = new Map<string, Buffer>()
  image.layers.forEach((layer, i) => dockerSave.set(layerMembers[i]!, layer.tar))
  dockerSave.set(configMember, configBytes)
  dockerSave.set('manifest.json', json(entries))

  return { layout, dockerSave, configDigest, manifestDigest, configMember }
}

function tarOf(files: Map<string, Buffer>): Buffer {
  return tarFile([...files].map(([path, content]) => ({ path, content })))
}

export function writeLayoutDir(dir: string, files: Map<string, Buffer>): void {
  for (const [path, bytes] of files) {
    mkdirSync(dirname(join(dir, path)), { recursive: true })
    writeFileSync(join(dir, path), bytes)
  }
}

export function writeTar(file: string, files: Map<string, Buffer>): void {
  mkdirSync(dirname(file), { recursive: true })
  writeFileSync(file, tarOf(files))
}

export type Transport = 'oci' | 'oci-archive' | 'docker-archive'

/** Writes the image for `transport` under `dir` and returns the image argument of the CLI. */
export function writeImage(dir: string, transport: Transport, image: EditedImage): string {
  switch (transport) {
    case 'oci':
      writeLayoutDir(join(dir, 'layout'), image.layout)
      return `oci:${join(dir, 'layout')}`
    case 'oci-archive':
      writeTar(join(dir, 'oci.tar'), image.layout)
      return `oci-archive:${join(dir, 'oci.tar')}`
    case 'docker-archive':
      writeTar(join(dir, 'docker.tar'), image.dockerSave)
      return `docker-archive:${join(dir, 'docker.tar')}`
  }
}

/** Which document a case edits, and so how each transport names it in messages. */
export type DocumentKind = 'config' | 'manifest' | 'index' | 'docker-manifest'

/** The document name a transport puts before ": field …". */
export function documentName(kind: DocumentKind, source: string, image: EditedImage): string {
  switch (kind) {
    case 'config':
      return source.startsWith('docker-archive:')
        ? `${source} config ${image.configMember}`
        : `${source} config ${image.configDigest}`
    case 'manifest':
      return `${source} manifest ${image.manifestDigest}`
    case 'index':
      return `${source} index.json`
    case 'docker-manifest':
      return `${source} manifest.json`
  }
}

export interface MetadataCase {
  name: string
  edits: DocumentEdits
  kind: DocumentKind
  /** What follows "DOCUMENT: " in the message, or the exit status of a tolerated shape. */
  expected: string | { status: 0 }
}

const history = (config: Json): Json[] => config.history as Json[]
const historyItems = (config: Json): unknown[] => config.history as unknown[]
const containerConfig = (config: Json): Json => config.config as Json
const firstLayer = (manifest: Json): Json => (manifest.layers as Json[])[0]!
const malformed = (field: string, noun: string): string => `field ${field}; ${noun} is malformed.`
const inConfig = (field: string): string => malformed(field, 'the image config')
const inManifest = (field: string): string => malformed(field, 'the manifest')
const inIndex = (field: string): string => malformed(field, 'the index')
const inDockerSave = (field: string): string => malformed(field, 'the docker save manifest')

/** Fields of the wrong type or shape: exit 2 naming the document and the field. */
export const CONFIG_CASES: MetadataCase[] = [
  {
    name: 'history that is not an array',
    kind: 'config',
    edits: { config: (c) => void (c.history = 'RUN make') },
    expected: inConfig('history is a string, expected an array of objects')
  },
  {
    name: 'a history entry that is a number',
    kind: 'config',
    edits: { config: (c) => void (historyItems(c)[0] = 42) },
    expected: inConfig('history[0] is a number, expected an object')
  },
  {
    name: 'a history created_by that is not a string',
    kind: 'config',
    edits: { config: (c) => void (history(c)[1]!.created_by = ['RUN', 'make']) },
    expected: inConfig('history[1].created_by is an array, expected a string')
  },
  {
    name: 'an empty_layer flag that is a string',
    kind: 'config',
    edits: { config: (c) => void (history(c)[1]!.empty_layer = 'true') },
    expected: inConfig('history[1].empty_layer is a string, expected true or false')
  },
  {
    name: 'more than 4096 history entries',
    kind: 'config',
    edits: { config: (c) => void (c.history = Array.from({ length: 4097 }, () => ({}))) },
    expected: inConfig('history is a list of 4097 items, expected at most 4096')
  },
  {
    name: 'config.User a number',
    kind: 'config',
    edits: { config: (c) => void (containerConfig(c).User = 0) },
    expected: inConfig('config.User is a number, expected a string')
  },
  {
    name: 'config.Entrypoint a number',
    kind: 'config',
    edits: { config: (c) => void (containerConfig(c).Entrypoint = 1) },
    expected: inConfig('config.Entrypoint is a number, expected an array of strings')
  },
  {
    name: 'config.Env a string',
    kind: 'config',
    edits: { config: (c) => void (containerConfig(c).Env = 'PATH=/bin') },
    expected: inConfig('config.Env is a string, expected an array of strings')
  },
  {
    name: 'config.Env with a number in it',
    kind: 'config',
    edits: { config: (c) => void (containerConfig(c).Env = ['PATH=/bin', 7]) },
    expected: inConfig('config.Env[1] is a number, expected a string')
  },
  {
    name: 'a label value that is not a string',
    kind: 'config',
    edits: { config: (c) => void (containerConfig(c).Labels = { 'org.example.n': 1 }) },
    expected: inConfig('config.Labels["org.example.n"] is a number, expected a string')
  },
  {
    name: 'a label with an unprintable name and a value that is an object',
    kind: 'config',
    edits: { config: (c) => void (containerConfig(c).Labels = { a: 'b', '\u001b[2J': {} }) },
    expected: inConfig('config.Labels[#1] is an object, expected a string')
  },
  {
    name: 'config.ExposedPorts an array',
    kind: 'config',
    edits: { config: (c) => void (containerConfig(c).ExposedPorts = ['80/tcp']) },
    expected: inConfig('config.ExposedPorts is an array, expected an object')
  },
  {
    name: 'config.Volumes with a string value',
    kind: 'config',
    edits: { config: (c) => void (containerConfig(c).Volumes = { '/data': 'yes' }) },
    expected: inConfig('config.Volumes["/data"] is a string, expected an object')
  },
  {
    name: 'config.Healthcheck.Test a string',
    kind: 'config',
    edits: {
      config: (c) => void (containerConfig(c).Healthcheck = { Test: 'CMD /app/run' })
    },
    expected: inConfig('config.Healthcheck.Test is a string, expected an array of strings')
  },
  {
    name: 'config an array',
    kind: 'config',
    edits: { config: (c) => void (c.config = []) },
    expected: inConfig('config is an array, expected an object')
  },
  {
    name: 'rootfs.diff_ids missing',
    kind: 'config',
    edits: { config: (c) => void delete (c.rootfs as Json).diff_ids },
    expected: inConfig('rootfs.diff_ids is missing, expected an array of digests')
  },
  {
    name: 'rootfs.diff_ids of numbers',
    kind: 'config',
    edits: { config: (c) => void ((c.rootfs as Json).diff_ids = [1, 2]) },
    expected: inConfig('rootfs.diff_ids[0] is a number, expected a string')
  },
  {
    name: 'rootfs null',
    kind: 'config',
    edits: { config: (c) => void (c.rootfs = null) },
    expected: inConfig('rootfs is null, expected an object')
  },
  {
    name: 'os a number',
    kind: 'config',
    edits: { config: (c) => void (c.os = 1) },
    expected: inConfig('os is a number, expected a string')
  }
]

/** Shapes a well-known tool reads: the scan runs and passes. */
export const TOLERATED_CASES: MetadataCase[] = [
  {
    name: 'Cmd, Entrypoint, Env, Labels, ExposedPorts and history null (as Go writes nil)',
    kind: 'config',
    edits: {
      config: (c) => {
        Object.assign(containerConfig(c), {
          Cmd: null,
          Entrypoint: null,
          Env: null,
          Labels: null,
          ExposedPorts: null
        })
        c.history = null
      }
    },
    expected: { status: 0 }
  },
  {
    name: 'Cmd a single string (docker reads it as a list of one)',
    kind: 'config',
    edits: { config: (c) => void (containerConfig(c).Cmd = '/app/run') },
    expected: { status: 0 }
  },
  {
    name: 'a null history entry (read as an empty one)',
    kind: 'config',
    edits: { config: (c) => void (historyItems(c)[0] = null) },
    expected: { status: 0 }
  },
  {
    name: 'history shorter than the layers',
    kind: 'config',
    edits: { config: (c) => void (c.history = [history(c)[0]]) },
    expected: { status: 0 }
  },
  {
    name: 'history longer than the layers',
    kind: 'config',
    edits: {
      config: (c) => void (c.history = [...history(c), { created_by: 'RUN x' }, {}, {}])
    },
    expected: { status: 0 }
  },
  {
    name: 'every history entry flagged empty_layer',
    kind: 'config',
    edits: {
      config: (c) => void history(c).forEach((entry) => (entry.empty_layer = true))
    },
    expected: { status: 0 }
  }
]

/** The image manifest and index.json, for oci: and oci-archive:. */
export const LAYOUT_CASES: MetadataCase[] = [
  {
    name: 'manifest layers null',
    kind: 'manifest',
    edits: { manifest: (m) => void (m.layers = null) },
    expected: inManifest('layers is null, expected an array of descriptors')
  },
  {
    name: 'manifest layers an object',
    kind: 'manifest',
    edits: { manifest: (m) => void (m.layers = {}) },
    expected: inManifest('layers is an object, expected an array of descriptors')
  },
  {
    name: 'a layer descriptor that is null',
    kind: 'manifest',
    edits: { manifest: (m) => void ((m.layers as unknown[])[0] = null) },
    expected: inManifest('layers[0] is null, expected a descriptor object')
  },
  {
    name: 'a layer descriptor without a digest',
    kind: 'manifest',
    edits: { manifest: (m) => void delete firstLayer(m).digest },
    expected: inManifest('layers[0].digest is missing, expected a string')
  },
  {
    name: 'a layer digest that is a path',
    kind: 'manifest',
    edits: { manifest: (m) => void (firstLayer(m).digest = '../../../etc/passwd') },
    expected: inManifest('layers[0].digest is not a digest, expected algorithm:hex')
  },
  {
    name: 'a negative layer size',
    kind: 'manifest',
    edits: { manifest: (m) => void (firstLayer(m).size = -1) },
    expected: inManifest('layers[0].size is -1, expected a non-negative integer')
  },
  {
    name: 'a fractional layer size',
    kind: 'manifest',
    edits: { manifest: (m) => void (firstLayer(m).size = 1.5) },
    expected: inManifest('layers[0].size is 1.5, expected a non-negative integer')
  },
  {
    name: 'a config digest that is a number',
    kind: 'manifest',
    edits: { manifest: (m) => void ((m.config as Json).digest = 7) },
    expected: inManifest('config.digest is a number, expected a string')
  },
  {
    name: 'an annotation value that is a number',
    kind: 'manifest',
    edits: { manifest: (m) => void (m.annotations = { 'org.opencontainers.image.base.name': 3 }) },
    expected: inManifest(
      'annotations["org.opencontainers.image.base.name"] is a number, expected a string'
    )
  },
  {
    name: 'more than 1024 layers',
    kind: 'manifest',
    edits: {
      manifest: (m) => void (m.layers = Array.from({ length: 1025 }, () => firstLayer(m)))
    },
    expected: inManifest('layers is a list of 1025 items, expected at most 1024')
  },
  {
    name: 'index manifests null',
    kind: 'index',
    edits: { index: (i) => void (i.manifests = null) },
    expected: inIndex('manifests is null, expected an array of descriptors')
  },
  {
    name: 'an index descriptor that is null',
    kind: 'index',
    edits: { index: (i) => void (i.manifests = [null]) },
    expected: inIndex('manifests[0] is null, expected a descriptor object')
  },
  {
    name: 'an index platform whose os is a number',
    kind: 'index',
    edits: {
      index: (i) => void ((i.manifests as Json[])[0]!.platform = { os: 1, architecture: 'amd64' })
    },
    expected: inIndex('manifests[0].platform.os is a number, expected a string')
  }
]

/** docker save's manifest.json, for docker-archive: and docker-daemon:. */
export const DOCKER_SAVE_CASES: MetadataCase[] = [
  {
    name: 'Layers null',
    kind: 'docker-manifest',
    edits: { dockerManifest: (e) => void (e[0]!.Layers = null) },
    expected: inDockerSave('[0].Layers is null, expected an array of strings')
  },
  {
    name: 'Config a number',
    kind: 'docker-manifest',
    edits: { dockerManifest: (e) => void (e[0]!.Config = 1) },
    expected: inDockerSave('[0].Config is a number, expected a string')
  },
  {
    name: 'RepoTags a string',
    kind: 'docker-manifest',
    edits: { dockerManifest: (e) => void (e[0]!.RepoTags = 'hostile:1') },
    expected: inDockerSave('[0].RepoTags is a string, expected an array of strings')
  },
  {
    name: 'an entry that is null',
    kind: 'docker-manifest',
    edits: { dockerManifest: (e) => void (e[0] = null as unknown as Json) },
    expected: inDockerSave('[0] is null, expected an object')
  },
  {
    name: 'RepoTags null (an untagged image)',
    kind: 'docker-manifest',
    edits: { dockerManifest: (e) => void (e[0]!.RepoTags = null) },
    expected: { status: 0 }
  }
]
