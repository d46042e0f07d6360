import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  readPublicKey
} from "./chunk-PUWYYOVB.js";
import {
  assertDigest,
  isDigest,
  sha256
} from "./chunk-53I4RN7B.js";
import {
  MEDIA_TYPES
} from "./chunk-MSXTIOG5.js";
import {
  ConfigurationError,
  ImageError
} from "./chunk-S52CFNVZ.js";

// src/files.ts
import { randomBytes } from "node:crypto";
import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
import { access, mkdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";

// src/units.ts
function formatBytes(bytes) {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}
function formatSizePair(size, limit) {
  if (formatBytes(size) !== formatBytes(limit)) return [formatBytes(size), formatBytes(limit)];
  return [`${size} bytes`, `${limit} bytes`];
}
function plural(count, noun) {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

// src/files.ts
var READ_CHUNK_BYTES = 1024 * 1024;
var MAX_INPUT_FILE_BYTES = 512 * 1024 * 1024;
function checkSize(size, file) {
  const maxBytes = file.maxBytes ?? MAX_INPUT_FILE_BYTES;
  if (size > maxBytes) {
    throw new ConfigurationError(
      `${file.subject} is ${formatSizePair(size, maxBytes).join(", more than the ")} this input may be; ${file.tooLarge ?? file.fix}`,
      file.code
    );
  }
}
function unreadable(error, file) {
  const code = error.code;
  return new ConfigurationError(
    code === "ENOENT" && file.missing !== void 0 ? file.missing : `${file.subject} cannot be read (${code ?? "error"}); ${file.fix}`,
    file.code,
    { cause: error }
  );
}
function readAtMost(path, limit) {
  const fd = openSync(path, "r");
  try {
    const size = fstatSync(fd).size;
    if (size > limit) return { bytes: Buffer.alloc(0), size };
    let buffer = Buffer.allocUnsafe(Math.min(limit, size > 0 ? size : FIRST_READ_BYTES) + 1);
    let length = 0;
    while (length <= limit) {
      if (length === buffer.length) {
        const larger = Buffer.allocUnsafe(Math.min(limit + 1, buffer.length * 2));
        buffer.copy(larger, 0, 0, length);
        buffer = larger;
      }
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
    }
    return { bytes: buffer.subarray(0, length), size: length };
  } finally {
    closeSync(fd);
  }
}
function readBounded(path, file) {
  let read;
  try {
    read = readAtMost(path, file.maxBytes ?? MAX_INPUT_FILE_BYTES);
  } catch (error) {
    throw unreadable(error, file);
  }
  checkSize(read.size, file);
  return read.bytes;
}
var FIRST_READ_BYTES = 64 * 1024;
async function readInputFile(path, file) {
  return readBounded(path, file).toString("utf8");
}
function readInputFileSync(path, file) {
  return readBounded(path, file);
}
var WRITE_ERRORS = {
  ENOSPC: "the disk is full",
  EDQUOT: "the disk quota is used up",
  EFBIG: "the file is larger than this process may write",
  EROFS: "the file system is read-only",
  EACCES: "permission denied",
  EPERM: "permission denied",
  ENOTDIR: "a part of its path is a file, not a directory",
  EEXIST: "a part of its path is a file, not a directory",
  EIO: "an I/O error",
  EPIPE: "the reader closed it"
};
function outputError(output, error, where) {
  const code = error.code ?? "error";
  const why = WRITE_ERRORS[code] ?? (code === "error" ? error.message : void 0);
  const fix = ["ENOSPC", "EDQUOT", "EFBIG"].includes(code) ? "free space or choose another path" : "choose a writable path";
  return new ConfigurationError(
    `${output} cannot be written${where === void 0 ? "" : ` (${where})`}: ${why === void 0 ? code : code === "error" ? why : `${why} (${code})`}; ${fix}.`,
    "OUTPUT_NOT_WRITTEN",
    { cause: error }
  );
}
async function checkOutputPath(path, input) {
  const target = resolve(path);
  const parent = dirname(target);
  const output = `${input} "${path}"`;
  try {
    await mkdir(parent, { recursive: true });
  } catch (error) {
    throw outputError(output, error, `its directory ${parent} cannot be created`);
  }
  const existing = await stat(target).catch(() => void 0);
  if (existing?.isDirectory() === true) {
    throw new ConfigurationError(`${output} is a directory; name a file.`, "BAD_OUTPUT_PATH");
  }
  if (existing === void 0 || existing.isFile()) {
    await access(parent, constants.W_OK).catch((error) => {
      throw outputError(output, error, `its directory ${parent} is not writable`);
    });
  }
  return existing;
}
async function writeFileAtomic(path, content, input) {
  const target = resolve(path);
  const output = `${input} "${path}"`;
  const existing = await checkOutputPath(path, input);
  if (existing !== void 0 && !existing.isFile()) {
    await writeFile(target, content).catch((error) => {
      throw outputError(output, error);
    });
    return;
  }
  const temporary = `${target}.${randomBytes(6).toString("hex")}.tmp`;
  try {
    await writeFile(temporary, content);
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true }).catch(() => void 0);
    throw outputError(output, error);
  }
}
var writeErrors = /* @__PURE__ */ new WeakMap();
function watchWrites(stream = process.stdout) {
  if (writeErrors.has(stream)) return;
  writeErrors.set(stream, void 0);
  stream.on("error", (error) => {
    if (writeErrors.get(stream) === void 0) writeErrors.set(stream, error);
  });
}
function writeStdout(text2, stream = process.stdout) {
  watchWrites(stream);
  return new Promise((resolvePromise, reject) => {
    stream.write(text2, (error) => {
      if (error === void 0 || error === null) return resolvePromise();
      const first = writeErrors.get(stream) ?? error;
      if (first.code === "EPIPE") {
        reject(
          new ConfigurationError(
            "standard output was closed before the report was written whole (EPIPE).",
            "STDOUT_CLOSED",
            { cause: first }
          )
        );
      } else reject(outputError("standard output", first));
    });
  });
}

// src/image/registry/client.ts
import { isIP } from "node:net";
import { Readable } from "node:stream";

