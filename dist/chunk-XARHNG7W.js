import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  MEDIA_TYPES
} from "./chunk-MSXTIOG5.js";

// src/custody/cosign.ts
var SIMPLE_SIGNING_MEDIA_TYPE = "application/vnd.dev.cosign.simplesigning.v1+json";
var DSSE_MEDIA_TYPE = "application/vnd.dsse.envelope.v1+json";
var SIGSTORE_BUNDLE_MEDIA_TYPE = "application/vnd.dev.sigstore.bundle.v0.3+json";
var OCI_EMPTY_MEDIA_TYPE = "application/vnd.oci.empty.v1+json";
var SIGNATURE_ANNOTATION = "dev.cosignproject.cosign/signature";
var CERTIFICATE_ANNOTATION = "dev.sigstore.cosign/certificate";
var CHAIN_ANNOTATION = "dev.sigstore.cosign/chain";
var REKOR_BUNDLE_ANNOTATION = "dev.sigstore.cosign/bundle";
var PREDICATE_TYPE_ANNOTATION = "predicateType";
var BUNDLE_CONTENT_ANNOTATION = "dev.sigstore.bundle.content";
var BUNDLE_PREDICATE_TYPE_ANNOTATION = "dev.sigstore.bundle.predicateType";
var COSIGN_SIGN_PREDICATE = "https://sigstore.dev/cosign/sign/v1";
var SIMPLE_SIGNING_TYPES = /* @__PURE__ */ new Set([
  "cosign container image signature",
  "atomic container signature",
  COSIGN_SIGN_PREDICATE
]);
function cosignTag(digest, suffix) {
  return `${digest.replace(":", "-")}.${suffix}`;
}
function simpleSigningPayload(dockerReference, digest) {
  return Buffer.from(
    JSON.stringify({
      critical: {
        identity: { "docker-reference": dockerReference },
        image: { "docker-manifest-digest": digest },
        type: "cosign container image signature"
      },
      optional: null
    })
  );
}
function member(object, name) {
  if (object === null || typeof object !== "object") return void 0;
  const key = Object.keys(object).find((candidate) => candidate.toLowerCase() === name);
  return key === void 0 ? void 0 : object[key];
}
function signedDigest(payload) {
  let document;
  try {
    document = JSON.parse(payload.toString("utf8"));
  } catch {
    return { problem: "the payload is not JSON" };
  }
  const critical = member(document, "critical");
  const type = member(critical, "type");
  if (typeof type !== "string" || !SIMPLE_SIGNING_TYPES.has(type)) {
    return {
      problem: `the payload type is ${JSON.stringify(type)}, not a container image signature`
    };
  }
  const digest = member(member(critical, "image"), "docker-manifest-digest");
  return typeof digest === "string" ? { digest } : { problem: "the payload has no critical.image.docker-manifest-digest" };
}
function signatureConfig(layerDigests) {
  return Buffer.from(
    JSON.stringify({
      architecture: "",
      created: "0001-01-01T00:00:00Z",
      history: [{ created: "0001-01-01T00:00:00Z" }],
      os: "",
      rootfs: { type: "layers", diff_ids: layerDigests },
      config: {}
    })
  );
}
function signatureManifest(config, layers) {
  return {
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.ociManifest,
    config: { mediaType: MEDIA_TYPES.ociConfig, ...config },
    layers
  };
}

export {
  SIMPLE_SIGNING_MEDIA_TYPE,
  DSSE_MEDIA_TYPE,
  SIGSTORE_BUNDLE_MEDIA_TYPE,
  OCI_EMPTY_MEDIA_TYPE,
  SIGNATURE_ANNOTATION,
  CERTIFICATE_ANNOTATION,
  CHAIN_ANNOTATION,
  REKOR_BUNDLE_ANNOTATION,
  PREDICATE_TYPE_ANNOTATION,
  BUNDLE_CONTENT_ANNOTATION,
  BUNDLE_PREDICATE_TYPE_ANNOTATION,
  COSIGN_SIGN_PREDICATE,
  cosignTag,
  simpleSigningPayload,
  signedDigest,
  signatureConfig,
  signatureManifest
};
