import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  sha256
} from "./chunk-53I4RN7B.js";

// src/custody/canonical.ts
import { createHash } from "node:crypto";
function canonicalJson(value) {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) {
    let out2 = "[";
    for (let i = 0; i < value.length; i++) out2 += itemJson(value, i);
    return `${out2}]`;
  }
  const object = value;
  let out = "{";
  for (const key of Object.keys(object).sort()) {
    const member = object[key];
    if (member === void 0) continue;
    out += `${out === "{" ? "" : ","}${JSON.stringify(key)}:${canonicalJson(member)}`;
  }
  return `${out}}`;
}
function itemJson(items, i, write = canonicalJson) {
  const item = items[i];
  return `${i === 0 ? "" : ","}${item === void 0 ? "null" : write(item)}`;
}
var DIGEST_BATCH_CHARS = 64 * 1024;
function canonicalDigest(value, writeItem) {
  if (!Array.isArray(value)) return sha256(canonicalJson(value));
  const items = value;
  const hash = createHash("sha256");
  let batch = "[";
  for (let i = 0; i < items.length; i++) {
    batch += itemJson(items, i, writeItem);
    if (batch.length >= DIGEST_BATCH_CHARS) {
      hash.update(batch);
      batch = "";
    }
  }
  return `sha256:${hash.update(`${batch}]`).digest("hex")}`;
}

// src/custody/endpoints.ts
var DEFAULT_FULCIO_URL = "https://fulcio.sigstore.dev";
var DEFAULT_REKOR_URL = "https://rekor.sigstore.dev";

export {
  canonicalJson,
  canonicalDigest,
  DEFAULT_FULCIO_URL,
  DEFAULT_REKOR_URL
};