// src/image/http.ts
import { createRequire } from "node:module";
import { PassThrough } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
var HttpError = class extends Error {
  constructor(message, code, url, options) {
    super(message, options);
    this.code = code;
    this.url = url;
  }
  code;
  url;
  name = "HttpError";
};
var DEFAULT_RETRY = {
  attempts: 4,
  baseDelayMs: 500,
  maxDelayMs: 1e4,
  maxRetryAfterMs: 6e4,
  // A job held longer than this by one request is better told to try again later (issue 14).
  maxTotalWaitMs: 9e4
};
var DEFAULT_STALL_MS = 3e4;
var DEFAULT_MAX_REDIRECTS = 5;
var REDIRECTS = /* @__PURE__ */ new Set([301, 302, 303, 307, 308]);
var RETRYABLE_CODES = /* @__PURE__ */ new Set([
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ECONNABORTED",
  "EAI_AGAIN",
  "STALL"
]);
function abortReason(signal) {
  const reason = signal.reason;
  return reason instanceof Error ? reason : new Error(String(reason));
}
async function pause(ms, signal) {
  try {
    await sleep(ms, void 0, signal !== void 0 ? { signal } : {});
  } catch (error) {
    if (signal?.aborted === true) throw abortReason(signal);
    throw error;
  }
}
function isRetryable(error) {
  const code = errorCode(error);
  return code !== void 0 && RETRYABLE_CODES.has(code);
}
function header(headers, name) {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}
function parseRetryAfter(value, now = Date.now()) {
  if (value === void 0) return void 0;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1e3;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? void 0 : Math.max(0, date - now);
}
function describe(url) {
  return `${url.origin}${url.pathname}`;
}
function errorCode(error) {
  if (error instanceof HttpError) return error.code;
  const code = error?.code;
  return typeof code === "string" ? code : void 0;
}
function backoff(attempt, retry = {}) {
  const policy = { ...DEFAULT_RETRY, ...retry };
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return ceiling / 2 + Math.random() * (ceiling / 2);
}
function isRetryableStatus(status) {
  return status === 429 || status >= 500 && status <= 599;
}
var load = createRequire(import.meta.url);
var transports;
function transportFor(url) {
  transports ??= {
    http: load("node:http"),
    https: load("node:https")
  };
  return url.protocol === "https:" ? transports.https : transports.http;
}
function send(url, method, headers, body, stallMs, signal) {
  return new Promise((resolve2, reject) => {
    if (signal?.aborted === true) {
      reject(abortReason(signal));
      return;
    }
    const secure = url.protocol === "https:";
    const request2 = transportFor(url).request(url, {
      method,
      headers: body !== void 0 ? { ...headers, "content-length": String(body.length) } : headers
    });
    const limit = stallMs / 1e3;
    let phase = "connect";
    let timer;
    const timedOut = () => {
      if (phase === "response") {
        return new HttpError(
          `${describe(url)} sent no response for ${limit} s`,
          "STALL",
          describe(url)
        );
      }
      const what = phase === "tls" ? "TLS handshake with" : "connection to";
      return new HttpError(
        `${what} ${url.host} did not complete in ${limit} s`,
        "ETIMEDOUT",
        describe(url)
      );
    };
    const enter = (next) => {
      phase = next;
      clearTimeout(timer);
      timer = setTimeout(() => request2.destroy(timedOut()), stallMs);
    };
    enter("connect");
    const abort = () => {
      request2.destroy(abortReason(signal));
    };
    signal?.addEventListener("abort", abort, { once: true });
    request2.once("close", () => signal?.removeEventListener("abort", abort));
    request2.once("socket", (socket) => {
      if (!socket.connecting) {
        enter("response");
        return;
      }
      socket.once("connect", () => enter(secure ? "tls" : "response"));
      if (secure) socket.once("secureConnect", () => enter("response"));
    });
    request2.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    request2.once("close", () => clearTimeout(timer));
    request2.once("response", (response) => {
      clearTimeout(timer);
      resolve2({ request: request2, response });
    });
    request2.end(body);
  });
}
function guardBody(exchange, url, stallMs, signal) {
  const { request: request2, response } = exchange;
  const body = new PassThrough();
  let timer;
  const fail = (error) => {
    clearTimeout(timer);
    request2.destroy();
    body.destroy(error);
  };
  const abort = () => fail(abortReason(signal));
  signal?.addEventListener("abort", abort, { once: true });
  const lost = (cause) => new HttpError(
    `${describe(url)} closed the connection before the body was complete`,
    "ECONNRESET",
    describe(url),
    cause !== void 0 ? { cause } : void 0
  );
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      fail(
        new HttpError(
          `${describe(url)} sent no data for ${stallMs / 1e3} s`,
          "STALL",
          describe(url)
        )
      );
    }, stallMs);
  };
  response.on("data", (chunk) => {
    if (body.destroyed) return;
    if (body.write(chunk)) {
      arm();
      return;
    }
    clearTimeout(timer);
    response.pause();
    body.once("drain", () => {
      response.resume();
      arm();
    });
  });
  response.once("end", () => {
    clearTimeout(timer);
    body.end();
  });
  response.once("close", () => {
    if (!response.complete) fail(lost());
  });
  response.on("error", (error) => fail(lost(error)));
  body.once("close", () => {
    clearTimeout(timer);
    signal?.removeEventListener("abort", abort);
    if (!response.complete) request2.destroy();
  });
  arm();
  return body;
}
function assertAllowed(url, allowHttp) {
  if (url.protocol === "https:") return;
  if (url.protocol === "http:" && allowHttp?.(url) === true) return;
  throw new HttpError(
    `refusing to fetch ${describe(url)} over ${url.protocol.replace(":", "")}; only https is allowed for this host`,
    "INSECURE",
    describe(url)
  );
}
async function followRedirects(start, options, stallMs) {
  let url = start;
  let method = options.method ?? "GET";
  let body = typeof options.body === "string" ? Buffer.from(options.body) : options.body;
  let headers = { "user-agent": "container-gate", ...options.headers };
  const maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  for (let redirects = 0; ; redirects++) {
    assertAllowed(url, options.allowHttp);
    const exchange = await send(url, method, headers, body, stallMs, options.signal);
    const status = exchange.response.statusCode ?? 0;
    const location = header(exchange.response.headers, "location");
    if (!REDIRECTS.has(status) || location === void 0) return { ...exchange, url };
    exchange.response.resume();
    if (redirects >= maxRedirects) {
      throw new HttpError(
        `${describe(start)} redirected more than ${maxRedirects} times`,
        "TOO_MANY_REDIRECTS",
        describe(start)
      );
    }
    const next = new URL(location, url);
    if (next.origin !== url.origin) {
      headers = Object.fromEntries(
        Object.entries(headers).filter(([name]) => name.toLowerCase() !== "authorization")
      );
    }
    if (status === 303 || (status === 301 || status === 302) && method === "POST") {
      method = "GET";
      body = void 0;
    }
    url = next;
  }
}
function seconds(ms) {
  return `${ms < 1e4 ? Math.round(ms / 100) / 10 : Math.round(ms / 1e3)} s`;
}
async function request(url, options = {}) {
  const start = new URL(url);
  const policy = { ...DEFAULT_RETRY, ...options.retry };
  const stallMs = options.stallTimeoutMs ?? DEFAULT_STALL_MS;
  let waited = 0;
  for (let attempt = 1; ; attempt++) {
    const remaining = policy.maxTotalWaitMs - waited;
    let exchange;
    try {
      exchange = await followRedirects(start, options, stallMs);
    } catch (error) {
      if (options.signal?.aborted === true) throw abortReason(options.signal);
      const code = errorCode(error);
      if (attempt < policy.attempts && remaining > 0 && isRetryable(error)) {
        const delay = Math.min(backoff(attempt, policy), remaining);
        options.logger?.debug(`${describe(start)}: ${code}, retrying in ${Math.round(delay)} ms`);
        waited += delay;
        await pause(delay, options.signal);
        continue;
      }
      if (error instanceof HttpError) {
        if (attempt === 1) throw error;
        throw new HttpError(`${error.message} (${attempt} attempts)`, error.code, error.url, {
          cause: error
        });
      }
      const message = error instanceof Error ? error.message : String(error);
      throw new HttpError(
        `${describe(start)} failed: ${message}`,
        code ?? "NETWORK",
        describe(start),
        { cause: error }
      );
    }
    const status = exchange.response.statusCode ?? 0;
    if (isRetryableStatus(status) && attempt < policy.attempts && remaining > 0) {
      exchange.response.resume();
      const retryAfter = parseRetryAfter(header(exchange.response.headers, "retry-after"));
      if (retryAfter !== void 0) {
        const allowed = Math.min(policy.maxRetryAfterMs, remaining);
        if (retryAfter > allowed) {
          throw new HttpError(
            `${describe(start)} answered ${status} and asked to wait ${seconds(retryAfter)} before trying again, longer than the ${seconds(allowed)} the gate still waits for this request`,
            "RETRY_AFTER_TOO_LONG",
            describe(start)
          );
        }
      }
      const delay = retryAfter ?? Math.min(backoff(attempt, policy), remaining);
      options.logger?.debug(`${describe(start)}: ${status}, retrying in ${Math.round(delay)} ms`);
      waited += delay;
      await pause(delay, options.signal);
      continue;
    }
    return {
      status,
      headers: exchange.response.headers,
      url: exchange.url,
      body: guardBody(exchange, exchange.url, stallMs, options.signal)
    };
  }
}
async function readBody(response, maxBytes) {
  const tooLarge = () => new HttpError(
    `${describe(response.url)} sent more than ${maxBytes} bytes`,
    "TOO_LARGE",
    describe(response.url)
  );
  const declared = Number(header(response.headers, "content-length"));
  if (Number.isFinite(declared) && declared > maxBytes) {
    response.body.destroy();
    throw tooLarge();
  }
  const chunks = [];
  let length = 0;
  for await (const chunk of response.body) {
    length += chunk.length;
    if (length > maxBytes) {
      response.body.destroy();
      throw tooLarge();
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
async function requestBytes(url, options) {
  const response = await request(url, options);
  return { ...response, body: await readBody(response, options.maxBytes) };
}

// src/image/manifest.ts
var MANIFEST_TYPES = /* @__PURE__ */ new Set([
  MEDIA_TYPES.ociManifest,
  MEDIA_TYPES.dockerManifest
]);
var INDEX_TYPES = /* @__PURE__ */ new Set([
  MEDIA_TYPES.ociIndex,
  MEDIA_TYPES.dockerManifestList
]);
var MANIFEST_ACCEPT = [
  MEDIA_TYPES.ociIndex,
  MEDIA_TYPES.dockerManifestList,
  MEDIA_TYPES.ociManifest,
  MEDIA_TYPES.dockerManifest
].join(", ");
var MAX_LAYERS = 1024;
var MAX_HISTORY_ENTRIES = 4096;
var DIGEST_GRAMMAR = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
function isObject(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
function describeJson(value) {
  if (value === void 0) return "missing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  if (typeof value === "number") return "a number";
  if (typeof value === "string") return "a string";
  return `a ${typeof value}`;
}
function keyPath(path, key, position) {
  return /^[\w./:@+-]{1,128}$/.test(key) ? `${path}["${key}"]` : `${path}[#${position}]`;
}
var DocumentFields = class {
  constructor(what, noun, code) {
    this.what = what;
    this.noun = noun;
    this.code = code;
  }
  what;
  noun;
  code;
  fail(path, found, expected) {
    throw new ImageError(
      `${this.what}: field ${path} is ${found}, expected ${expected}; ${this.noun} is malformed.`,
      this.code
    );
  }
  wrong(path, value, expected) {
    return this.fail(path, describeJson(value), expected);
  }
  object(value, path) {
    if (!isObject(value)) this.wrong(path, value, "an object");
    return value;
  }
  /** An optional object: absent or null reads as `{}`. */
  objectOrEmpty(value, path) {
    return value === void 0 || value === null ? {} : this.object(value, path);
  }
  string(value, path) {
    if (typeof value !== "string") this.wrong(path, value, "a string");
    return value;
  }
  optionalString(value, path) {
    return value === void 0 || value === null ? void 0 : this.string(value, path);
  }
  optionalBoolean(value, path) {
    if (value === void 0 || value === null) return void 0;
    if (typeof value !== "boolean") this.wrong(path, value, "true or false");
    return value;
  }
  integer(value, path) {
    if (typeof value !== "number") this.wrong(path, value, "a non-negative integer");
    if (!Number.isSafeInteger(value) || value < 0) {
      this.fail(path, String(value), "a non-negative integer");
    }
    return value;
  }
  optionalInteger(value, path) {
    return value === void 0 || value === null ? void 0 : this.integer(value, path);
  }
  list(value, path, expected, max) {
    if (!Array.isArray(value)) this.wrong(path, value, expected);
    if (max !== void 0 && value.length > max) {
      this.fail(path, `a list of ${value.length} items`, `at most ${max}`);
    }
    return value;
  }
  /** An optional list of strings; null items read as "". */
  strings(value, path) {
    if (value === void 0 || value === null) return void 0;
    return this.list(value, path, "an array of strings").map(
      (item, i) => item === null ? "" : this.string(item, `${path}[${i}]`)
    );
  }
  /** An optional map of strings (labels, annotations); null values read as "". */
  stringMap(value, path) {
    if (value === void 0 || value === null) return void 0;
    const entries = Object.entries(this.object(value, path));
    return Object.fromEntries(
      entries.map(([key, item], i) => [
        key,
        item === null ? "" : this.string(item, keyPath(path, key, i))
      ])
    );
  }
  /** An optional set as Go's map[string]struct{} (ExposedPorts, Volumes): values are `{}`. */
  keySet(value, path) {
    if (value === void 0 || value === null) return void 0;
    const entries = Object.entries(this.object(value, path));
    return Object.fromEntries(
      entries.map(([key, item], i) => {
        if (item !== null) this.object(item, keyPath(path, key, i));
        return [key, {}];
      })
    );
  }
  digest(value, path) {
    const digest = this.string(value, path);
    if (!DIGEST_GRAMMAR.test(digest)) this.fail(path, "not a digest", "algorithm:hex");
    return digest;
  }
  platform(value, path) {
    if (value === void 0 || value === null) return void 0;
    const doc = this.object(value, path);
    const variant = this.optionalString(doc.variant, `${path}.variant`);
    const osVersion = this.optionalString(doc["os.version"], `${path}.os.version`);
    return {
      os: this.string(doc.os, `${path}.os`),
      architecture: this.string(doc.architecture, `${path}.architecture`),
      ...variant === void 0 || variant === "" ? {} : { variant },
      ...osVersion === void 0 ? {} : { "os.version": osVersion }
    };
  }
  descriptor(value, path) {
    if (value === null) this.wrong(path, value, "a descriptor object");
    const doc = this.object(value, path);
    const platform = this.platform(doc.platform, `${path}.platform`);
    const annotations = this.stringMap(doc.annotations, `${path}.annotations`);
    const urls = this.strings(doc.urls, `${path}.urls`);
    const artifactType = this.optionalString(doc.artifactType, `${path}.artifactType`);
    return {
      mediaType: this.optionalString(doc.mediaType, `${path}.mediaType`) ?? "",
      digest: this.digest(doc.digest, `${path}.digest`),
      size: this.optionalInteger(doc.size, `${path}.size`) ?? 0,
      ...platform === void 0 ? {} : { platform },
      ...annotations === void 0 ? {} : { annotations },
      ...urls === void 0 ? {} : { urls },
      ...artifactType === void 0 ? {} : { artifactType }
    };
  }
  descriptors(value, path, max) {
    return this.list(value, path, "an array of descriptors", max).map(
      (item, i) => this.descriptor(item, `${path}[${i}]`)
    );
  }
};
function parseJson(bytes, what) {
  let value;
  try {
    value = JSON.parse(bytes.toString("utf8"));
  } catch {
    throw new ImageError(
      `${what} is not valid JSON; the image is corrupt or not an image.`,
      "BAD_MANIFEST"
    );
  }
  if (!isObject(value)) {
    throw new ImageError(
      `${what} is not a JSON object; the image is corrupt or not an image.`,
      "BAD_MANIFEST"
    );
  }
  return value;
}
function readManifest(doc, what, mediaType) {
  const f = new DocumentFields(what, "the manifest", "BAD_MANIFEST");
  const annotations = f.stringMap(doc.annotations, "annotations");
  return {
    schemaVersion: f.optionalInteger(doc.schemaVersion, "schemaVersion") ?? 2,
    mediaType,
    config: f.descriptor(doc.config, "config"),
    layers: f.descriptors(doc.layers, "layers", MAX_LAYERS),
    ...annotations === void 0 ? {} : { annotations }
  };
}
function readIndex(doc, what, mediaType) {
  const f = new DocumentFields(what, "the index", "BAD_MANIFEST");
  const annotations = f.stringMap(doc.annotations, "annotations");
  return {
    schemaVersion: f.optionalInteger(doc.schemaVersion, "schemaVersion") ?? 2,
    mediaType,
    manifests: f.descriptors(doc.manifests, "manifests"),
    ...annotations === void 0 ? {} : { annotations }
  };
}
function parseManifest(bytes, what, transportMediaType) {
  const doc = parseJson(bytes, what);
  const declared = new DocumentFields(what, "the manifest", "BAD_MANIFEST").optionalString(
    doc.mediaType,
    "mediaType"
  );
  let mediaType = declared || transportMediaType?.split(";")[0]?.trim();
  if (mediaType === void 0 || mediaType === "" || mediaType === "application/json") {
    mediaType = doc.manifests !== void 0 ? MEDIA_TYPES.ociIndex : doc.config !== void 0 ? MEDIA_TYPES.ociManifest : void 0;
  }
  if (mediaType !== void 0 && MANIFEST_TYPES.has(mediaType)) {
    return { kind: "manifest", manifest: readManifest(doc, what, mediaType), mediaType };
  }
  if (mediaType !== void 0 && INDEX_TYPES.has(mediaType)) {
    return { kind: "index", index: readIndex(doc, what, mediaType), mediaType };
  }
  if (doc.schemaVersion === 1) {
    throw new ImageError(
      `${what} is a Docker schema 1 manifest, which is deprecated and unsupported; push the image again with a current builder.`,
      "UNSUPPORTED_MANIFEST"
    );
  }
  throw new ImageError(
    `${what} has the unsupported media type "${mediaType ?? "none"}"; container-gate reads OCI and Docker v2 manifests and indexes.`,
    "UNSUPPORTED_MANIFEST"
  );
}
function commandLine(f, value, path) {
  return typeof value === "string" ? [value] : f.strings(value, path);
}
function readHealthcheck(f, value) {
  if (value === void 0 || value === null) return void 0;
  const doc = f.object(value, "config.Healthcheck");
  const fields = {
    Test: f.strings(doc.Test, "config.Healthcheck.Test"),
    Interval: f.optionalInteger(doc.Interval, "config.Healthcheck.Interval"),
    Timeout: f.optionalInteger(doc.Timeout, "config.Healthcheck.Timeout"),
    Retries: f.optionalInteger(doc.Retries, "config.Healthcheck.Retries")
  };
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== void 0));
}
function readContainerConfig(f, value) {
  if (value === void 0 || value === null) return void 0;
  const doc = f.object(value, "config");
  const fields = {
    User: f.optionalString(doc.User, "config.User"),
    ExposedPorts: f.keySet(doc.ExposedPorts, "config.ExposedPorts"),
    Env: f.strings(doc.Env, "config.Env"),
    Entrypoint: commandLine(f, doc.Entrypoint, "config.Entrypoint"),
    Cmd: commandLine(f, doc.Cmd, "config.Cmd"),
    Volumes: f.keySet(doc.Volumes, "config.Volumes"),
    WorkingDir: f.optionalString(doc.WorkingDir, "config.WorkingDir"),
    Labels: f.stringMap(doc.Labels, "config.Labels"),
    StopSignal: f.optionalString(doc.StopSignal, "config.StopSignal"),
    Healthcheck: readHealthcheck(f, doc.Healthcheck)
  };
  return Object.fromEntries(
    Object.entries(fields).filter(([, v]) => v !== void 0)
  );
}
function readHistoryEntry(f, value, path) {
  const doc = f.objectOrEmpty(value, path);
  const fields = {
    created: f.optionalString(doc.created, `${path}.created`),
    created_by: f.optionalString(doc.created_by, `${path}.created_by`),
    author: f.optionalString(doc.author, `${path}.author`),
    comment: f.optionalString(doc.comment, `${path}.comment`),
    empty_layer: f.optionalBoolean(doc.empty_layer, `${path}.empty_layer`)
  };
  return Object.fromEntries(
    Object.entries(fields).filter(([, v]) => v !== void 0)
  );
}
function parseConfig(bytes, what) {
  const doc = parseJson(bytes, what);
  const f = new DocumentFields(what, "the image config", "BAD_CONFIG");
  const rootfs = f.object(doc.rootfs, "rootfs");
  const diffIds = f.list(rootfs.diff_ids, "rootfs.diff_ids", "an array of digests", MAX_LAYERS).map((item, i) => f.digest(item, `rootfs.diff_ids[${i}]`));
  const history = doc.history === void 0 || doc.history === null ? void 0 : f.list(doc.history, "history", "an array of objects", MAX_HISTORY_ENTRIES).map((item, i) => readHistoryEntry(f, item, `history[${i}]`));
  const variant = f.optionalString(doc.variant, "variant");
  const created = f.optionalString(doc.created, "created");
  const config = readContainerConfig(f, doc.config);
  return {
    architecture: f.string(doc.architecture, "architecture"),
    os: f.string(doc.os, "os"),
    ...variant === void 0 || variant === "" ? {} : { variant },
    ...created === void 0 ? {} : { created },
    ...config === void 0 ? {} : { config },
    rootfs: { type: f.optionalString(rootfs.type, "rootfs.type") ?? "", diff_ids: diffIds },
    ...history === void 0 ? {} : { history }
  };
}
function parsePlatform(value) {
  const parts = value.trim().split("/");
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => !/^[a-z0-9_.-]+$/i.test(p))) {
    throw new ConfigurationError(
      `platform "${value}" is not of the form os/arch[/variant], e.g. linux/amd64 or linux/arm64/v8.`
    );
  }
  const [os, architecture, variant] = parts;
  return variant === void 0 ? { os, architecture } : { os, architecture, variant };
}
function formatPlatform(platform) {
  return [platform.os, platform.architecture, platform.variant].filter(Boolean).join("/");
}
function normalisedVariant(platform) {
  if (platform.variant) return platform.variant;
  if (platform.architecture === "arm64") return "v8";
  if (platform.architecture === "arm") return "v7";
  return void 0;
}
function selectPlatform(index, wanted, what) {
  const candidates = index.manifests.filter(
    (m) => m.platform !== void 0 && m.platform.os !== "unknown" && m.platform.architecture !== "unknown"
  );
  const want = normalisedVariant(wanted);
  const matching = candidates.filter((m) => {
    const p = m.platform;
    if (p.os !== wanted.os || p.architecture !== wanted.architecture) return false;
    return want === void 0 || normalisedVariant(p) === want;
  });
  const match = want === void 0 ? matching.find((m) => normalisedVariant(m.platform) === void 0) ?? matching[0] : matching[0];
  if (match) return match;
  const available = [...new Set(candidates.map((m) => formatPlatform(m.platform)))];
  const listed = available.length <= MAX_PLATFORMS_LISTED ? available.join(", ") : `${available.slice(0, MAX_PLATFORMS_LISTED).join(", ")} and ${available.length - MAX_PLATFORMS_LISTED} more (${available.length} in all)`;
  throw new ConfigurationError(
    `${what} has no image for platform ${formatPlatform(wanted)}; it offers ${available.length > 0 ? listed : "no platform-specific images"}. Choose one with --platform (input "platform").`,
    "NO_MATCHING_PLATFORM"
  );
}
var MAX_PLATFORMS_LISTED = 8;
function platformOf(config) {
  return config.variant ? { os: config.os, architecture: config.architecture, variant: config.variant } : { os: config.os, architecture: config.architecture };
}
function checkConfigPlatform(config, configDigest, wanted, what) {
  const offered = {
    mediaType: "",
    digest: configDigest,
    size: 0,
    platform: platformOf(config)
  };
  selectPlatform({ schemaVersion: 2, manifests: [offered] }, wanted, what);
}

