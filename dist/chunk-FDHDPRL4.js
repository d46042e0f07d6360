import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  CERTIFICATE_ANNOTATION,
  CHAIN_ANNOTATION,
  OCI_EMPTY_MEDIA_TYPE,
  REKOR_BUNDLE_ANNOTATION,
  SIGNATURE_ANNOTATION,
  SIGSTORE_BUNDLE_MEDIA_TYPE,
  SIMPLE_SIGNING_MEDIA_TYPE,
  cosignTag,
  signatureConfig,
  signatureManifest
} from "./chunk-XARHNG7W.js";
import {
  require_dist2 as require_dist
} from "./chunk-RFSSKQPB.js";
import {
  assertDigest,
  sha256
} from "./chunk-53I4RN7B.js";
import {
  MEDIA_TYPES
} from "./chunk-MSXTIOG5.js";
import {
  __toESM
} from "./chunk-VA35IVHB.js";

// src/custody/registry-store.ts
var import_bundle = __toESM(require_dist(), 1);
function parseManifestJson(bytes) {
  try {
    const manifest = JSON.parse(bytes.toString("utf8"));
    return Array.isArray(manifest?.layers) ? manifest : void 0;
  } catch {
    return void 0;
  }
}
async function blob(client, digest, what) {
  const bytes = await client.getBlob(digest);
  assertDigest(bytes, digest, what);
  return bytes;
}
async function tagSignatures(client, digest) {
  const tag = cosignTag(digest, "sig");
  const fetched = await client.findManifest(tag);
  if (fetched === void 0) return { signatures: [], problems: [] };
  const manifest = parseManifestJson(fetched.bytes);
  if (manifest === void 0)
    return { signatures: [], problems: [`${tag} is not an image manifest`] };
  const signatures = [];
  const problems = [];
  for (const [index, layer] of manifest.layers.entries()) {
    const where = `${tag} layer ${index}`;
    const signature = layer.annotations?.[SIGNATURE_ANNOTATION];
    if (layer.mediaType !== SIMPLE_SIGNING_MEDIA_TYPE || signature === void 0) {
      problems.push(`${where} is not a simple-signing payload with a signature annotation`);
      continue;
    }
    const annotations = layer.annotations ?? {};
    signatures.push({
      layout: "tag",
      where,
      payload: await blob(client, layer.digest, `signature payload ${layer.digest}`),
      signature,
      ...annotations[CERTIFICATE_ANNOTATION] ? { certificate: annotations[CERTIFICATE_ANNOTATION] } : {},
      ...annotations[CHAIN_ANNOTATION] ? { chain: annotations[CHAIN_ANNOTATION] } : {},
      ...annotations[REKOR_BUNDLE_ANNOTATION] ? { rekorBundle: annotations[REKOR_BUNDLE_ANNOTATION] } : {}
    });
  }
  return { signatures, problems };
}
function isBundleArtifact(descriptor) {
  return (descriptor.artifactType ?? "").startsWith("application/vnd.dev.sigstore.bundle");
}
async function referrerSignatures(client, digest) {
  const signatures = [];
  const problems = [];
  for (const descriptor of await client.listReferrers(digest)) {
    if (!isBundleArtifact(descriptor)) continue;
    const where = `referrer ${descriptor.digest}`;
    const fetched = await client.findManifest(descriptor.digest);
    const manifest = fetched === void 0 ? void 0 : parseManifestJson(fetched.bytes);
    if (fetched === void 0 || manifest === void 0 || manifest.layers[0] === void 0) {
      problems.push(`${where} is missing or has no layer`);
      continue;
    }
    assertDigest(fetched.bytes, descriptor.digest, `referrer manifest ${descriptor.digest}`);
    const bytes = await blob(
      client,
      manifest.layers[0].digest,
      `bundle ${manifest.layers[0].digest}`
    );
    try {
      signatures.push({
        layout: "referrer",
        where,
        bundle: (0, import_bundle.bundleFromJSON)(JSON.parse(bytes.toString("utf8")))
      });
    } catch (error) {
      problems.push(`${where} is not a Sigstore bundle: ${error.message}`);
    }
  }
  return { signatures, problems };
}
async function findSignatures(client, digest) {
  const [tag, referrers] = await Promise.all([
    tagSignatures(client, digest),
    referrerSignatures(client, digest)
  ]);
  return {
    signatures: [...tag.signatures, ...referrers.signatures],
    problems: [...tag.problems, ...referrers.problems]
  };
}
async function appendToCosignTag(client, digest, suffix, layer) {
  const tag = cosignTag(digest, suffix);
  const existing = await client.findManifest(tag);
  const kept = (existing === void 0 ? void 0 : parseManifestJson(existing.bytes))?.layers ?? [];
  const layerDigest = await client.pushBlob(layer.bytes);
  const added = {
    mediaType: layer.mediaType,
    digest: layerDigest,
    size: layer.bytes.length,
    annotations: layer.annotations
  };
  const layers = [
    ...kept.filter(
      (old) => old.digest !== layerDigest || JSON.stringify(old.annotations ?? {}) !== JSON.stringify(layer.annotations)
    ),
    added
  ];
  const config = signatureConfig(layers.map((l) => l.digest));
  const configDigest = await client.pushBlob(config);
  const manifest = signatureManifest({ digest: configDigest, size: config.length }, layers);
  await client.pushManifest(tag, Buffer.from(JSON.stringify(manifest)), MEDIA_TYPES.ociManifest);
  return tag;
}
async function attachBundle(client, digest, bundleJson, annotations) {
  const subject = await client.findManifest(digest);
  if (subject === void 0)
    throw new Error(`manifest ${digest} vanished before its bundle was attached`);
  const empty = Buffer.from("{}");
  await client.pushBlob(empty);
  const layerDigest = await client.pushBlob(bundleJson);
  const manifest = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.ociManifest,
    artifactType: SIGSTORE_BUNDLE_MEDIA_TYPE,
    config: { mediaType: OCI_EMPTY_MEDIA_TYPE, digest: sha256(empty), size: empty.length },
    layers: [
      { mediaType: SIGSTORE_BUNDLE_MEDIA_TYPE, digest: layerDigest, size: bundleJson.length }
    ],
    subject: {
      mediaType: subject.mediaType ?? MEDIA_TYPES.ociManifest,
      digest,
      size: subject.bytes.length
    },
    annotations
  };
  const bytes = Buffer.from(JSON.stringify(manifest));
  const pushed = await client.pushManifest(sha256(bytes), bytes, MEDIA_TYPES.ociManifest);
  if (!pushed.subjectProcessed) {
    await client.addToReferrersTag(digest, {
      mediaType: MEDIA_TYPES.ociManifest,
      digest: pushed.digest,
      size: bytes.length,
      artifactType: SIGSTORE_BUNDLE_MEDIA_TYPE,
      annotations
    });
  }
  return pushed.digest;
}

export {
  findSignatures,
  appendToCosignTag,
  attachBundle
};
