import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);

// src/custody/statement.ts
var STATEMENT_TYPE = "https://in-toto.io/Statement/v1";
var IN_TOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json";
var CONTENT_MANIFEST_PREDICATE = "https://container-gate.dev/content-manifest/v1";
function imageStatement(name, digest, predicateType, predicate) {
  const [algorithm = "sha256", hex = ""] = digest.split(":");
  return {
    _type: STATEMENT_TYPE,
    subject: [{ name, digest: { [algorithm]: hex } }],
    predicateType,
    predicate
  };
}
function pae(payloadType, payload) {
  return Buffer.concat([
    Buffer.from(
      `DSSEv1 ${Buffer.byteLength(payloadType)} ${payloadType} ${payload.length} `,
      "utf8"
    ),
    payload
  ]);
}
function statementOf(payloadType, payload) {
  if (payloadType !== IN_TOTO_PAYLOAD_TYPE) return void 0;
  try {
    const parsed = JSON.parse(payload.toString("utf8"));
    const known = parsed?._type === STATEMENT_TYPE || parsed?._type === "https://in-toto.io/Statement/v0.1";
    return known && Array.isArray(parsed.subject) ? parsed : void 0;
  } catch {
    return void 0;
  }
}
function statementCovers(statement, digest) {
  const [algorithm = "", hex = ""] = digest.split(":");
  return statement.subject.some((subject) => subject.digest?.[algorithm] === hex);
}

export {
  IN_TOTO_PAYLOAD_TYPE,
  CONTENT_MANIFEST_PREDICATE,
  imageStatement,
  pae,
  statementOf,
  statementCovers
};