// src/image/registry/errors.ts
var UNREACHABLE_CODES = /* @__PURE__ */ new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ETIMEDOUT",
  "STALL"
]);
function registryRequestError(host, error) {
  if (!(error instanceof HttpError)) return error;
  if (UNREACHABLE_CODES.has(error.code)) {
    return new ImageError(
      `registry ${host} is unreachable: ${error.message}; check the image reference and the network.`,
      "REGISTRY_UNREACHABLE",
      { cause: error }
    );
  }
  return new ImageError(`registry ${host} could not be read: ${error.message}.`, "REGISTRY_ERROR", {
    cause: error
  });
}
function credentialsRejected(host, repository, credentials) {
  if (credentials === void 0) {
    return new ImageError(
      `registry ${host} requires authentication to pull ${repository} (401); set registry-username/registry-password or run docker login.`,
      "REGISTRY_UNAUTHORIZED"
    );
  }
  return new ImageError(
    `registry ${host} rejected the credentials for ${repository} (401); check registry-username/registry-password or docker login (they came from ${credentials.source}).`,
    "REGISTRY_UNAUTHORIZED"
  );
}
function unexpectedStatus(host, what, status) {
  return new ImageError(
    `registry ${host} answered ${status} for ${what}; try again later or check the registry.`,
    "REGISTRY_ERROR"
  );
}

// src/image/registry/auth.ts
var TOKEN = /[!#$%&'*+.^_`|~0-9A-Za-z-]+/y;
var TOKEN68 = /[A-Za-z0-9._~+/-]+=*/y;
var SPACE = /[ \t]*/y;
function matchAt(pattern, text2, at) {
  pattern.lastIndex = at;
  return pattern.exec(text2)?.[0];
}
function parseWwwAuthenticate(value) {
  const challenges = [];
  let at = 0;
  while (at < value.length) {
    const char = value[at];
    if (char === "," || char === " " || char === "	") {
      at++;
      continue;
    }
    const name = matchAt(TOKEN, value, at);
    if (name === void 0) break;
    at += name.length;
    at += matchAt(SPACE, value, at)?.length ?? 0;
    const current = challenges.at(-1);
    if (value[at] !== "=" || current === void 0) {
      challenges.push({ scheme: name.toLowerCase(), params: {} });
      continue;
    }
    at++;
    at += matchAt(SPACE, value, at)?.length ?? 0;
    let param = "";
    if (value[at] === '"') {
      at++;
      while (at < value.length && value[at] !== '"') {
        if (value[at] === "\\" && at + 1 < value.length) at++;
        param += value[at];
        at++;
      }
      at++;
    } else {
      param = matchAt(TOKEN68, value, at) ?? "";
      at += param.length;
    }
    current.params[name.toLowerCase()] = param;
  }
  return challenges;
}
var DEFAULT_TOKEN_SECONDS = 60;
var EXPIRY_MARGIN_MS = 5e3;
var TOKEN_MAX_BYTES = 1 << 20;
var RegistryAuthenticator = class {
  constructor(options) {
    this.options = options;
  }
  options;
  tokens = /* @__PURE__ */ new Map();
  basic;
  credentials;
  /** Token hosts already named in the log as receiving this registry's credentials. */
  announced = /* @__PURE__ */ new Set();
  /** `pull` scope for the repository (token.md, "Requesting a Token"). */
  get pullScope() {
    return `repository:${this.options.repository}:pull`;
  }
  /** The Authorization header to send, if a previous challenge told us one. */
  authorization(scope) {
    const token = this.tokens.get(scope);
    if (token !== void 0 && token.expiresAt > Date.now()) return `Bearer ${token.value}`;
    return this.basic;
  }
  /** Answers a 401: fetches a token for `scope` or prepares Basic credentials. */
  async respond(challengeHeader, scope) {
    const challenges = parseWwwAuthenticate(challengeHeader ?? "");
    const credentials = await this.resolveCredentials();
    const bearer = challenges.find((c) => c.scheme === "bearer");
    if (bearer !== void 0 && bearer.params.realm !== void 0) {
      this.tokens.set(scope, await this.fetchToken(bearer.params, scope, credentials));
      return;
    }
    if (challenges.some((c) => c.scheme === "basic") && credentials?.kind === "basic") {
      const pair = `${credentials.username}:${credentials.password}`;
      this.basic = `Basic ${Buffer.from(pair).toString("base64")}`;
      return;
    }
    throw credentialsRejected(this.options.host, this.options.repository, credentials);
  }
  /** The error for a 401 that followed our answer to the challenge. */
  async rejected() {
    return credentialsRejected(
      this.options.host,
      this.options.repository,
      await this.resolveCredentials()
    );
  }
  resolveCredentials() {
    this.credentials ??= this.options.credentials();
    return this.credentials;
  }
  /**
   * Docker's token flow lets a registry name any token service; the credentials go there. Said
   * once, so that a user can see where their registry password went.
   */
  announce(realm) {
    const { host, apiHost, logger } = this.options;
    const registryHosts = new Set([host, apiHost ?? host].map((name) => name.toLowerCase()));
    const tokenHost = realm.host.toLowerCase();
    if (registryHosts.has(tokenHost) || this.announced.has(tokenHost)) return;
    this.announced.add(tokenHost);
    logger.info(
      `registry ${host}: sending its credentials to the token service ${realm.host} it names in its challenge.`
    );
  }
  async fetchToken(params, scope, credentials) {
    const { host, repository, logger, allowHttp } = this.options;
    let realm;
    try {
      realm = new URL(params.realm);
    } catch {
      throw new ImageError(
        `registry ${host} sent a token realm that is not a URL ("${params.realm}"); the registry is misconfigured.`,
        "REGISTRY_ERROR"
      );
    }
    if (credentials !== void 0) this.announce(realm);
    const transfer = this.options.transfer ?? {};
    const timeouts = {
      ...transfer.stallTimeoutMs !== void 0 ? { stallTimeoutMs: transfer.stallTimeoutMs } : {},
      ...transfer.retry !== void 0 ? { retry: transfer.retry } : {},
      ...transfer.signal !== void 0 ? { signal: transfer.signal } : {}
    };
    const started = Date.now();
    let response;
    try {
      if (credentials?.kind === "identity-token") {
        const form = new URLSearchParams({
          grant_type: "refresh_token",
          service: params.service ?? "",
          scope,
          client_id: "container-gate",
          refresh_token: credentials.token
        });
        response = await requestBytes(realm, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: form.toString(),
          ...timeouts,
          allowHttp,
          logger,
          maxBytes: TOKEN_MAX_BYTES
        });
      } else {
        const url = new URL(realm);
        if (params.service !== void 0) url.searchParams.set("service", params.service);
        url.searchParams.set("scope", scope);
        const headers = {};
        if (credentials?.kind === "basic") {
          const pair = `${credentials.username}:${credentials.password}`;
          headers.authorization = `Basic ${Buffer.from(pair).toString("base64")}`;
        }
        response = await requestBytes(url, {
          headers,
          ...timeouts,
          allowHttp,
          logger,
          maxBytes: TOKEN_MAX_BYTES
        });
      }
    } catch (error) {
      throw registryRequestError(`${host} (token service ${realm.host})`, error);
    }
    if (response.status === 401 || response.status === 403) {
      throw credentialsRejected(host, repository, credentials);
    }
    let body = null;
    try {
      body = JSON.parse(response.body.toString("utf8"));
    } catch {
    }
    const value = typeof body?.token === "string" ? body.token : body?.access_token;
    if (response.status !== 200 || typeof value !== "string" || value === "") {
      throw new ImageError(
        `registry ${host}'s token service ${realm.host} answered ${response.status} without a token; check the registry or try again later.`,
        "REGISTRY_ERROR"
      );
    }
    const seconds2 = typeof body?.expires_in === "number" && body.expires_in > 0 ? body.expires_in : DEFAULT_TOKEN_SECONDS;
    logger.debug(`registry ${host}: got a token for ${scope}`);
    return { value, expiresAt: started + seconds2 * 1e3 - EXPIRY_MARGIN_MS };
  }
};

