import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  ImageError
} from "./chunk-S52CFNVZ.js";

// src/image/digest.ts
import { createHash } from "node:crypto";
import { Transform } from "node:stream";
var SHA256 = /^sha256:[a-f0-9]{64}$/;
function isDigest(value) {
  return SHA256.test(value);
}
function sha256(bytes) {
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}
function assertDigest(bytes, expected, blob) {
  if (!isDigest(expected)) {
    throw new ImageError(
      `${blob} has an unsupported digest "${expected}"; only sha256 is supported.`
    );
  }
  const actual = sha256(bytes);
  if (actual !== expected) {
    throw new ImageError(
      `${blob} does not match its digest: expected ${expected}, got ${actual}; the image is corrupt or was tampered with.`,
      "DIGEST_MISMATCH"
    );
  }
}
function digestMismatch(blob, expected, got) {
  return new ImageError(
    `${blob} does not match its digest: expected ${expected}, got ${got}; the image is corrupt or was tampered with.`,
    "DIGEST_MISMATCH"
  );
}
var DigestingStream = class extends Transform {
  constructor(blob, expected) {
    super();
    this.blob = blob;
    this.expected = expected;
    if (expected !== void 0 && !isDigest(expected)) {
      throw new ImageError(
        `${blob} has an unsupported digest "${expected}"; only sha256 is supported.`
      );
    }
  }
  blob;
  expected;
  hash = createHash("sha256");
  bytes = 0;
  result;
  _transform(chunk, _encoding, callback) {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    callback(null, chunk);
  }
  _flush(callback) {
    this.result = `sha256:${this.hash.digest("hex")}`;
    if (this.expected !== void 0 && this.result !== this.expected) {
      callback(digestMismatch(this.blob, this.expected, this.result));
      return;
    }
    callback();
  }
  /** The digest of everything that passed through; available after the stream ended. */
  get digest() {
    if (this.result === void 0) throw new Error(`digest of ${this.blob} read before its end`);
    return this.result;
  }
  get size() {
    return this.bytes;
  }
};

export {
  isDigest,
  sha256,
  assertDigest,
  digestMismatch,
  DigestingStream
};
