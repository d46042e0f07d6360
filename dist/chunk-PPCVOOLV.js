import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  appendToCosignTag,
  attachBundle
} from "./chunk-FDHDPRL4.js";
import {
  BUNDLE_CONTENT_ANNOTATION,
  BUNDLE_PREDICATE_TYPE_ANNOTATION,
  COSIGN_SIGN_PREDICATE,
  DSSE_MEDIA_TYPE,
  PREDICATE_TYPE_ANNOTATION,
  SIGNATURE_ANNOTATION,
  SIMPLE_SIGNING_MEDIA_TYPE,
  simpleSigningPayload
} from "./chunk-XARHNG7W.js";
import {
  require_dist as require_dist2
} from "./chunk-GJUY5W35.js";
import {
  require_dist2 as require_dist
} from "./chunk-RFSSKQPB.js";
import {
  canonicalJson
} from "./chunk-SWMUZOAG.js";
import {
  IN_TOTO_PAYLOAD_TYPE,
  imageStatement
} from "./chunk-B3ZN5P2E.js";
import {
  keyHint,
  publicKeyPem,
  signBytes
} from "./chunk-PUWYYOVB.js";
import {
  __toESM
} from "./chunk-VA35IVHB.js";

// src/custody/sign.ts
var import_bundle = __toESM(require_dist(), 1);
var import_sign = __toESM(require_dist2(), 1);
function bundleBuilder(signer) {
  if (signer.kind === "keyless") {
    const witnesses = [
      new import_sign.RekorWitness({
        rekorBaseURL: signer.rekorUrl,
        entryType: signer.rekorEntryType ?? "dsse"
      })
    ];
    return new import_sign.DSSEBundleBuilder({
      signer: new import_sign.FulcioSigner({
        identityProvider: signer.identityProvider,
        fulcioBaseURL: signer.fulcioUrl
      }),
      witnesses
    });
  }
  const keySigner = {
    sign: async (data) => ({
      signature: signBytes(signer.key, data),
      key: { $case: "publicKey", publicKey: publicKeyPem(signer.key), hint: keyHint(signer.key) }
    })
  };
  return new import_sign.DSSEBundleBuilder({ signer: keySigner, witnesses: [] });
}
async function statementBundle(signer, statement) {
  return bundleBuilder(signer).create({
    data: Buffer.from(canonicalJson(statement)),
    type: IN_TOTO_PAYLOAD_TYPE
  });
}
async function attachStatement(client, digest, bundle, predicateType) {
  return attachBundle(client, digest, Buffer.from(JSON.stringify((0, import_bundle.bundleToJSON)(bundle))), {
    [BUNDLE_CONTENT_ANNOTATION]: "dsse-envelope",
    [BUNDLE_PREDICATE_TYPE_ANNOTATION]: predicateType
  });
}
async function signImage(client, repository, digest, signer) {
  if (signer.kind === "key") {
    const payload = simpleSigningPayload(repository, digest);
    return appendToCosignTag(client, digest, "sig", {
      bytes: payload,
      mediaType: SIMPLE_SIGNING_MEDIA_TYPE,
      annotations: { [SIGNATURE_ANNOTATION]: signBytes(signer.key, payload).toString("base64") }
    });
  }
  const statement = imageStatement(repository, digest, COSIGN_SIGN_PREDICATE, {});
  return attachStatement(
    client,
    digest,
    await statementBundle(signer, statement),
    COSIGN_SIGN_PREDICATE
  );
}
async function attestImage(client, repository, digest, predicateType, predicate, signer) {
  const statement = imageStatement(repository, digest, predicateType, predicate);
  const bundle = await statementBundle(signer, statement);
  const written = [await attachStatement(client, digest, bundle, predicateType)];
  if (signer.kind === "key" && bundle.content.$case === "dsseEnvelope") {
    const { payload, payloadType, signatures } = bundle.content.dsseEnvelope;
    const envelope = {
      payloadType,
      payload: payload.toString("base64"),
      signatures: signatures.map((s) => ({ keyid: s.keyid, sig: s.sig.toString("base64") }))
    };
    written.push(
      await appendToCosignTag(client, digest, "att", {
        bytes: Buffer.from(JSON.stringify(envelope)),
        mediaType: DSSE_MEDIA_TYPE,
        // cosign leaves the signature annotation empty for attestations: it is in the envelope.
        annotations: { [SIGNATURE_ANNOTATION]: "", [PREDICATE_TYPE_ANNOTATION]: predicateType }
      })
    );
  }
  return written;
}

export {
  signImage,
  attestImage
};