// src/image/registry/docker-config.ts
import { spawn } from "node:child_process";
import { constants as fsConstants } from "node:fs";
import { access as access2, readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { delimiter, join } from "node:path";

// src/image/reference.ts
var DOCKER_HUB = "docker.io";
var DOCKER_HUB_API = "registry-1.docker.io";
var ALPHANUMERIC = "[a-z0-9]+";
var SEPARATOR = "(?:[._]|__|[-]+)";
var PATH_COMPONENT = `${ALPHANUMERIC}(?:${SEPARATOR}${ALPHANUMERIC})*`;
var DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
var DOMAIN_NAME = `${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*`;
var IPV6 = "\\[(?:[a-fA-F0-9:]+)\\]";
var DOMAIN = `(?:${DOMAIN_NAME}|${IPV6})(?::[0-9]+)?`;
var TAG = "[\\w][\\w.-]{0,127}";
var DIGEST = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";
var NAME = `(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
var REFERENCE = new RegExp(`^(${NAME})(?::(${TAG}))?(?:@(${DIGEST}))?$`);
var ANCHORED_DOMAIN = new RegExp(`^${DOMAIN}$`);
var IDENTIFIER = /^[a-f0-9]{64}$/;
var SHA256 = /^sha256:[a-f0-9]{64}$/;
var NAME_TOTAL_LENGTH_MAX = 255;
var EXPECTED_FORM = "expected [HOST[:PORT]/]NAME[:TAG][@sha256:DIGEST] with a lowercase NAME, e.g. alpine:3.20 or ghcr.io/org/app:1.0";
function invalid(reference, problem) {
  return new ConfigurationError(
    `image reference "${reference}" ${problem}; ${EXPECTED_FORM}.`,
    "INVALID_REFERENCE"
  );
}
function splitDomain(name) {
  const slash = name.indexOf("/");
  const first = slash === -1 ? "" : name.slice(0, slash);
  if (slash === -1 || !/[.:]/.test(first) && first !== "localhost" && first.toLowerCase() === first) {
    return { domain: DOCKER_HUB, path: name };
  }
  const domain = first === "index.docker.io" ? DOCKER_HUB : first;
  return { domain, path: name.slice(slash + 1) };
}
function parseReference(reference) {
  if (reference === "") throw invalid(reference, "is empty");
  if (IDENTIFIER.test(reference)) {
    throw invalid(reference, "is a bare image ID, not a repository name");
  }
  const split = splitDomain(reference);
  const name = split.path.split(/[:@]/, 1)[0] ?? "";
  if (name.toLowerCase() !== name) {
    throw invalid(reference, "has uppercase letters in its repository name");
  }
  if (!ANCHORED_DOMAIN.test(split.domain)) throw invalid(reference, "has an invalid registry host");
  const match = REFERENCE.exec(`${split.domain}/${split.path}`);
  if (match === null) throw invalid(reference, "is malformed");
  const [, fullName, tag, digest] = match;
  if (fullName.length > NAME_TOTAL_LENGTH_MAX) {
    throw invalid(reference, `has a name longer than ${NAME_TOTAL_LENGTH_MAX} characters`);
  }
  let path = fullName.slice(split.domain.length + 1);
  if (split.domain === DOCKER_HUB && !path.includes("/")) path = `library/${path}`;
  if (digest !== void 0 && !SHA256.test(digest)) {
    const algorithm = digest.split(":")[0];
    throw invalid(reference, `pins a ${algorithm} digest, but only sha256 digests are supported`);
  }
  return {
    original: reference,
    domain: split.domain,
    apiHost: split.domain === DOCKER_HUB ? DOCKER_HUB_API : split.domain,
    path,
    ...tag !== void 0 ? { tag } : digest === void 0 ? { tag: "latest" } : {},
    ...digest !== void 0 ? { digest } : {}
  };
}
function manifestReference(reference) {
  return reference.digest ?? reference.tag ?? "latest";
}
function formatReference(reference) {
  const tag = reference.tag !== void 0 ? `:${reference.tag}` : "";
  const digest = reference.digest !== void 0 ? `@${reference.digest}` : "";
  return `${reference.domain}/${reference.path}${tag}${digest}`;
}

// src/image/registry/docker-config.ts
var DOCKER_HUB_SERVER = "https://index.docker.io/v1/";
var DOCKER_HUB_ALIASES = /* @__PURE__ */ new Set([
  DOCKER_HUB,
  "index.docker.io",
  "registry-1.docker.io"
]);
var IDENTITY_TOKEN_USERNAME = "<token>";
var HELPER_TIMEOUT_MS = 3e4;
function dockerConfigPath(env) {
  const dir = env.DOCKER_CONFIG ?? join(env.HOME ?? homedir(), ".docker");
  return join(dir, "config.json");
}
function hostnameOf(key) {
  const stripped = key.replace(/^https?:\/\//, "");
  return stripped.split("/")[0] ?? stripped;
}
function sameRegistry(key, host) {
  const name = hostnameOf(key);
  if (name === host) return true;
  return DOCKER_HUB_ALIASES.has(host) && DOCKER_HUB_ALIASES.has(name);
}
async function readDockerConfig(file, logger) {
  let text2;
  try {
    text2 = await readFile(file, "utf8");
  } catch {
    return void 0;
  }
  try {
    const value = JSON.parse(text2);
    if (typeof value === "object" && value !== null && !Array.isArray(value)) {
      return value;
    }
  } catch {
  }
  logger.warning(
    `Docker config ${file} is not a JSON object; ignoring it for registry credentials.`
  );
  return void 0;
}
async function findOnPath(program, env) {
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (dir === "") continue;
    const candidate = join(dir, program);
    try {
      await access2(candidate, fsConstants.X_OK);
      return candidate;
    } catch {
    }
  }
  return void 0;
}
async function fromHelper(helper, serverUrl, lookup) {
  const program = `docker-credential-${helper}`;
  const path = await findOnPath(program, lookup.env);
  if (path === void 0) {
    lookup.logger.warning(
      `The Docker config names the credential helper "${helper}", but ${program} is not on PATH; continuing without its credentials.`
    );
    return void 0;
  }
  const output = await new Promise((resolve2, reject) => {
    const child = spawn(path, ["get"], {
      env: lookup.env,
      stdio: ["pipe", "pipe", "ignore"],
      timeout: HELPER_TIMEOUT_MS
    });
    let stdout = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk) => stdout += chunk);
    child.once("error", reject);
    child.once("close", (code) => resolve2({ code, stdout }));
    child.stdin.end(serverUrl);
  }).catch((error) => {
    lookup.logger.warning(
      `${program} could not be run (${error instanceof Error ? error.message : String(error)}); continuing without its credentials.`
    );
    return void 0;
  });
  if (output === void 0) return void 0;
  if (output.code !== 0) {
    lookup.logger.debug(`${program} has no credentials for ${serverUrl}`);
    return void 0;
  }
  let answer;
  try {
    answer = JSON.parse(output.stdout);
  } catch {
    lookup.logger.warning(`${program} answered with something that is not JSON; ignoring it.`);
    return void 0;
  }
  if (typeof answer.Secret !== "string" || answer.Secret === "") return void 0;
  const source = `credential helper ${program}`;
  if (answer.Username === IDENTITY_TOKEN_USERNAME) {
    return { kind: "identity-token", token: answer.Secret, source };
  }
  if (typeof answer.Username !== "string") return void 0;
  return { kind: "basic", username: answer.Username, password: answer.Secret, source };
}
function fromAuths(config, host, file) {
  const entries = Object.entries(config.auths ?? {});
  const entry = entries.find(([key]) => hostnameOf(key) === host) ?? entries.find(([key]) => sameRegistry(key, host));
  if (entry === void 0) return void 0;
  const auth = entry[1];
  const source = `Docker config ${file}`;
  if (typeof auth.identitytoken === "string" && auth.identitytoken !== "") {
    return { kind: "identity-token", token: auth.identitytoken, source };
  }
  if (typeof auth.auth === "string" && auth.auth !== "") {
    const decoded = Buffer.from(auth.auth, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon > 0) {
      return {
        kind: "basic",
        username: decoded.slice(0, colon),
        password: decoded.slice(colon + 1),
        source
      };
    }
  }
  if (typeof auth.username === "string" && typeof auth.password === "string") {
    return { kind: "basic", username: auth.username, password: auth.password, source };
  }
  return void 0;
}
async function resolveCredentials(host, lookup) {
  const explicit = lookup.credentials;
  if (explicit !== void 0 && (explicit.host === void 0 || sameRegistry(explicit.host, host))) {
    return {
      kind: "basic",
      username: explicit.username,
      password: explicit.password,
      source: "inputs registry-username/registry-password"
    };
  }
  const file = dockerConfigPath(lookup.env);
  const config = await readDockerConfig(file, lookup.logger);
  if (config !== void 0) {
    const serverUrl = DOCKER_HUB_ALIASES.has(host) ? DOCKER_HUB_SERVER : host;
    const helperEntry = Object.entries(config.credHelpers ?? {}).find(
      ([key]) => sameRegistry(key, host)
    );
    const helper = helperEntry?.[1] ?? config.credsStore;
    if (helper !== void 0 && helper !== "") {
      const found2 = await fromHelper(helper, serverUrl, lookup);
      if (found2 !== void 0) return found2;
    }
    const found = fromAuths(config, host, file);
    if (found !== void 0) return found;
  }
  const githubToken = lookup.env.GITHUB_TOKEN;
  if (host === "ghcr.io" && githubToken !== void 0 && githubToken !== "") {
    return { kind: "basic", username: "token", password: githubToken, source: "GITHUB_TOKEN" };
  }
  return void 0;
}

// src/image/registry/client.ts
var DEFAULT_BLOB_POLICY = {
  minBytesPerSecond: 100 * 1024,
  minDeadlineMs: 6e4,
  attempts: 3
};
var MANIFEST_MAX_BYTES = 4 << 20;
var CONFIG_MAX_BYTES = 32 << 20;
function isLoopback(hostname) {
  const bare = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (bare === "localhost" || bare === "::1") return true;
  return isIP(bare) === 4 && bare.startsWith("127.");
}
function plainHttpAllowed(url, insecureRegistries) {
  if (isLoopback(url.hostname)) return true;
  const listed = new Set(insecureRegistries.map((entry) => entry.trim().toLowerCase()));
  return listed.has(url.host.toLowerCase()) || listed.has(url.hostname.toLowerCase());
}
var RegistryClient = class {
  constructor(reference, options) {
    this.reference = reference;
    this.options = options;
    const insecure = options.insecureRegistries;
    this.allowHttp = (url) => plainHttpAllowed(url, insecure);
    const plain = this.allowHttp(new URL(`http://${reference.apiHost}/`));
    this.baseUrl = new URL(`${plain ? "http" : "https"}://${reference.apiHost}/v2/`);
    this.auth = new RegistryAuthenticator({
      host: reference.domain,
      apiHost: reference.apiHost,
      transfer: {
        ...options.transfer,
        ...options.signal !== void 0 ? { signal: options.signal } : {}
      },
      repository: reference.path,
      credentials: () => resolveCredentials(reference.domain, options),
      allowHttp: this.allowHttp,
      logger: options.logger
    });
  }
  reference;
  options;
  baseUrl;
  auth;
  allowHttp;
  /** GET /v2/NAME/manifests/REFERENCE; 404 is "image not found". */
  async getManifest(tagOrDigest) {
    const response = await this.get(`manifests/${tagOrDigest}`, { accept: MANIFEST_ACCEPT });
    if (response.status === 404) {
      response.body.resume();
      throw new ImageError(
        `image ${this.reference.original} not found in ${this.reference.domain}; check the repository name and tag.`,
        "IMAGE_NOT_FOUND"
      );
    }
    const bytes = await this.readOk(response, `manifest ${tagOrDigest}`, MANIFEST_MAX_BYTES);
    const mediaType = header(response.headers, "content-type");
    const digest = header(response.headers, "docker-content-digest");
    return {
      bytes,
      ...mediaType !== void 0 ? { mediaType } : {},
      ...digest !== void 0 ? { digest } : {}
    };
  }
  /** A small blob (the image config), read into memory. Verifying it is the caller's job. */
  async getBlob(digest) {
    const response = await this.openBlobResponse(digest);
    return this.readOk(response, `blob ${digest}`, CONFIG_MAX_BYTES);
  }
  /**
   * GET /v2/NAME/blobs/DIGEST as a stream of at most `descriptor.size` bytes; redirects to blob
   * storage are followed without our credentials, and a download that breaks off is resumed.
   */
  async openBlob(descriptor) {
    const first = await this.openBlobResponse(descriptor.digest);
    if (first.status !== 200) {
      first.body.resume();
      throw unexpectedStatus(this.reference.domain, `blob ${descriptor.digest}`, first.status);
    }
    return new BlobStream(first, descriptor, {
      host: this.reference.domain,
      image: this.reference.original,
      policy: { ...DEFAULT_BLOB_POLICY, ...this.options.transfer?.blob },
      stallTimeoutMs: this.options.transfer?.stallTimeoutMs ?? DEFAULT_STALL_MS,
      retry: this.options.transfer?.retry ?? {},
      logger: this.options.logger,
      ...this.options.signal !== void 0 ? { signal: this.options.signal } : {},
      // distribution-spec "Pulling blobs": registries should support `Range` on blob GETs.
      resume: (from) => this.openBlobResponse(descriptor.digest, { range: `bytes=${from}-` })
    });
  }
  async openBlobResponse(digest, headers = {}) {
    const response = await this.get(`blobs/${digest}`, headers);
    if (response.status === 404) {
      response.body.resume();
      throw new ImageError(
        `blob ${digest} of ${this.reference.original} is missing from ${this.reference.domain}; the image in the registry is incomplete.`,
        "BLOB_NOT_FOUND"
      );
    }
    return response;
  }
  async readOk(response, what, maxBytes) {
    if (response.status !== 200) {
      response.body.resume();
      throw unexpectedStatus(this.reference.domain, what, response.status);
    }
    try {
      return await readBody(response, maxBytes);
    } catch (error) {
      throw registryRequestError(this.reference.domain, error);
    }
  }
  /** A GET that answers the registry's 401 challenge once, then treats another 401 as rejection. */
  get(path, headers) {
    return this.send(path, { headers }, this.auth.pullScope);
  }
  /** A request under `scope` that answers one 401 challenge; `path` may be an absolute upload URL. */
  async send(path, options, scope) {
    const url = path instanceof URL ? path : new URL(`${this.reference.path}/${path}`, this.baseUrl);
    const headers = options.headers ?? {};
    for (let answered = false; ; answered = true) {
      const authorization = this.auth.authorization(scope);
      let response;
      try {
        response = await request(url, {
          ...options,
          headers: authorization !== void 0 ? { ...headers, authorization } : headers,
          allowHttp: this.allowHttp,
          logger: this.options.logger,
          ...this.options.signal !== void 0 ? { signal: this.options.signal } : {},
          ...this.options.transfer?.stallTimeoutMs !== void 0 ? { stallTimeoutMs: this.options.transfer.stallTimeoutMs } : {},
          ...this.options.transfer?.retry !== void 0 ? { retry: this.options.transfer.retry } : {}
        });
      } catch (error) {
        throw registryRequestError(this.reference.domain, error);
      }
      if (response.status !== 401) return response;
      response.body.resume();
      if (answered) throw await this.auth.rejected();
      await this.auth.respond(header(response.headers, "www-authenticate"), scope);
    }
  }
  // Writes (distribution-spec "Push") and discovery ("Content discovery"), for signatures and
  // attestations. They ask for `pull,push` (token.md, "Requesting a Token").
  get pushScope() {
    return `${this.auth.pullScope},push`;
  }
  /** A manifest by tag or digest, or undefined when the registry has none (404). */
  async findManifest(tagOrDigest, accept = MANIFEST_ACCEPT) {
    const response = await this.get(`manifests/${tagOrDigest}`, { accept });
    if (response.status === 404) {
      response.body.resume();
      return void 0;
    }
    const bytes = await this.readOk(response, `manifest ${tagOrDigest}`, MANIFEST_MAX_BYTES);
    const mediaType = header(response.headers, "content-type");
    return { bytes, ...mediaType !== void 0 ? { mediaType } : {} };
  }
  /** HEAD /v2/NAME/blobs/DIGEST under the push scope, so an upload that follows needs no new token. */
  async hasBlob(digest) {
    const response = await this.send(`blobs/${digest}`, { method: "HEAD" }, this.pushScope);
    response.body.resume();
    return response.status === 200;
  }
  /** Uploads a small blob unless the registry has it: POST for an upload URL, then one PUT with the bytes. */
  async pushBlob(bytes) {
    const digest = sha256(bytes);
    if (await this.hasBlob(digest)) return digest;
    const started = await this.send("blobs/uploads/", { method: "POST" }, this.pushScope);
    started.body.resume();
    const location = header(started.headers, "location");
    if (started.status !== 202 || location === void 0) {
      throw unexpectedStatus(this.reference.domain, `upload of blob ${digest}`, started.status);
    }
    const upload = new URL(location, started.url);
    upload.searchParams.set("digest", digest);
    const finished = await this.send(
      upload,
      {
        method: "PUT",
        headers: { "content-type": "application/octet-stream" },
        body: bytes
      },
      this.pushScope
    );
    finished.body.resume();
    if (finished.status !== 201) {
      throw unexpectedStatus(this.reference.domain, `upload of blob ${digest}`, finished.status);
    }
    return digest;
  }
  /** PUT /v2/NAME/manifests/REFERENCE with the manifest's own media type. */
  async pushManifest(tagOrDigest, bytes, mediaType) {
    const response = await this.send(
      `manifests/${tagOrDigest}`,
      { method: "PUT", headers: { "content-type": mediaType }, body: bytes },
      this.pushScope
    );
    response.body.resume();
    if (response.status !== 201) {
      throw unexpectedStatus(
        this.reference.domain,
        `push of manifest ${tagOrDigest}`,
        response.status
      );
    }
    return {
      digest: sha256(bytes),
      subjectProcessed: header(response.headers, "oci-subject") !== void 0
    };
  }
  /**
   * Manifests whose `subject` is `digest` (distribution-spec 1.1 "Listing Referrers"); registries
   * without the API are read through the referrers tag schema (`sha256-<hex>` holding an index).
   */
  async listReferrers(digest) {
    const response = await this.get(`referrers/${digest}`, { accept: MEDIA_TYPES.ociIndex });
    if (response.status === 200) {
      const bytes = await this.readOk(response, `referrers of ${digest}`, MANIFEST_MAX_BYTES);
      return indexManifests(bytes);
    }
    response.body.resume();
    const fallback = await this.findManifest(referrersTag(digest), MEDIA_TYPES.ociIndex);
    return fallback === void 0 ? [] : indexManifests(fallback.bytes);
  }
  /** Adds `descriptor` to the referrers tag schema's index of `subject` (for registries without the API). */
  async addToReferrersTag(subject, descriptor) {
    const tag = referrersTag(subject);
    const current = await this.findManifest(tag, MEDIA_TYPES.ociIndex);
    const manifests = (current === void 0 ? [] : indexManifests(current.bytes)).filter(
      (existing) => existing.digest !== descriptor.digest
    );
    const index = {
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.ociIndex,
      manifests: [...manifests, descriptor]
    };
    await this.pushManifest(tag, Buffer.from(JSON.stringify(index)), MEDIA_TYPES.ociIndex);
  }
  /** GET /v2/NAME/tags/list, following `Link` pagination (distribution-spec "Listing Tags"). */
  async listTags() {
    const tags = [];
    let next = "tags/list";
    while (next !== void 0) {
      const response = await (next instanceof URL ? this.send(next, {}, this.auth.pullScope) : this.get(next, {}));
      if (response.status === 404) {
        response.body.resume();
        return tags;
      }
      const bytes = await this.readOk(response, "tag list", MANIFEST_MAX_BYTES);
      const body = tagList(bytes, `tag list of ${this.reference.original}`);
      if (Array.isArray(body.tags)) {
        tags.push(...body.tags.filter((tag) => typeof tag === "string"));
      }
      const link = /<([^>]+)>\s*;\s*rel="?next"?/.exec(header(response.headers, "link") ?? "");
      next = link?.[1] === void 0 ? void 0 : new URL(link[1], response.url);
    }
    return tags;
  }
};
function referrersTag(digest) {
  return digest.replace(":", "-");
}
function tagList(bytes, what) {
  let body;
  try {
    body = JSON.parse(bytes.toString("utf8"));
  } catch {
    body = void 0;
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new ImageError(
      `${what} is not a JSON object; the registry's answer is malformed.`,
      "BAD_TAG_LIST"
    );
  }
  return body;
}
function indexManifests(bytes) {
  try {
    const parsed = parseManifest(bytes, "referrers index", MEDIA_TYPES.ociIndex);
    return parsed.kind === "index" ? parsed.index.manifests : [];
  } catch (error) {
    if (error instanceof ImageError) return [];
    throw error;
  }
}
function rangeStart(value) {
  const match = /^bytes\s+(\d+)-\d+\/(?:\d+|\*)$/.exec(value?.trim() ?? "");
  return match === null ? void 0 : Number(match[1]);
}
var BlobStream = class extends Readable {
  constructor(first, blob, context) {
    super();
    this.blob = blob;
    this.context = context;
    this.current = first;
  }
  blob;
  context;
  /** Why the download ended early: the cause to report over what it did to the reader. */
  failure;
  current;
  demand;
  started = false;
  _read() {
    const demand = this.demand;
    this.demand = void 0;
    demand?.();
    if (this.started) return;
    this.started = true;
    this.pump().catch((error) => {
      if (error instanceof ImageError) this.failure = error;
      this.destroy(error instanceof Error ? error : new Error(String(error)));
    });
  }
  _destroy(error, callback) {
    this.current.body.destroy();
    const demand = this.demand;
    this.demand = void 0;
    demand?.();
    callback(error);
  }
  describe() {
    return `blob ${this.blob.digest} of ${this.context.image} from registry ${this.context.host}`;
  }
  async pump() {
    const { policy } = this.context;
    const size = this.blob.size;
    const deadlineMs = Math.max(policy.minDeadlineMs, size / policy.minBytesPerSecond * 1e3);
    const slow = new HttpError("too slow", "TOO_SLOW", "");
    let received = 0;
    let networkMs = 0;
    for (let attempt = 1; ; attempt++) {
      const response = this.current;
      let skip = this.acceptable(response, received);
      const chunks = response.body[Symbol.asyncIterator]();
      try {
        for (; ; ) {
          const waiting = Date.now();
          const timer = setTimeout(
            () => response.body.destroy(slow),
            Math.max(0, deadlineMs - networkMs)
          );
          let next;
          try {
            next = await chunks.next();
          } finally {
            clearTimeout(timer);
            networkMs += Date.now() - waiting;
          }
          if (this.destroyed) return;
          if (next.done) break;
          let chunk = next.value;
          if (skip > 0) {
            const skipped = Math.min(skip, chunk.length);
            skip -= skipped;
            chunk = chunk.subarray(skipped);
            if (chunk.length === 0) continue;
          }
          if (received + chunk.length > size) throw this.tooLarge();
          received += chunk.length;
          if (!this.push(chunk)) await new Promise((resolve2) => this.demand = resolve2);
          if (this.destroyed) return;
        }
        if (received === size) {
          this.push(null);
          return;
        }
        throw new HttpError("the connection was closed early", "ECONNRESET", "");
      } catch (error) {
        if (this.destroyed) return;
        if (error === slow) throw this.tooSlow(received, networkMs, attempt);
        if (!(error instanceof HttpError)) throw error;
        if (!isRetryable(error) || attempt >= policy.attempts) {
          throw this.lost(error, received, attempt);
        }
        this.context.logger.info(
          `${this.describe()}: ${this.reason(error)} after ${received} of ${size} bytes; resuming.`
        );
        await pause(backoff(attempt, this.context.retry), this.context.signal);
        if (this.destroyed) return;
        const opening = Date.now();
        this.current = await this.context.resume(received);
        networkMs += Date.now() - opening;
        if (this.destroyed) {
          this.current.body.destroy();
          return;
        }
        if (networkMs >= deadlineMs) throw this.tooSlow(received, networkMs, attempt + 1);
      }
    }
  }
  /** Checks a response's status and length; the bytes of it to skip (already passed on). */
  acceptable(response, received) {
    let skip = received;
    if (response.status === 206 && received > 0) {
      if (rangeStart(header(response.headers, "content-range")) !== received) {
        response.body.destroy();
        throw new ImageError(
          `${this.describe()} could not be resumed: the registry answered the request for the bytes from ${received} on with another range; try again later or check the registry.`,
          "REGISTRY_ERROR"
        );
      }
      skip = 0;
    } else if (response.status !== 200) {
      response.body.destroy();
      throw new ImageError(
        `${this.describe()} could not be read: the registry answered ${response.status}${received > 0 ? ` when asked for the bytes from ${received} on` : ""}; try again later or check the registry.`,
        "REGISTRY_ERROR"
      );
    }
    const declared = Number(header(response.headers, "content-length"));
    if (Number.isFinite(declared) && declared - skip + received > this.blob.size) {
      response.body.destroy();
      throw this.tooLarge();
    }
    return skip;
  }
  reason(error) {
    return error.code === "STALL" ? `no data arrived for ${this.context.stallTimeoutMs / 1e3} s` : "the connection was lost";
  }
  tooLarge() {
    this.current.body.destroy();
    return new ImageError(
      `${this.describe()} is longer than the ${this.blob.size} bytes its manifest declares, so the download was stopped; the registry is serving other bytes under this digest.`,
      "BLOB_TOO_LARGE"
    );
  }
  tooSlow(received, networkMs, attempts) {
    this.current.body.destroy();
    const over = attempts === 1 ? "" : ` over ${attempts} downloads`;
    return new ImageError(
      `${this.describe()} arrived too slowly: ${received} of ${this.blob.size} bytes in ${Math.round(networkMs / 1e3)} s${over}, below the ${formatBytes(this.context.policy.minBytesPerSecond)}/s the gate waits for; check the network or the registry.`,
      "BLOB_TOO_SLOW"
    );
  }
  lost(error, received, attempts) {
    this.current.body.destroy();
    const times = attempts === 1 ? "" : ` (${attempts} downloads)`;
    return new ImageError(
      `${this.describe()} could not be downloaded: ${this.reason(error)} after ${received} of ${this.blob.size} bytes${times}; try again later or check the registry.`,
      "REGISTRY_UNREACHABLE",
      { cause: error }
    );
  }
};

// src/image/sources.ts
import { existsSync, statSync } from "node:fs";
import { join as join3 } from "node:path";

// src/image/archive.ts
import { spawn as spawn2 } from "node:child_process";
import { open } from "node:fs/promises";
import { posix } from "node:path";
import { Readable as Readable3 } from "node:stream";

// src/image/layer/tar.ts
import { Readable as Readable2 } from "node:stream";
var BLOCK = 512;
var MAX_NAME_BYTES = 64 * 1024;
var PATH_MAX = 4096;
var MAX_PATH_CHARS = 16383;
var MAX_PAX_VALUE_BYTES = 64 * 1024;
var MAX_PAX_HEADER_BYTES = 1024 * 1024;
var MAX_GLOBAL_PAX_RECORDS = 256;
var MAX_GLOBAL_PAX_BYTES = 64 * 1024;
var MAX_ARCHIVE_METADATA_BYTES = 256 * 1024 * 1024;
var EMPTY = Buffer.alloc(0);
function normalizePath(path) {
  const parts = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") parts.pop();
    else parts.push(part);
  }
  return "/" + parts.join("/");
}
var ByteReader = class {
  constructor(chunks) {
    this.chunks = chunks;
  }
  chunks;
  chunk = EMPTY;
  offset = 0;
  ended = false;
  /** Bytes consumed so far, for error messages. */
  position = 0;
  async fill() {
    while (this.offset >= this.chunk.length) {
      if (this.ended) return false;
      const next = await this.chunks.next();
      if (next.done === true) {
        this.ended = true;
        return false;
      }
      const value = next.value;
      this.chunk = Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
      this.offset = 0;
    }
    return true;
  }
  /** Up to `max` bytes (a slice of the current chunk), or null at the end of the stream. */
  async read(max) {
    if (!await this.fill()) return null;
    const end = Math.min(this.chunk.length, this.offset + max);
    const slice = this.chunk.subarray(this.offset, end);
    this.position += slice.length;
    this.offset = end;
    return slice;
  }
  /** Exactly `length` bytes, or fewer when the stream ends first. */
  async readExact(length) {
    if (await this.fill() && this.chunk.length - this.offset >= length) {
      const slice = this.chunk.subarray(this.offset, this.offset + length);
      this.offset += length;
      this.position += length;
      return slice;
    }
    const out = Buffer.allocUnsafe(length);
    let filled = 0;
    while (filled < length) {
      const part = await this.read(length - filled);
      if (part === null) return out.subarray(0, filled);
      part.copy(out, filled);
      filled += part.length;
    }
    return out;
  }
  /** Skips `length` bytes; returns how many could be skipped before the stream ended. */
  async skip(length) {
    let skipped = 0;
    while (skipped < length) {
      if (this.offset >= this.chunk.length && this.chunks.skip !== void 0 && !this.ended) {
        const step2 = await this.chunks.skip(length - skipped);
        this.position += step2;
        return skipped + step2;
      }
      if (!await this.fill()) break;
      const step = Math.min(this.chunk.length - this.offset, length - skipped);
      this.offset += step;
      this.position += step;
      skipped += step;
    }
    return skipped;
  }
  async close() {
    await this.chunks.return?.();
  }
};
var EntryContent = class extends Readable2 {
  constructor(reader, remaining, truncated) {
    super();
    this.reader = reader;
    this.remaining = remaining;
    this.truncated = truncated;
  }
  reader;
  remaining;
  truncated;
  pending;
  _read() {
    if (this.remaining === 0) {
      this.push(null);
      return;
    }
    this.pending = this.reader.read(this.remaining).then(
      (chunk) => {
        this.pending = void 0;
        if (chunk === null) {
          this.destroy(this.truncated());
          return;
        }
        this.remaining -= chunk.length;
        this.push(chunk);
        if (this.remaining === 0) this.push(null);
      },
      (error) => {
        this.pending = void 0;
        this.destroy(error instanceof Error ? error : new Error(String(error)));
      }
    );
  }
  /** Waits for a read in flight; afterwards the reader belongs to the tar iteration again. */
  async settle() {
    await this.pending;
    return this.remaining;
  }
};
var Item = class {
  constructor(entry, dataOffset, reader, dataSize, truncated) {
    this.entry = entry;
    this.dataOffset = dataOffset;
    this.reader = reader;
    this.dataSize = dataSize;
    this.truncated = truncated;
  }
  entry;
  dataOffset;
  reader;
  dataSize;
  truncated;
  stream;
  get content() {
    this.stream ??= new EntryContent(
      this.reader,
      this.entry.type === "file" ? this.dataSize : 0,
      this.truncated
    );
    return this.stream;
  }
  /** Bytes of this entry's data still in the archive once the consumer is done with it. */
  async unread() {
    if (this.stream === void 0) return this.dataSize;
    const remaining = await this.stream.settle();
    if (!this.stream.destroyed && !this.stream.readableEnded) this.stream.destroy();
    return remaining + (this.entry.type === "file" ? 0 : this.dataSize);
  }
};
function padding(size) {
  return (BLOCK - size % BLOCK) % BLOCK;
}
function text(field) {
  const end = field.indexOf(0);
  return field.toString("utf8", 0, end === -1 ? field.length : end);
}
function numeric(field) {
  if ((field[0] & 128) !== 0) {
    if (field[0] === 255) return void 0;
    let value2 = field[0] & 127;
    for (let i2 = 1; i2 < field.length; i2++) value2 = value2 * 256 + field[i2];
    return Number.isSafeInteger(value2) ? value2 : void 0;
  }
  let i = 0;
  while (i < field.length && field[i] === 32) i++;
  let value = 0;
  let digits = 0;
  for (; i < field.length; i++) {
    const byte = field[i];
    if (byte === 0 || byte === 32) break;
    if (byte < 48 || byte > 55) return void 0;
    value = value * 8 + (byte - 48);
    digits++;
  }
  return digits === 0 ? 0 : value;
}
function isZeroBlock(block) {
  for (let i = 0; i < BLOCK; i++) if (block[i] !== 0) return false;
  return true;
}
function checksumMatches(block) {
  const stored = numeric(block.subarray(148, 156));
  if (stored === void 0) return false;
  let unsigned = 8 * 32;
  let signed = 8 * 32;
  for (let i = 0; i < BLOCK; i++) {
    if (i >= 148 && i < 156) continue;
    const byte = block[i];
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte;
  }
  return stored === unsigned || stored === signed;
}
var TYPES = {
  "0": "file",
  "\0": "file",
  "7": "file",
  "1": "hardlink",
  "2": "symlink",
  "3": "char",
  "4": "block",
  "5": "dir",
  "6": "fifo",
  // GNU dumpdir: a directory whose data lists its contents.
  D: "dir"
};
function parsePax(body, fail) {
  const records = /* @__PURE__ */ new Map();
  let pos = 0;
  while (pos < body.length) {
    if (body[pos] === 0) break;
    const space = body.indexOf(32, pos);
    const length = space === -1 ? NaN : Number(body.toString("ascii", pos, space));
    if (!Number.isSafeInteger(length) || length <= 0 || pos + length > body.length) {
      throw fail("corrupt pax extended header");
    }
    const record = body.subarray(space + 1, pos + length - 1);
    const equals = record.indexOf(61);
    if (equals === -1 || body[pos + length - 1] !== 10) throw fail("corrupt pax extended header");
    const key = record.toString("utf8", 0, equals);
    if (record.length - equals - 1 > MAX_PAX_VALUE_BYTES) {
      throw fail(
        `pax record ${JSON.stringify(key.slice(0, 64))} is ${record.length - equals - 1} bytes, over the ${MAX_PAX_VALUE_BYTES}-byte limit`
      );
    }
    records.set(key, Buffer.from(record.subarray(equals + 1)));
    pos += length;
  }
  return records;
}
function paxNumber(value, fail, key) {
  if (value === void 0) return void 0;
  const number = Number(value.toString("ascii"));
  if (!Number.isFinite(number) || number < 0)
    throw fail(`bad pax ${key} "${value.toString("ascii")}"`);
  return Math.floor(number);
}
var XATTR = "SCHILY.xattr.";
var SPARSE = "GNU.sparse.";
var GlobalPax = class {
  records = /* @__PURE__ */ new Map();
  xattrs = [];
  sparse = false;
  add(records) {
    for (const [key, value] of records) this.records.set(key, value);
    this.xattrs = [...this.records].filter(([key]) => key.startsWith(XATTR));
    this.sparse = [...this.records.keys()].some((key) => key.startsWith(SPARSE));
  }
};
var PaxRecords = class {
  constructor(global, extended) {
    this.global = global;
    this.extended = extended;
  }
  global;
  extended;
  /** An empty value removes a global default (POSIX pax, "keyword=" with no value). */
  get(key) {
    const value = this.extended?.get(key) ?? this.global.records.get(key);
    return value === void 0 || value.length === 0 ? void 0 : value;
  }
  get sparse() {
    return this.global.sparse || this.extended !== void 0 && [...this.extended.keys()].some((k) => k.startsWith(SPARSE));
  }
  xattrs() {
    let xattrs;
    const set = (key, value) => {
      if (value.length === 0) return;
      xattrs ??= {};
      xattrs[key.slice(XATTR.length)] = value;
    };
    for (const [key, value] of this.global.xattrs) {
      if (this.extended?.has(key) !== true) set(key, value);
    }
    for (const [key, value] of this.extended ?? []) if (key.startsWith(XATTR)) set(key, value);
    return xattrs;
  }
};
function entryOf(block, typeflag, dataSize, pax, names, fail) {
  const record = (key) => pax.get(key);
  if (pax.sparse) throw fail("unsupported sparse file (GNU.sparse pax records)");
  const field = (offset, width, what) => {
    const value = numeric(block.subarray(offset, offset + width));
    if (value === void 0) throw fail(`corrupt tar header (bad ${what})`);
    return value;
  };
  const gnuMagic = block.toString("ascii", 257, 265) === "ustar  \0";
  const ustarMagic = block.toString("ascii", 257, 262) === "ustar";
  let rawPath = text(block.subarray(0, 100));
  if (ustarMagic && !gnuMagic && block[345] !== 0) {
    rawPath = `${text(block.subarray(345, 500))}/${rawPath}`;
  }
  rawPath = record("path")?.toString("utf8") ?? names.path ?? rawPath;
  const rawLink = record("linkpath")?.toString("utf8") ?? names.linkpath ?? text(block.subarray(157, 257));
  let type = TYPES[typeflag] ?? "file";
  if (type === "file" && (typeflag === "0" || typeflag === "\0") && rawPath.endsWith("/")) {
    type = "dir";
  }
  const entry = {
    path: normalizePath(rawPath),
    type,
    mode: field(100, 8, "mode") & 4095,
    uid: paxNumber(record("uid"), fail, "uid") ?? field(108, 8, "uid"),
    gid: paxNumber(record("gid"), fail, "gid") ?? field(116, 8, "gid"),
    size: type === "file" ? dataSize : 0,
    mtime: paxNumber(record("mtime"), fail, "mtime") ?? field(136, 12, "mtime")
  };
  if (type === "symlink") entry.linkTarget = rawLink;
  if (type === "hardlink") entry.linkTarget = normalizePath(rawLink);
  if (entry.path.length > MAX_PATH_CHARS) {
    throw fail(
      `an entry's path is ${entry.path.length} characters long (${JSON.stringify(entry.path.slice(0, 64))}\u2026), over the ${MAX_PATH_CHARS} the gate indexes (Linux's PATH_MAX is 4096)`
    );
  }
  if (type === "char" || type === "block") {
    entry.devMajor = field(329, 8, "device major");
    entry.devMinor = field(337, 8, "device minor");
  }
  const xattrs = pax.xattrs();
  if (xattrs !== void 0) entry.xattrs = xattrs;
  return entry;
}
var METADATA_LIMITS = {
  x: { what: "pax extended header", bytes: MAX_PAX_HEADER_BYTES },
  g: { what: "pax global header", bytes: MAX_GLOBAL_PAX_BYTES },
  L: { what: "GNU long name", bytes: MAX_NAME_BYTES },
  K: { what: "GNU long link name", bytes: MAX_NAME_BYTES }
};
function retainedBytes(entry) {
  let bytes = entry.path.length + (entry.linkTarget?.length ?? 0);
  for (const [key, value] of Object.entries(entry.xattrs ?? {})) bytes += key.length + value.length;
  return bytes;
}
async function* readTar(stream, name) {
  const reader = new ByteReader(stream[Symbol.asyncIterator]());
  const fail = (why, code = "CORRUPT_TAR") => new ImageError(`${name}: ${why}`, code);
  const truncated = () => fail(
    `tar stream is truncated (ended at byte ${reader.position} inside an entry)`,
    "TRUNCATED_TAR"
  );
  const global = new GlobalPax();
  let metadataBytes = 0;
  let extended;
  let longName;
  let longLink;
  let headers = 0;
  try {
    for (; ; ) {
      const at = reader.position;
      const block = await reader.readExact(BLOCK);
      if (block.length === 0) return;
      if (block.length < BLOCK) {
        const magic = block.subarray(257, 262).toString("latin1") === "ustar";
        throw headers === 0 && !magic ? fail("not a tar archive (shorter than one tar header)", "NOT_TAR") : truncated();
      }
      if (isZeroBlock(block)) {
        while (await reader.read(Number.MAX_SAFE_INTEGER) !== null) ;
        return;
      }
      if (!checksumMatches(block)) {
        throw headers === 0 ? fail("not a tar archive (the first header has a bad checksum)", "NOT_TAR") : fail(`corrupt tar header at byte ${at} (bad checksum)`);
      }
      headers++;
      const typeflag = String.fromCharCode(block[156]);
      const headerSize = numeric(block.subarray(124, 136));
      if (headerSize === void 0) throw fail(`corrupt tar header at byte ${at} (bad size)`);
      if (typeflag === "x" || typeflag === "g" || typeflag === "L" || typeflag === "K") {
        const limit = METADATA_LIMITS[typeflag];
        if (headerSize > limit.bytes) {
          throw fail(
            `${limit.what} at byte ${at} (header name ${JSON.stringify(text(block.subarray(0, 100)))}) is ${headerSize} bytes, over the ${limit.bytes}-byte limit`
          );
        }
        const body = await reader.readExact(headerSize);
        if (body.length < headerSize || await reader.skip(padding(headerSize)) < padding(headerSize)) {
          throw truncated();
        }
        const paxFail = (why) => fail(`${why} in the ${limit.what} at byte ${at}`);
        if (typeflag === "x") extended = parsePax(body, paxFail);
        else if (typeflag === "g") {
          global.add(parsePax(body, paxFail));
          if (global.records.size > MAX_GLOBAL_PAX_RECORDS) {
            throw fail(
              `global pax headers up to byte ${at} hold ${global.records.size} records, over the ${MAX_GLOBAL_PAX_RECORDS} limit`
            );
          }
        } else if (typeflag === "L") longName = text(body);
        else longLink = text(body);
        continue;
      }
      if (typeflag === "S" || typeflag === "M" || typeflag === "N") {
        throw fail(
          `unsupported GNU tar entry type "${typeflag}" (sparse, multi-volume or old long name) at byte ${at}`,
          "UNSUPPORTED_TAR"
        );
      }
      const pax = new PaxRecords(global, extended);
      const names = { path: longName, linkpath: longLink };
      extended = void 0;
      longName = void 0;
      longLink = void 0;
      const dataSize = paxNumber(pax.get("size"), fail, "size") ?? headerSize;
      if (typeflag === "V") {
        if (await reader.skip(dataSize + padding(dataSize)) < dataSize + padding(dataSize)) {
          throw truncated();
        }
        continue;
      }
      const entry = entryOf(
        block,
        typeflag,
        dataSize,
        pax,
        names,
        (why) => fail(
          `${why} at byte ${at}`,
          why.startsWith("unsupported") ? "UNSUPPORTED_TAR" : "CORRUPT_TAR"
        )
      );
      metadataBytes += retainedBytes(entry);
      if (metadataBytes > MAX_ARCHIVE_METADATA_BYTES) {
        throw fail(
          `the names, link targets and xattrs of its entries pass ${MAX_ARCHIVE_METADATA_BYTES} bytes at the entry at byte ${at}`
        );
      }
      const item = new Item(entry, reader.position, reader, dataSize, truncated);
      yield item;
      const rest = await item.unread() + padding(dataSize);
      if (await reader.skip(rest) < rest) throw truncated();
    }
  } finally {
    await reader.close();
  }
}

// src/image/oci-layout.ts
import { createReadStream } from "node:fs";
import { readFile as readFile2, stat as stat2 } from "node:fs/promises";
import { join as join2 } from "node:path";

// src/image/in-order.ts
var LAYER_CONCURRENCY = 2;
async function mapInOrder(items, limit, task) {
  const results = new Array(items.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const index = next++;
      try {
        results[index] = await task(items[index], index);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

// src/image/oci-layout.ts
var REF_NAME_ANNOTATION = "org.opencontainers.image.ref.name";
var MAX_DOCUMENT_BYTES = 16 * 1024 * 1024;
var MAX_INDEX_DEPTH = 4;
function blobPath(digest, what) {
  if (!isDigest(digest)) {
    throw new ImageError(
      `${what} refers to the unsupported digest "${digest}"; only sha256 is supported.`,
      "UNSUPPORTED_DIGEST"
    );
  }
  return `blobs/sha256/${digest.slice("sha256:".length)}`;
}
function checkLayoutVersion(bytes, what) {
  let version;
  try {
    version = bytes === void 0 ? void 0 : JSON.parse(bytes.toString("utf8")).imageLayoutVersion;
  } catch {
    version = void 0;
  }
  if (typeof version !== "string" || !version.startsWith("1.")) {
    throw new ImageError(
      `${what} is not an OCI image layout: its oci-layout file is missing or does not declare imageLayoutVersion 1.x.`,
      "NOT_AN_OCI_LAYOUT"
    );
  }
}
function describe2(descriptor) {
  const name = descriptor.annotations?.[REF_NAME_ANNOTATION];
  if (name !== void 0) return `"${name}"`;
  const platform = descriptor.platform ? ` (${formatPlatform(descriptor.platform)})` : "";
  return `${descriptor.digest}${platform}`;
}
function chooseFromIndex(index, ref, platform, what) {
  const candidates = ref === void 0 ? index.manifests : index.manifests.filter(
    (d) => d.annotations?.[REF_NAME_ANNOTATION] === ref || d.digest === ref
  );
  const offered = index.manifests.map(describe2).join(", ");
  if (candidates.length === 0) {
    if (ref === void 0) {
      throw new ImageError(
        `${what} lists no images in its index.json; the layout is empty.`,
        "EMPTY_LAYOUT"
      );
    }
    throw new ConfigurationError(
      `${what} has no image named "${ref}"; it holds ${offered || "no images"}. Write ${what}:NAME with one of them.`,
      "REF_NOT_FOUND"
    );
  }
  const [only] = candidates;
  if (candidates.length === 1 && only !== void 0) return { descriptor: only, byPlatform: false };
  const names = new Set(candidates.map((d) => d.annotations?.[REF_NAME_ANNOTATION]));
  const platforms = new Set(candidates.map((d) => d.platform ? formatPlatform(d.platform) : ""));
  if (names.size === 1 && !platforms.has("") && platforms.size === candidates.length) {
    const descriptor = selectPlatform({ schemaVersion: 2, manifests: candidates }, platform, what);
    return { descriptor, byPlatform: true };
  }
  throw new ConfigurationError(
    `${what} holds several images (${candidates.map(describe2).join(", ")}); choose one with ${what}:REF.`,
    "AMBIGUOUS_IMAGE"
  );
}
function chooseFromIndexJson(indexBytes, ref, platform, what) {
  const top = parseManifest(indexBytes, `${what} index.json`);
  if (top.kind !== "index") {
    throw new ImageError(
      `${what} index.json is not an image index; the layout is corrupt.`,
      "BAD_MANIFEST"
    );
  }
  return chooseFromIndex(top.index, ref, platform, what);
}
function keep(kept, descriptor, bytes, work) {
  const known = kept.get(descriptor);
  if (known?.bytes === bytes) return known.result;
  const result = work();
  kept.set(descriptor, { bytes, result });
  return result;
}
function layoutResolver(ref, platform, what) {
  let chosen;
  const manifests = /* @__PURE__ */ new WeakMap();
  const configs = /* @__PURE__ */ new WeakMap();
  const selections = /* @__PURE__ */ new WeakMap();
  return async (indexBytes, read) => {
    if (chosen?.bytes !== indexBytes) {
      chosen = {
        bytes: indexBytes,
        choice: chooseFromIndexJson(indexBytes, ref, platform, what)
      };
    }
    let { descriptor, byPlatform } = chosen.choice;
    let indexDigest;
    for (let depth = 0; ; depth++) {
      const role = `manifest ${descriptor.digest}`;
      const bytes = await read(descriptor.digest, role);
      const current = descriptor;
      const parsed = keep(manifests, current, bytes, () => {
        assertDigest(bytes, current.digest, `${what} ${role}`);
        return parseManifest(bytes, `${what} ${role}`, current.mediaType);
      });
      if (parsed.kind === "manifest") {
        const configDescriptor = parsed.manifest.config;
        const configRole = `config ${configDescriptor.digest}`;
        const configBytes = await read(configDescriptor.digest, configRole);
        const config = keep(configs, configDescriptor, configBytes, () => {
          assertDigest(configBytes, configDescriptor.digest, `${what} ${configRole}`);
          return parseConfig(configBytes, `${what} ${configRole}`);
        });
        if (!byPlatform) checkConfigPlatform(config, configDescriptor.digest, platform, what);
        return {
          manifest: parsed.manifest,
          digest: descriptor.digest,
          ...indexDigest !== void 0 ? { indexDigest } : {},
          platform: platformOf(config),
          config,
          configDigest: configDescriptor.digest
        };
      }
      if (depth + 1 >= MAX_INDEX_DEPTH) {
        throw new ImageError(
          `${what} nests image indexes more than ${MAX_INDEX_DEPTH} deep; the layout is corrupt.`,
          "BAD_MANIFEST"
        );
      }
      let selected = selections.get(parsed.index);
      if (selected === void 0) {
        selected = selectPlatform(
          parsed.index,
          platform,
          `${what} image index ${descriptor.digest}`
        );
        selections.set(parsed.index, selected);
      }
      indexDigest = descriptor.digest;
      descriptor = selected;
      byPlatform = true;
    }
  };
}
async function fileSize(path) {
  try {
    const info = await stat2(path);
    return info.isFile() ? info.size : void 0;
  } catch {
    return void 0;
  }
}
function missingBlob(what, digest, role) {
  return new ImageError(
    `${what} is missing blob ${digest} (${role}); the layout is incomplete, write it again.`,
    "MISSING_BLOB"
  );
}
async function acquireLayout(reference, dir, ref, options) {
  const what = `oci:${dir}`;
  const dirInfo = await stat2(dir).catch(() => void 0);
  if (dirInfo === void 0) {
    throw new ImageError(`oci directory ${dir} does not exist; check the path.`, "NOT_FOUND");
  }
  if (!dirInfo.isDirectory()) {
    throw new ImageError(
      `oci directory ${dir} is a file, not a directory; read a tar of a layout as oci-archive:${dir}.`,
      "NOT_A_DIRECTORY"
    );
  }
  checkLayoutVersion(await readFile2(join2(dir, "oci-layout")).catch(() => void 0), what);
  const indexBytes = await readFile2(join2(dir, "index.json")).catch(() => void 0);
  if (indexBytes === void 0) {
    throw new ImageError(
      `${what} has no index.json; the layout is incomplete.`,
      "NOT_AN_OCI_LAYOUT"
    );
  }
  const read = async (digest, role) => {
    const path = join2(dir, blobPath(digest, `${what} ${role}`));
    const size = await fileSize(path);
    if (size === void 0) throw missingBlob(what, digest, role);
    if (size > MAX_DOCUMENT_BYTES) {
      throw new ImageError(
        `${what} ${role} is ${size} bytes, more than a manifest or config may be (${MAX_DOCUMENT_BYTES}); the layout is corrupt.`,
        "BAD_MANIFEST"
      );
    }
    return readFile2(path);
  };
  const image = await layoutResolver(ref, options.platform, what)(indexBytes, read);
  const layers = image.manifest.layers;
  const files = [];
  for (const [i, layer] of layers.entries()) {
    const role = `layer ${i + 1} of ${layers.length}`;
    const path = join2(dir, blobPath(layer.digest, `${what} ${role}`));
    const info = await stat2(path).catch(() => void 0);
    if (info?.isFile() !== true) throw missingBlob(what, layer.digest, role);
    const { dev, ino, size, mtimeMs } = info;
    files.push({ path, length: size, identity: { dev, ino, size, mtimeMs } });
  }
  const open2 = /* @__PURE__ */ new Set();
  let analyses;
  try {
    analyses = await mapInOrder(layers, LAYER_CONCURRENCY, async (layer, i) => {
      const file = files[i];
      const blob = createReadStream(file.path, { highWaterMark: READ_CHUNK_BYTES });
      open2.add(blob);
      try {
        return await options.analyzeLayer(blob, {
          name: layer.digest,
          expectedDigest: layer.digest,
          file: { ...file, offset: 0 }
        });
      } finally {
        open2.delete(blob);
      }
    });
  } finally {
    for (const blob of open2) blob.destroy();
  }
  return acquiredLayoutImage(reference, image, analyses);
}
function acquiredLayoutImage(reference, image, analyses) {
  return {
    reference,
    digest: image.digest,
    ...image.indexDigest !== void 0 ? { indexDigest: image.indexDigest } : {},
    platform: image.platform,
    manifest: image.manifest,
    config: image.config,
    configDigest: image.configDigest,
    layers: image.manifest.layers.map((descriptor, i) => ({
      descriptor,
      analysis: analyses[i]
    }))
  };
}
function ociLayoutSource(reference, dir, ref) {
  return {
    transport: "oci",
    reference,
    acquire: (options) => acquireLayout(reference, dir, ref, options)
  };
}

// src/image/archive.ts
var DOCUMENT_NAMES = /* @__PURE__ */ new Set(["/manifest.json", "/index.json", "/oci-layout", "/repositories"]);
var DOCKER_LAYER_TYPES = {
  none: "application/vnd.docker.image.rootfs.diff.tar",
  gzip: "application/vnd.docker.image.rootfs.diff.tar.gzip",
  zstd: "application/vnd.docker.image.rootfs.diff.tar.zstd"
};
var MAX_STDERR_BYTES = 64 * 1024;
var CONTENT_ADDRESSED = /^\/(?:blobs\/sha256\/([a-f0-9]{64})|([a-f0-9]{64})\.json)$/;
function digestOfMember(path) {
  const match = CONTENT_ADDRESSED.exec(path);
  const hex = match?.[1] ?? match?.[2];
  return hex === void 0 ? void 0 : `sha256:${hex}`;
}
function isWhitespace(byte) {
  return byte === 32 || byte === 9 || byte === 10 || byte === 13;
}
function rejoin(head, chunks) {
  async function* all() {
    yield* head;
    for (; ; ) {
      const next = await chunks.next();
      if (next.done === true) return;
      yield next.value;
    }
  }
  return Readable3.from(all(), { objectMode: false });
}
async function readRest(head, chunks) {
  const parts = [...head];
  for (let next = await chunks.next(); next.done !== true; next = await chunks.next()) {
    parts.push(next.value);
  }
  return Buffer.concat(parts);
}
var NotReadYet = class extends Error {
  constructor(path) {
    super(`${path} has not been read yet`);
    this.path = path;
  }
  path;
};
async function readArchive(stream, what, options, planLayers, file) {
  const members = { documents: /* @__PURE__ */ new Map(), layers: /* @__PURE__ */ new Map(), links: /* @__PURE__ */ new Map() };
  let plan = await planLayers(members);
  let targets = layerTargets(plan, members);
  const replanAt = async (path) => {
    if (!("awaiting" in plan) || plan.awaiting !== path) return;
    plan = await planLayers(members);
    targets = layerTargets(plan, members);
  };
  const isSkipped = (path) => targets !== void 0 && !targets.includes(path);
  for await (const { entry, content, dataOffset } of readTar(stream, what)) {
    const path = entry.path;
    if ((entry.type === "symlink" || entry.type === "hardlink") && entry.linkTarget !== void 0) {
      const target = entry.type === "symlink" ? posix.resolve(posix.dirname(path), entry.linkTarget) : entry.linkTarget;
      members.links.set(path, target);
      targets?.linked(path);
      await replanAt(path);
      continue;
    }
    if (entry.type !== "file") continue;
    const chunks = content[Symbol.asyncIterator]();
    const head = [];
    let document = DOCUMENT_NAMES.has(path) && entry.size <= MAX_DOCUMENT_BYTES;
    if (!document && entry.size <= MAX_DOCUMENT_BYTES) {
      for (let next = await chunks.next(); next.done !== true; next = await chunks.next()) {
        head.push(next.value);
        const first = next.value.find((byte) => !isWhitespace(byte));
        if (first !== void 0) {
          document = first === 123 || first === 91;
          break;
        }
      }
    }
    if (document) {
      members.documents.set(path, await readRest(head, chunks));
      await replanAt(path);
      continue;
    }
    if (isSkipped(path)) continue;
    const expectedDigest = path.startsWith("/blobs/sha256/") ? digestOfMember(path) : void 0;
    const result = await options.analyzeLayer(rejoin(head, chunks), {
      name: layerName(path, what),
      ...expectedDigest !== void 0 ? { expectedDigest } : {},
      ...file === void 0 ? {} : { file: { ...file, offset: dataOffset, length: entry.size } }
    }).then(
      (analysis) => ({ analysis }),
      (error) => ({ error })
    );
    members.layers.set(path, result);
  }
  return members;
}
function layerName(path, what) {
  const digest = path.startsWith("/blobs/sha256/") ? digestOfMember(path) : void 0;
  return digest !== void 0 ? `${digest} in ${what}` : `${path.slice(1)} in ${what}`;
}
var MAX_LINK_HOPS = 16;
function walk(links, path, hops) {
  let current = path;
  let count = hops;
  for (; count < MAX_LINK_HOPS; count++) {
    const target = links.get(current);
    if (target === void 0) break;
    current = target;
  }
  return { path: current, hops: count };
}
function follow(members, path) {
  return walk(members.links, path, 0).path;
}
var LayerTargets = class {
  constructor(layers, links) {
    this.links = links;
    for (const layer of layers) this.walkOn(layer, 0);
  }
  links;
  /** By member path: the hops followed by each layer whose links end there, fewer than the most. */
  ends = /* @__PURE__ */ new Map();
  /** Members where a layer's links end after MAX_LINK_HOPS hops: a link arriving there is not followed. */
  exhausted = /* @__PURE__ */ new Set();
  includes(path) {
    return this.ends.has(path) || this.exhausted.has(path);
  }
  /** A link has arrived at `path`. */
  linked(path) {
    const hops = this.ends.get(path);
    if (hops === void 0) return;
    this.ends.delete(path);
    for (const count of hops) this.walkOn(path, count);
  }
  walkOn(path, hops) {
    const end = walk(this.links, path, hops);
    if (end.hops >= MAX_LINK_HOPS) {
      this.exhausted.add(end.path);
      return;
    }
    const counts = this.ends.get(end.path);
    if (counts === void 0) this.ends.set(end.path, [end.hops]);
    else counts.push(end.hops);
  }
};
function layerTargets(plan, members) {
  return "layers" in plan ? new LayerTargets(plan.layers, members.links) : void 0;
}
function keepLayers(members, paths) {
  const kept = new Set(paths.map((path) => follow(members, path)));
  for (const path of members.layers.keys()) {
    if (!kept.has(path)) members.layers.delete(path);
  }
}
function memberPath(name) {
  return posix.resolve("/", name);
}
async function layerAt(members, path, what, options, missing) {
  const resolved = follow(members, path);
  const result = members.layers.get(resolved);
  if (result !== void 0) {
    if ("error" in result) throw result.error;
    return result.analysis;
  }
  const bytes = members.documents.get(resolved);
  if (bytes === void 0) throw missing();
  const expectedDigest = resolved.startsWith("/blobs/sha256/") ? digestOfMember(resolved) : void 0;
  return options.analyzeLayer(Readable3.from([bytes], { objectMode: false }), {
    name: layerName(resolved, what),
    ...expectedDigest !== void 0 ? { expectedDigest } : {}
  });
}
function parseDockerManifest(bytes, what) {
  let doc;
  try {
    doc = JSON.parse(bytes.toString("utf8"));
  } catch {
    doc = void 0;
  }
  if (!Array.isArray(doc) || doc.length === 0) {
    throw new ImageError(
      `${what} has a manifest.json that is not a docker save manifest (a JSON list of {Config, RepoTags, Layers}); the archive is corrupt.`,
      "BAD_MANIFEST"
    );
  }
  const f = new DocumentFields(`${what} manifest.json`, "the docker save manifest", "BAD_MANIFEST");
  return doc.map((item, i) => {
    const entry = f.object(item, `[${i}]`);
    const repoTags = f.strings(entry.RepoTags, `[${i}].RepoTags`);
    return {
      Config: f.string(entry.Config, `[${i}].Config`),
      Layers: f.list(entry.Layers, `[${i}].Layers`, "an array of strings", MAX_LAYERS).map((layer, j) => f.string(layer, `[${i}].Layers[${j}]`)),
      ...repoTags === void 0 ? {} : { RepoTags: repoTags }
    };
  });
}
function canonicalTag(tag) {
  try {
    return formatReference(parseReference(tag));
  } catch {
    return tag;
  }
}
function chooseDockerEntry(entries, ref, what) {
  const listed = entries.map((entry, i) => entry.RepoTags?.length ? entry.RepoTags.join(", ") : `@${i} (untagged)`).join("; ");
  const [first] = entries;
  if (ref === void 0) {
    if (entries.length === 1 && first !== void 0) return first;
    throw new ConfigurationError(
      `${what} holds ${entries.length} images (${listed}); choose one with ${what}:REF, where REF is a tag or @INDEX.`,
      "AMBIGUOUS_IMAGE"
    );
  }
  const position = /^@(\d+)$/.exec(ref);
  const wanted = canonicalTag(ref);
  const match = position !== null ? entries[Number(position[1])] : entries.find((entry) => entry.RepoTags?.some((tag) => canonicalTag(tag) === wanted));
  if (match === void 0) {
    throw new ConfigurationError(
      `${what} has no image tagged "${ref}"; it holds ${listed}. Write ${what}:REF with one of them.`,
      "REF_NOT_FOUND"
    );
  }
  return match;
}
function findOciManifest(members, entry, configDigest, what) {
  const layerDigests = entry.Layers.map(
    (layer) => digestOfMember(follow(members, memberPath(layer)))
  );
  for (const [path, bytes] of members.documents) {
    const digest = path.startsWith("/blobs/sha256/") ? digestOfMember(path) : void 0;
    if (digest === void 0) continue;
    let manifest;
    try {
      const parsed = parseManifest(bytes, path);
      if (parsed.kind !== "manifest") continue;
      manifest = parsed.manifest;
    } catch {
      continue;
    }
    if (manifest.config.digest === configDigest && manifest.layers.length === layerDigests.length && manifest.layers.every((layer, i) => layer.digest === layerDigests[i])) {
      assertDigest(bytes, digest, `${what} manifest ${digest}`);
      return { manifest, digest };
    }
  }
  return void 0;
}
var ARCHIVE_KINDS = {
  "docker-archive": {
    name: "a docker save archive",
    document: "manifest.json",
    origin: "It was written by docker save",
    code: "NOT_A_DOCKER_ARCHIVE"
  },
  "oci-archive": {
    name: "an OCI image layout",
    document: "index.json",
    origin: "It is an OCI image layout",
    code: "NOT_AN_OCI_LAYOUT"
  }
};
function archiveDocument(transport, members, what) {
  const kind = ARCHIVE_KINDS[transport];
  const document = members.documents.get(`/${kind.document}`);
  if (document !== void 0) return document;
  const otherTransport = transport === "docker-archive" ? "oci-archive" : "docker-archive";
  const other = ARCHIVE_KINDS[otherTransport];
  const hint = members.documents.has(`/${other.document}`) ? ` ${other.origin}: read it as ${otherTransport}:${what.slice(what.indexOf(":") + 1)}.` : "";
  throw new ImageError(`${what} is not ${kind.name}: it has no ${kind.document}.${hint}`, kind.code);
}
function planDockerSave(ref, what) {
  return async (members) => {
    const manifestBytes = members.documents.get("/manifest.json");
    if (manifestBytes === void 0) return { awaiting: "/manifest.json" };
    try {
      const entry = chooseDockerEntry(parseDockerManifest(manifestBytes, what), ref, what);
      return { layers: entry.Layers.map(memberPath) };
    } catch {
      return { unknown: true };
    }
  };
}
async function resolveDockerSave(members, reference, ref, what, options) {
  const manifestBytes = archiveDocument("docker-archive", members, what);
  const entry = chooseDockerEntry(parseDockerManifest(manifestBytes, what), ref, what);
  keepLayers(members, entry.Layers.map(memberPath));
  const configPath = follow(members, memberPath(entry.Config));
  const configBytes = members.documents.get(configPath);
  if (configBytes === void 0) {
    throw new ImageError(
      `${what} has no member ${entry.Config}, which manifest.json names as the image config; the archive is incomplete.`,
      "MISSING_BLOB"
    );
  }
  const namedDigest = digestOfMember(configPath);
  if (namedDigest !== void 0)
    assertDigest(configBytes, namedDigest, `${what} config ${entry.Config}`);
  const configDigest = namedDigest ?? sha256(configBytes);
  const config = parseConfig(configBytes, `${what} config ${entry.Config}`);
  checkConfigPlatform(config, configDigest, options.platform, what);
  const analyses = [];
  for (const [i, layer] of entry.Layers.entries()) {
    analyses.push(
      await layerAt(members, memberPath(layer), what, options, () => {
        return new ImageError(
          `${what} has no member ${layer}, which manifest.json lists as layer ${i + 1} of ${entry.Layers.length}; the archive is incomplete.`,
          "MISSING_BLOB"
        );
      })
    );
  }
  const oci = findOciManifest(members, entry, configDigest, what);
  const descriptors = oci?.manifest.layers ?? analyses.map((analysis) => ({
    mediaType: DOCKER_LAYER_TYPES[analysis.compression],
    digest: analysis.digest,
    size: analysis.compressedSize
  }));
  const manifest = oci?.manifest ?? {
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.dockerManifest,
    config: { mediaType: MEDIA_TYPES.dockerConfig, digest: configDigest, size: configBytes.length },
    layers: descriptors
  };
  return {
    reference,
    digest: oci?.digest ?? configDigest,
    platform: platformOf(config),
    manifest,
    config,
    configDigest,
    layers: descriptors.map((descriptor, i) => ({
      descriptor,
      analysis: analyses[i]
    }))
  };
}
function resolveOciImage(members, indexBytes, resolve2, what, absent) {
  const read = async (digest, role) => {
    const path = follow(members, `/${blobPath(digest, `${what} ${role}`)}`);
    const bytes = members.documents.get(path);
    if (bytes !== void 0) return bytes;
    if (members.layers.has(path)) {
      throw new ImageError(
        `${what} ${role} is not a JSON document; the archive is corrupt.`,
        "BAD_MANIFEST"
      );
    }
    throw absent(path, digest, role);
  };
  return resolve2(indexBytes, read);
}
function layerBlobPaths(image, what) {
  return image.manifest.layers.filter(({ digest }) => isDigest(digest)).map(({ digest }) => `/${blobPath(digest, what)}`);
}
function planOciArchive(ref, what, options) {
  const resolve2 = layoutResolver(ref, options.platform, what);
  return async (members) => {
    const indexBytes = members.documents.get("/index.json");
    if (indexBytes === void 0) return { awaiting: "/index.json" };
    try {
      const image = await resolveOciImage(members, indexBytes, resolve2, what, (path) => {
        return new NotReadYet(path);
      });
      return { layers: layerBlobPaths(image, what) };
    } catch (error) {
      return error instanceof NotReadYet ? { awaiting: error.path } : { unknown: true };
    }
  };
}
async function resolveOciArchive(members, reference, ref, what, options) {
  const indexBytes = archiveDocument("oci-archive", members, what);
  checkLayoutVersion(members.documents.get("/oci-layout"), what);
  const resolve2 = layoutResolver(ref, options.platform, what);
  const image = await resolveOciImage(
    members,
    indexBytes,
    resolve2,
    what,
    (_, digest, role) => missingBlob(what, digest, role)
  );
  keepLayers(members, layerBlobPaths(image, what));
  const layers = image.manifest.layers;
  const analyses = [];
  for (const [i, layer] of layers.entries()) {
    const role = `layer ${i + 1} of ${layers.length}`;
    const path = `/${blobPath(layer.digest, `${what} ${role}`)}`;
    analyses.push(
      await layerAt(members, path, what, options, () => missingBlob(what, layer.digest, role))
    );
  }
  return acquiredLayoutImage(reference, image, analyses);
}
async function openArchiveFile(transport, path) {
  let file;
  try {
    file = await open(path, "r");
  } catch (error) {
    const code = error.code;
    if (code === "ENOENT" || code === "ENOTDIR") {
      throw new ImageError(`${transport} file ${path} does not exist; check the path.`, "NOT_FOUND");
    }
    throw new ImageError(
      `${transport} file ${path} cannot be read (${code ?? error.message}); check its permissions.`,
      "UNREADABLE"
    );
  }
  const info = await file.stat();
  if (!info.isFile()) {
    await file.close();
    const fix = transport === "oci-archive" ? ` read a layout directory as oci:${path}` : " name the tar file";
    throw new ImageError(`${transport} file ${path} is not a regular file;${fix}.`, "NOT_A_FILE");
  }
  const { dev, ino, size, mtimeMs } = info;
  return { chunks: fileChunks(file, size), identity: { dev, ino, size, mtimeMs } };
}
function fileChunks(file, size) {
  let position = 0;
  let closed = false;
  const close = async () => {
    if (!closed) {
      closed = true;
      await file.close();
    }
    return { done: true, value: void 0 };
  };
  const chunks = {
    next: async () => {
      if (closed) return { done: true, value: void 0 };
      const buffer = Buffer.allocUnsafe(READ_CHUNK_BYTES);
      const { bytesRead } = await file.read(buffer, 0, buffer.length, position);
      if (bytesRead === 0) return close();
      position += bytesRead;
      return { done: false, value: buffer.subarray(0, bytesRead) };
    },
    skip: async (bytes) => {
      if (closed) return 0;
      const step = Math.max(0, Math.min(bytes, size - position));
      position += step;
      return step;
    },
    return: close
  };
  return { [Symbol.asyncIterator]: () => chunks };
}
var FORMATS = {
  "docker-archive": { plan: (ref, what) => planDockerSave(ref, what), resolve: resolveDockerSave },
  "oci-archive": { plan: planOciArchive, resolve: resolveOciArchive }
};
function archiveFileSource(transport, reference, path, ref) {
  const format = FORMATS[transport];
  return {
    transport,
    reference,
    acquire: async (options) => {
      const what = `${transport}:${path}`;
      const { chunks, identity } = await openArchiveFile(transport, path);
      const members = await readArchive(chunks, what, options, format.plan(ref, what, options), {
        path,
        identity
      });
      return format.resolve(members, reference, ref, what, options);
    }
  };
}
function dockerArchiveSource(reference, path, ref) {
  return archiveFileSource("docker-archive", reference, path, ref);
}
function ociArchiveSource(reference, path, ref) {
  return archiveFileSource("oci-archive", reference, path, ref);
}
function firstLine(bytes) {
  return bytes.toString("utf8").split("\n").map((line) => line.trim()).find((line) => line !== "") ?? "";
}
async function acquireFromDaemon(reference, ref, options) {
  const what = `docker-daemon:${ref}`;
  options.logger.debug(`Running docker save ${ref}`);
  const child = spawn2("docker", ["save", ref], {
    env: options.env,
    stdio: ["ignore", "pipe", "pipe"],
    // The scan's deadline ends docker save too, not only our read of its output.
    ...options.signal === void 0 ? {} : { signal: options.signal }
  });
  const exited = new Promise(
    (resolve2) => {
      child.once("error", (error) => resolve2({ error }));
      child.once("close", (code) => resolve2({ code }));
    }
  );
  const stderr = [];
  let stderrBytes = 0;
  child.stderr.on("data", (chunk) => {
    if (stderrBytes < MAX_STDERR_BYTES) stderr.push(chunk);
    stderrBytes += chunk.length;
  });
  let members;
  let readError;
  try {
    members = await readArchive(child.stdout, what, options, planDockerSave(void 0, what));
  } catch (error) {
    readError = error;
    child.kill();
  }
  const status = await exited;
  if (options.signal?.aborted === true) throw options.signal.reason;
  if ("error" in status) {
    if (status.error.code === "ENOENT") {
      throw new ImageError(
        `docker-daemon: needs the docker CLI and a running engine; "docker" was not found on PATH. Install Docker, or read a saved image with docker-archive:PATH.`,
        "DOCKER_NOT_FOUND",
        { cause: status.error }
      );
    }
    throw new ImageError(
      `docker save ${ref} could not be started (${status.error.message}); check that the docker CLI on PATH can run.`,
      "DOCKER_SAVE_FAILED",
      { cause: status.error }
    );
  }
  if (status.code !== null && status.code !== 0) {
    const reason = firstLine(Buffer.concat(stderr)) || `exit status ${status.code}`;
    throw new ImageError(
      `docker save ${ref} failed: ${reason.replace(/\.$/, "")}; check the image name with docker image ls and that the engine is running.`,
      "DOCKER_SAVE_FAILED"
    );
  }
  if (readError !== void 0 || members === void 0) throw readError;
  return resolveDockerSave(members, reference, void 0, what, options);
}
function dockerDaemonSource(reference, ref) {
  return {
    transport: "docker-daemon",
    reference,
    acquire: (options) => acquireFromDaemon(reference, ref, options)
  };
}

// src/image/registry/source.ts
var RegistrySource = class {
  constructor(reference, transfer) {
    this.reference = reference;
    this.transfer = transfer;
    this.parsed = parseReference(reference.replace(/^docker:\/\//, ""));
  }
  reference;
  transfer;
  transport = "docker";
  parsed;
  async acquire(options) {
    const client = new RegistryClient(this.parsed, {
      ...options,
      ...this.transfer !== void 0 ? { transfer: this.transfer } : {}
    });
    const name = this.reference;
    const top = await client.getManifest(manifestReference(this.parsed));
    const claimed = top.digest !== void 0 && isDigest(top.digest) ? top.digest : void 0;
    const expected = this.parsed.digest ?? claimed;
    if (expected !== void 0) assertDigest(top.bytes, expected, `manifest of ${name}`);
    const document = parseManifest(top.bytes, `manifest of ${name}`, top.mediaType);
    let manifest;
    let digest = sha256(top.bytes);
    let indexDigest;
    let chosenPlatform;
    if (document.kind === "index") {
      indexDigest = digest;
      const chosen = selectPlatform(document.index, options.platform, `image index of ${name}`);
      const child = await client.getManifest(chosen.digest);
      assertDigest(child.bytes, chosen.digest, `manifest ${chosen.digest} of ${name}`);
      const inner = parseManifest(
        child.bytes,
        `manifest ${chosen.digest} of ${name}`,
        chosen.mediaType
      );
      if (inner.kind !== "manifest") {
        throw new ImageError(
          `image index of ${name} lists another index for ${formatPlatform(options.platform)}; nested indexes are not supported.`,
          "UNSUPPORTED_MANIFEST"
        );
      }
      manifest = inner.manifest;
      digest = chosen.digest;
      chosenPlatform = chosen.platform;
    } else {
      manifest = document.manifest;
    }
    const configDigest = manifest.config.digest;
    const configBytes = await client.getBlob(configDigest);
    assertDigest(configBytes, configDigest, `config ${configDigest} of ${name}`);
    const config = parseConfig(configBytes, `config ${configDigest} of ${name}`);
    if (chosenPlatform === void 0) {
      checkConfigPlatform(config, configDigest, options.platform, `image ${name}`);
    }
    const platform = chosenPlatform ?? platformOf(config);
    const open2 = /* @__PURE__ */ new Set();
    const layers = await mapInOrder(
      manifest.layers,
      LAYER_CONCURRENCY,
      async (descriptor) => {
        let blob;
        try {
          const cached = await options.cachedLayer?.(descriptor);
          if (cached !== void 0) return { descriptor, analysis: cached };
          blob = await client.openBlob(descriptor);
          open2.add(blob);
          const analysis = await options.analyzeLayer(blob, {
            name: descriptor.digest,
            expectedDigest: descriptor.digest
          });
          return { descriptor, analysis };
        } catch (error) {
          for (const other of open2) other.destroy();
          throw registryRequestError(this.parsed.domain, blob?.failure ?? error);
        } finally {
          if (blob !== void 0) open2.delete(blob);
        }
      }
    );
    return {
      reference: name,
      digest,
      ...indexDigest !== void 0 ? { indexDigest } : {},
      platform,
      manifest,
      config,
      configDigest,
      layers
    };
  }
};
function registrySource(reference, transfer) {
  return new RegistrySource(reference, transfer);
}

// src/image/sources.ts
var FORMS = "docker://REF (or a bare REF), docker-daemon:REF, docker-archive:PATH[:REF], oci-archive:PATH[:REF], oci:DIR[:REF]";
var UNSUPPORTED = /* @__PURE__ */ new Set(["containers-storage", "dir", "ostree", "sif", "tarball", "atomic"]);
function isRegistryReference(value) {
  try {
    parseReference(value);
    return true;
  } catch {
    return false;
  }
}
function parseSourceSpec(spec) {
  if (spec.startsWith("docker://")) {
    return { transport: "docker", reference: spec.slice("docker://".length) };
  }
  const colon = spec.indexOf(":");
  const prefix = colon === -1 ? "" : spec.slice(0, colon);
  const rest = spec.slice(colon + 1);
  switch (prefix) {
    case "docker-daemon":
      if (rest === "") {
        throw new ConfigurationError(
          `image "${spec}" names no image; write docker-daemon:REF, e.g. docker-daemon:app:1.0.`,
          "INVALID_IMAGE_SOURCE"
        );
      }
      return { transport: "docker-daemon", reference: rest };
    case "docker-archive":
    case "oci-archive":
    case "oci": {
      const split = rest.indexOf(":");
      const path = split === -1 ? rest : rest.slice(0, split);
      const ref = split === -1 ? "" : rest.slice(split + 1);
      if (path === "") {
        const form = prefix === "oci" ? "oci:DIR[:REF]" : `${prefix}:PATH[:REF]`;
        throw new ConfigurationError(
          `image "${spec}" has an empty path; write ${form}.`,
          "INVALID_IMAGE_SOURCE"
        );
      }
      return ref === "" ? { transport: prefix, path } : { transport: prefix, path, ref };
    }
  }
  const looksLikeRegistry = /[./]/.test(prefix) || prefix === "localhost" || /^\d+\//.test(rest);
  if (colon !== -1 && !UNSUPPORTED.has(prefix) && looksLikeRegistry) {
    parseReference(spec);
  }
  if (colon !== -1 && (UNSUPPORTED.has(prefix) || !isRegistryReference(spec))) {
    throw new ConfigurationError(
      `image "${spec}" uses the transport "${prefix}", which container-gate does not read; use one of ${FORMS}.`,
      "UNKNOWN_TRANSPORT"
    );
  }
  return { transport: "docker", reference: spec };
}
function openSource(spec) {
  const parsed = parseSourceSpec(spec);
  switch (parsed.transport) {
    case "docker":
      if (!spec.startsWith("docker://")) checkNotLocal(spec);
      return registrySource(spec);
    case "docker-daemon":
      return dockerDaemonSource(spec, parsed.reference);
    case "docker-archive":
      return dockerArchiveSource(spec, parsed.path, parsed.ref);
    case "oci-archive":
      return ociArchiveSource(spec, parsed.path, parsed.ref);
    case "oci":
      return ociLayoutSource(spec, parsed.path, parsed.ref);
  }
}
function checkNotLocal(spec) {
  let kind;
  try {
    const stat3 = statSync(spec);
    if (stat3.isFile()) kind = "file";
    else if (stat3.isDirectory() && existsSync(join3(spec, "oci-layout"))) kind = "layout";
  } catch {
    return;
  }
  if (kind === void 0) return;
  throw new ConfigurationError(
    kind === "file" ? `image "${spec}" names a file here, not a registry image; read it as oci-archive:${spec} (an OCI layout in a tar) or docker-archive:${spec} (docker save), or write docker://${spec} for the registry.` : `image "${spec}" names an OCI layout directory here, not a registry image; read it as oci:${spec}, or write docker://${spec} for the registry.`,
    "INVALID_IMAGE_SOURCE"
  );
}

// src/custody/image-signatures.ts
function readInput(path, input) {
  return readInputFile(path, {
    subject: `${input} "${path}"`,
    fix: "check the path.",
    code: "INPUT_FILE_UNREADABLE"
  });
}
async function signaturePolicy(requirement, inputPrefix = "") {
  if (requirement.key !== void 0) {
    const input = `${inputPrefix}verify-key`;
    return {
      kind: "key",
      key: readPublicKey(await readInput(requirement.key, input), `${input} "${requirement.key}"`)
    };
  }
  if (requirement.identity === void 0 || requirement.issuer === void 0) return void 0;
  let root;
  if (requirement.trustedRoot !== void 0) {
    const text2 = await readInput(requirement.trustedRoot, "trusted-root");
    try {
      root = JSON.parse(text2);
    } catch {
      throw new ConfigurationError(
        `trusted-root "${requirement.trustedRoot}" is not JSON; give a Sigstore trusted_root.json.`,
        "BAD_TRUSTED_ROOT"
      );
    }
  }
  const { trustMaterialOf } = await import("./chunk-EJAJE2B6.js");
  return {
    kind: "keyless",
    identity: requirement.identity,
    issuer: requirement.issuer,
    trust: trustMaterialOf(root, `trusted-root "${requirement.trustedRoot ?? "(shipped)"}"`)
  };
}
function registryRepository(image) {
  const spec = parseSourceSpec(image);
  if (spec.transport !== "docker") return void 0;
  const reference = parseReference(spec.reference);
  return `${reference.domain}/${reference.path}`;
}
function registryClient(repository, access3, logger) {
  return new RegistryClient(parseReference(repository), { ...access3, logger });
}
async function checkImageSignatures(repository, digest, policy, access3, logger) {
  const [{ findSignatures }, { verifySignatures }] = await Promise.all([
    import("./chunk-CIOND4D4.js"),
    import("./chunk-EJAJE2B6.js")
  ]);
  const client = registryClient(repository, access3, logger);
  const search = await findSignatures(client, digest);
  const outcome = verifySignatures(search.signatures, digest, policy);
  return {
    repository,
    digest,
    found: search.signatures.length,
    verified: outcome.verified,
    rejected: [...outcome.rejected, ...search.problems]
  };
}
async function resolveDigest(reference, access3, logger) {
  const parsed = parseReference(reference.replace(/^docker:\/\//, ""));
  if (parsed.digest !== void 0) return parsed.digest;
  const client = new RegistryClient(parsed, { ...access3, logger });
  return sha256((await client.getManifest(parsed.tag ?? "latest")).bytes);
}

export {
  formatBytes,
  formatSizePair,
  plural,
  READ_CHUNK_BYTES,
  readAtMost,
  readInputFile,
  readInputFileSync,
  outputError,
  checkOutputPath,
  writeFileAtomic,
  watchWrites,
  writeStdout,
  header,
  request,
  parsePlatform,
  formatPlatform,
  parseReference,
  formatReference,
  isLoopback,
  PATH_MAX,
  normalizePath,
  retainedBytes,
  readTar,
  parseSourceSpec,
  openSource,
  signaturePolicy,
  registryRepository,
  registryClient,
  checkImageSignatures,
  resolveDigest
};
