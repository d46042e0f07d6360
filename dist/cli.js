#!/usr/bin/env node
import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);

// src/cli.ts
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";

// src/errors.ts
var ConfigurationError = class extends Error {
  constructor(message, code = "CONFIGURATION", options) {
    super(message, options);
    this.code = code;
  }
  code;
  name = "ConfigurationError";
};
var ImageError = class extends Error {
  constructor(message, code = "IMAGE", options) {
    super(message, options);
    this.code = code;
  }
  code;
  name = "ImageError";
};
function isUserError(error) {
  return error instanceof ConfigurationError || error instanceof ImageError;
}

// src/findings.ts
var SEVERITIES = ["critical", "high", "medium", "low", "info"];
function severityRank(severity) {
  return SEVERITIES.length - 1 - SEVERITIES.indexOf(severity);
}
function isSeverity(value) {
  return SEVERITIES.includes(value);
}
var STEP_IDS = [
  "identity",
  "tests",
  "code",
  "composition",
  "hardening",
  "custody"
];
function isStepId(value) {
  return STEP_IDS.includes(value);
}

// src/image/layer/tar.ts
import { Readable } from "node:stream";
var BLOCK = 512;
var MAX_METADATA_BYTES = 8 * 1024 * 1024;
var EMPTY = Buffer.alloc(0);
function normalizePath(path2) {
  const parts = [];
  for (const part of path2.split("/")) {
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
var EntryContent = class extends Readable {
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
  constructor(entry, reader, dataSize, truncated) {
    this.entry = entry;
    this.reader = reader;
    this.dataSize = dataSize;
    this.truncated = truncated;
  }
  entry;
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
  const records2 = /* @__PURE__ */ new Map();
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
    records2.set(record.toString("utf8", 0, equals), Buffer.from(record.subarray(equals + 1)));
    pos += length;
  }
  return records2;
}
function paxNumber(value, fail, key) {
  if (value === void 0) return void 0;
  const number = Number(value.toString("ascii"));
  if (!Number.isFinite(number) || number < 0)
    throw fail(`bad pax ${key} "${value.toString("ascii")}"`);
  return Math.floor(number);
}
function entryOf(block, typeflag, dataSize, pax, names, fail) {
  const record = (key) => {
    const value = pax.get(key);
    return value === void 0 || value.length === 0 ? void 0 : value;
  };
  for (const key of pax.keys()) {
    if (key.startsWith("GNU.sparse."))
      throw fail("unsupported sparse file (GNU.sparse pax records)");
  }
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
  if (type === "char" || type === "block") {
    entry.devMajor = field(329, 8, "device major");
    entry.devMinor = field(337, 8, "device minor");
  }
  for (const [key, value] of pax) {
    if (key.startsWith("SCHILY.xattr.") && value.length > 0) {
      entry.xattrs ??= {};
      entry.xattrs[key.slice("SCHILY.xattr.".length)] = value;
    }
  }
  return entry;
}
async function* readTar(stream, name) {
  const reader = new ByteReader(
    stream[Symbol.asyncIterator]()
  );
  const fail = (why, code = "CORRUPT_TAR") => new ImageError(`${name}: ${why}`, code);
  const truncated = () => fail(
    `tar stream is truncated (ended at byte ${reader.position} inside an entry)`,
    "TRUNCATED_TAR"
  );
  let global = /* @__PURE__ */ new Map();
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
        if (headerSize > MAX_METADATA_BYTES) {
          throw fail(
            `tar metadata record at byte ${at} is ${headerSize} bytes, over the ${MAX_METADATA_BYTES} limit`
          );
        }
        const body = await reader.readExact(headerSize);
        if (body.length < headerSize || await reader.skip(padding(headerSize)) < padding(headerSize)) {
          throw truncated();
        }
        if (typeflag === "x") extended = parsePax(body, fail);
        else if (typeflag === "g") {
          global = new Map([...global, ...parsePax(body, fail)]);
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
      const pax = extended === void 0 ? global : new Map([...global, ...extended]);
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
      const item = new Item(entry, reader, dataSize, truncated);
      yield item;
      const rest = await item.unread() + padding(dataSize);
      if (await reader.skip(rest) < rest) throw truncated();
    }
  } finally {
    await reader.close();
  }
}

// src/image/filesystem.ts
var MAX_SYMLINK_HOPS = 40;
function parentOf(path2) {
  const slash = path2.lastIndexOf("/");
  return slash <= 0 ? "/" : path2.slice(0, slash);
}
function components(path2) {
  return path2.split("/").filter((part) => part !== "");
}
var ImageFileSystem = class {
  nodes = /* @__PURE__ */ new Map();
  /** Directory path → paths of its direct children, so a whiteout deletes a subtree without a scan. */
  children = /* @__PURE__ */ new Map();
  contents = /* @__PURE__ */ new Map();
  sorted;
  apply(layer, index) {
    this.sorted = void 0;
    for (const whiteout of layer.whiteouts) {
      if (whiteout.opaque) {
        for (const child of [...this.children.get(whiteout.path) ?? []]) this.remove(child);
      } else {
        this.remove(whiteout.path);
      }
    }
    for (const entry of layer.entries) {
      const existing = this.nodes.get(entry.path);
      if (existing?.type === "dir" && entry.type !== "dir") this.remove(entry.path);
      this.nodes.set(entry.path, { ...entry, layer: index });
      this.link(entry.path);
      const content = entry.type === "file" ? layer.contents.get(entry.path) : void 0;
      if (content !== void 0) this.contents.set(entry.path, content);
      else this.contents.delete(entry.path);
    }
  }
  /** Registers `path` with its parent, and the parent with its own, up to one already known. */
  link(path2) {
    while (path2 !== "/") {
      const parent = parentOf(path2);
      let siblings = this.children.get(parent);
      if (siblings === void 0) {
        siblings = /* @__PURE__ */ new Set();
        this.children.set(parent, siblings);
      } else if (siblings.has(path2)) {
        return;
      }
      siblings.add(path2);
      if (this.children.get(parentOf(parent))?.has(parent) === true) return;
      path2 = parent;
    }
  }
  /** Deletes `path` and everything below it. */
  remove(path2) {
    this.children.get(parentOf(path2))?.delete(path2);
    const pending = [path2];
    for (let next = pending.pop(); next !== void 0; next = pending.pop()) {
      this.nodes.delete(next);
      this.contents.delete(next);
      const below = this.children.get(next);
      if (below !== void 0) {
        for (const child of below) pending.push(child);
        this.children.delete(next);
      }
    }
  }
  get size() {
    return this.nodes.size;
  }
  get(path2) {
    return this.nodes.get(normalizePath(path2));
  }
  /** Depth-first, children by name: `/a`, `/a/b`, `/a.b` (a `/` sorts before any character). */
  entries() {
    this.sorted ??= [...this.nodes.keys()].map((path2) => path2.replaceAll("/", "\0")).sort().map((key) => this.nodes.get(key.replaceAll("\0", "/")));
    return this.sorted;
  }
  read(path2) {
    let node = this.get(path2);
    for (let hops = 0; node?.type === "hardlink" && hops < MAX_SYMLINK_HOPS; hops++) {
      node = this.nodes.get(node.linkTarget ?? "");
    }
    return node === void 0 ? void 0 : this.contents.get(node.path);
  }
  resolve(path2) {
    const pending = components(path2).reverse();
    const resolved = [];
    let hops = 0;
    while (pending.length > 0) {
      const part = pending.pop();
      if (part === ".") continue;
      if (part === "..") {
        resolved.pop();
        continue;
      }
      const candidate = "/" + [...resolved, part].join("/");
      const node = this.nodes.get(candidate);
      if (node?.type === "symlink") {
        if (++hops > MAX_SYMLINK_HOPS) return void 0;
        const target = node.linkTarget ?? "";
        if (target.startsWith("/")) resolved.length = 0;
        pending.push(...components(target).reverse());
        continue;
      }
      if (node !== void 0 && node.type !== "dir" && pending.length > 0) return void 0;
      resolved.push(part);
    }
    return this.nodes.get("/" + resolved.join("/"));
  }
};
function combineLayers(layers) {
  const fs = new ImageFileSystem();
  layers.forEach((layer, index) => fs.apply(layer, index));
  return fs;
}

// src/image/layer/analyze.ts
import { pipeline } from "node:stream/promises";

// node_modules/balanced-match/dist/esm/index.js
var range = (a, b, str) => {
  let begs, beg, left, right = void 0, result;
  let ai = str.indexOf(a);
  let bi = str.indexOf(b, ai + 1);
  let i = ai;
  if (ai >= 0 && bi > 0) {
    if (a === b) {
      return [ai, bi];
    }
    begs = [];
    left = str.length;
    while (i >= 0 && !result) {
      if (i === ai) {
        begs.push(i);
        ai = str.indexOf(a, i + 1);
      } else if (begs.length === 1) {
        const r = begs.pop();
        if (r !== void 0)
          result = [r, bi];
      } else {
        beg = begs.pop();
        if (beg !== void 0 && beg < left) {
          left = beg;
          right = bi;
        }
        bi = str.indexOf(b, i + 1);
      }
      i = ai < bi && ai >= 0 ? ai : bi;
    }
    if (begs.length && right !== void 0) {
      result = [left, right];
    }
  }
  return result;
};

// node_modules/brace-expansion/dist/esm/index.js
var escSlash = "\0SLASH" + Math.random().toFixed(16) + "\0";
var escOpen = "\0OPEN" + Math.random().toFixed(16) + "\0";
var escClose = "\0CLOSE" + Math.random().toFixed(16) + "\0";
var escComma = "\0COMMA" + Math.random().toFixed(16) + "\0";
var escPeriod = "\0PERIOD" + Math.random().toFixed(16) + "\0";
var escSlashPattern = new RegExp(escSlash, "g");
var escOpenPattern = new RegExp(escOpen, "g");
var escClosePattern = new RegExp(escClose, "g");
var escCommaPattern = new RegExp(escComma, "g");
var escPeriodPattern = new RegExp(escPeriod, "g");
var slashPattern = /\\\\/g;
var openPattern = /\\{/g;
var closePattern = /\\}/g;
var commaPattern = /\\,/g;
var periodPattern = /\\\./g;
var EXPANSION_MAX = 1e5;
var EXPANSION_MAX_LENGTH = 4e6;
var EXPANSION_MAX_DEPTH = 1e3;
var EXPANSION_MAX_REWRITES = 1e3;
var EXPANSION_MAX_STEPS = 2e7;
var CALL_STEPS = 16;
function numeric2(str) {
  return !isNaN(str) ? parseInt(str, 10) : str.charCodeAt(0);
}
function escapeBraces(str) {
  return str.replace(slashPattern, escSlash).replace(openPattern, escOpen).replace(closePattern, escClose).replace(commaPattern, escComma).replace(periodPattern, escPeriod);
}
function unescapeBraces(str) {
  return str.replace(escSlashPattern, "\\").replace(escOpenPattern, "{").replace(escClosePattern, "}").replace(escCommaPattern, ",").replace(escPeriodPattern, ".");
}
function pushAll(target, items) {
  for (let i = 0; i < items.length; i++) {
    target.push(items[i]);
  }
}
function balancedWithBudget(str, masked, budget) {
  if (budget.remaining < 0) {
    return void 0;
  }
  const r = range("{", "}", masked);
  const unmatched = r !== void 0 && masked.indexOf("{") < r[0];
  budget.remaining -= r && !unmatched ? r[1] + 1 : str.length;
  if (!r || budget.remaining < 0) {
    return void 0;
  }
  return {
    end: r[1],
    pre: str.slice(0, r[0]),
    body: str.slice(r[0] + 1, r[1]),
    post: str.slice(r[1] + 1),
    unmatched
  };
}
function maskUnmatchedOpens(masked, budget) {
  budget.remaining -= masked.length;
  const open = [];
  for (let i = 0; i < masked.length; i++) {
    const c = masked.charCodeAt(i);
    if (c === 123) {
      open.push(i);
    } else if (c === 125 && open.length) {
      open.pop();
    }
  }
  let out = "";
  let last = 0;
  for (let i = 0; i < open.length; i++) {
    const at = open[i];
    out += masked.slice(last, at) + "\0";
    last = at + 1;
  }
  return out + masked.slice(last);
}
function commaSetFollows(str, budget) {
  budget.remaining -= str.length;
  if (budget.remaining < 0) {
    return false;
  }
  let close = false;
  for (let i = str.length - 1; i >= 0; i--) {
    const c = str.charCodeAt(i);
    if (c === 125) {
      close = true;
    } else if (c === 10 || c === 13 || c === 8232 || c === 8233) {
      close = false;
    } else if (c === 44 && close && str.charCodeAt(i + 1) !== 44) {
      return true;
    }
  }
  return false;
}
function parseCommaParts(str, budget) {
  const parts = [];
  let carry = "";
  for (; ; ) {
    const m = balancedWithBudget(str, str, budget);
    if (budget.remaining < 0) {
      return void 0;
    }
    if (!m) {
      const tail = str.split(",");
      tail[0] = carry + tail[0];
      pushAll(parts, tail);
      return parts;
    }
    const { pre, body, post } = m;
    const p = pre.split(",");
    p[0] = carry + p[0];
    p[p.length - 1] += "{" + body + "}";
    if (!post.length) {
      pushAll(parts, p);
      return parts;
    }
    carry = p.pop();
    pushAll(parts, p);
    str = post;
  }
}
function bound(value, fallback) {
  return value === void 0 || isNaN(value) ? fallback : value;
}
function expand(str, options = {}) {
  if (!str) {
    return [];
  }
  const max = bound(options.max, EXPANSION_MAX);
  const maxLength = bound(options.maxLength, EXPANSION_MAX_LENGTH);
  const maxDepth = bound(options.maxDepth, EXPANSION_MAX_DEPTH);
  const maxRewrites = bound(options.maxRewrites, EXPANSION_MAX_REWRITES);
  const maxSteps = bound(options.maxSteps, EXPANSION_MAX_STEPS);
  if (str.slice(0, 2) === "{}") {
    str = "\\{\\}" + str.slice(2);
  }
  return expand_(escapeBraces(str), max, maxLength, maxDepth, 0, maxRewrites, { remaining: maxSteps }, true).map(unescapeBraces);
}
function embrace(str) {
  return "{" + str + "}";
}
function isPadded(el) {
  return /^-?0\d/.test(el);
}
function lte(i, y) {
  return i <= y;
}
function gte(i, y) {
  return i >= y;
}
function combine(acc, pre, values, max, maxLength, dropEmpties, budget) {
  const out = [];
  let length = 0;
  let nonEmpty;
  outer: for (let a = 0; a < acc.length; a++) {
    const prefix2 = acc[a] + pre;
    let vs = values;
    if (dropEmpties && !prefix2) {
      if (!nonEmpty)
        nonEmpty = values.filter((v) => v);
      vs = nonEmpty;
    }
    for (let v = 0; v < vs.length; v++) {
      if (out.length >= max)
        break outer;
      const expansion = prefix2 + vs[v];
      if (length + expansion.length > maxLength)
        break outer;
      out.push(expansion);
      length += expansion.length;
    }
  }
  budget.remaining -= out.length;
  return out;
}
function expandSequence(body, isAlphaSequence, max, maxLength, budget) {
  const n = body.split(/\.\./);
  const N = [];
  if (n[0] === void 0 || n[1] === void 0) {
    return N;
  }
  const x = numeric2(n[0]);
  const y = numeric2(n[1]);
  const width = Math.max(n[0].length, n[1].length);
  let incr = n.length === 3 && n[2] !== void 0 ? Math.max(Math.abs(numeric2(n[2])), 1) : 1;
  let test = lte;
  const reverse = y < x;
  if (reverse) {
    incr *= -1;
    test = gte;
  }
  const pad = n.some(isPadded);
  const cost = pad ? width : 1;
  let length = 0;
  for (let i = x; test(i, y) && N.length < max; i += incr) {
    budget.remaining -= cost;
    if (budget.remaining < 0) {
      return void 0;
    }
    let c;
    if (isAlphaSequence) {
      c = String.fromCharCode(i);
      if (c === "\\") {
        c = "";
      }
    } else {
      c = String(i);
      if (pad) {
        const need = width - c.length;
        if (need > 0) {
          const z = new Array(need + 1).join("0");
          if (i < 0) {
            c = "-" + z + c.slice(1);
          } else {
            c = z + c;
          }
        }
      }
    }
    if (length + c.length > maxLength)
      break;
    N.push(c);
    length += c.length;
  }
  return N;
}
function expand_(str, max, maxLength, maxDepth, depth, maxRewrites, budget, isTop) {
  budget.remaining -= CALL_STEPS;
  if (depth > maxDepth) {
    return [str];
  }
  let acc = [""];
  let rewrites = 0;
  let dropEmpties = false;
  let firstGroup = true;
  let masked = str;
  for (; ; ) {
    const m = balancedWithBudget(str, masked, budget);
    if (!m) {
      return combine(acc, str, [""], max, maxLength, dropEmpties, budget);
    }
    if (m.unmatched) {
      masked = maskUnmatchedOpens(masked, budget);
    }
    const pre = m.pre;
    const literal2 = () => combine(acc, pre + "{" + m.body + "}" + m.post, [""], max, maxLength, dropEmpties, budget);
    if (/\$$/.test(pre)) {
      acc = combine(acc, pre + "{" + m.body + "}", [""], max, maxLength, dropEmpties && !m.post.length, budget);
      firstGroup = false;
      if (!m.post.length)
        break;
      str = m.post;
      masked = masked.slice(m.end + 1);
      continue;
    }
    const isNumericSequence = /^-?\d+\.\.-?\d+(?:\.\.-?\d+)?$/.test(m.body);
    const isAlphaSequence = /^[a-zA-Z]\.\.[a-zA-Z](?:\.\.-?\d+)?$/.test(m.body);
    const isSequence = isNumericSequence || isAlphaSequence;
    const isOptions = m.body.indexOf(",") >= 0;
    if (!isSequence && !isOptions) {
      if (rewrites < maxRewrites && commaSetFollows(m.post, budget)) {
        rewrites++;
        str = m.pre + "{" + m.body + escClose + m.post;
        masked = masked.slice(0, m.end) + escClose + masked.slice(m.end + 1);
        isTop = true;
        continue;
      }
      return literal2();
    }
    if (firstGroup) {
      dropEmpties = isTop && !isSequence;
      firstGroup = false;
    }
    let values;
    if (isSequence) {
      values = expandSequence(m.body, isAlphaSequence, max, maxLength, budget);
      if (!values) {
        return literal2();
      }
    } else {
      let n = parseCommaParts(m.body, budget);
      if (!n) {
        return literal2();
      }
      if (n.length === 1 && n[0] !== void 0) {
        n = expand_(n[0], max, maxLength, maxDepth, depth + 1, maxRewrites, budget, false).map(embrace);
        if (budget.remaining < 0) {
          return literal2();
        }
        if (n.length === 1) {
          const next2 = combine(acc, pre + n[0], [""], max, maxLength, dropEmpties && !m.post.length, budget);
          if (budget.remaining < 0) {
            return literal2();
          }
          acc = next2;
          if (!m.post.length)
            break;
          str = m.post;
          masked = masked.slice(m.end + 1);
          continue;
        }
      }
      let dropsEmpties = dropEmpties && !m.post.length && !pre;
      for (let d = 0; dropsEmpties && d < acc.length; d++) {
        if (acc[d]) {
          dropsEmpties = false;
        }
      }
      values = [];
      let valuesLength = 0;
      outer: for (let j = 0; j < n.length; j++) {
        const expanded = expand_(n[j], max, maxLength, maxDepth, depth + 1, maxRewrites, budget, false);
        if (budget.remaining < 0) {
          return literal2();
        }
        for (let k = 0; k < expanded.length; k++) {
          const v = expanded[k];
          if (dropsEmpties && !v)
            continue;
          if (values.length >= max || valuesLength + v.length > maxLength) {
            break outer;
          }
          values.push(v);
          valuesLength += v.length;
        }
      }
    }
    const next = combine(acc, pre, values, max, maxLength, dropEmpties && !m.post.length, budget);
    if (budget.remaining < 0) {
      return literal2();
    }
    acc = next;
    if (!m.post.length)
      break;
    str = m.post;
    masked = masked.slice(m.end + 1);
  }
  return acc;
}

// node_modules/@isaacs/nonrecursive-glob-match/dist/esm/numeric-range.js
var digit = (a, b) => a === b ? { t: "lit", ch: String(a) } : { t: "class", re: new RegExp(`^[${a}-${b}]$`) };
var prefix = (d, alts) => alts.map((s) => [digit(d, d), ...s]);
var fixed = (a, b) => {
  if (!a)
    return [[]];
  let lo = +a[0];
  let hi = +b[0];
  const ra = a.slice(1);
  const rb2 = b.slice(1);
  if (lo === hi)
    return prefix(lo, fixed(ra, rb2));
  const zeros = "0".repeat(ra.length);
  const nines = "9".repeat(ra.length);
  const out = [];
  if (ra !== zeros)
    out.push(...prefix(lo++, fixed(ra, nines)));
  const last = rb2 === nines ? [] : prefix(hi--, fixed(zeros, rb2));
  if (lo <= hi) {
    out.push([digit(lo, hi), ...Array.from(ra, () => digit(0, 9))]);
  }
  out.push(...last);
  return out;
};
var nonneg = (a, b, width) => {
  if (width) {
    return fixed(String(a).padStart(width, "0"), String(b).padStart(width, "0"));
  }
  const out = [];
  for (let len = String(a).length; len <= String(b).length; len++) {
    const lo = Math.max(a, len === 1 ? 0 : 10 ** (len - 1));
    const hi = Math.min(b, 10 ** len - 1);
    out.push(...fixed(String(lo), String(hi)));
  }
  return out;
};
var numericRange = (loStr, hiStr) => {
  let lo = Number(loStr);
  let hi = Number(hiStr);
  if (!Number.isSafeInteger(lo) || !Number.isSafeInteger(hi))
    return;
  if (lo > hi)
    [lo, hi] = [hi, lo];
  const padded = /^-?0\d/.test(loStr) || /^-?0\d/.test(hiStr);
  const width = padded ? Math.max(loStr.length, hiStr.length) : 0;
  const out = [];
  if (lo < 0) {
    const neg = nonneg(Math.max(-hi, 1), -lo, width && width - 1);
    out.push(...neg.map((s) => [{ t: "lit", ch: "-" }, ...s]));
  }
  if (hi >= 0)
    out.push(...nonneg(Math.max(lo, 0), hi, width));
  return out;
};

// node_modules/@isaacs/nonrecursive-glob-match/dist/esm/parse-class.js
var posixClasses = {
  "[:alnum:]": ["\\p{L}\\p{Nl}\\p{Nd}"],
  "[:alpha:]": ["\\p{L}\\p{Nl}"],
  "[:ascii:]": ["\\x00-\\x7f"],
  "[:blank:]": ["\\p{Zs}\\t"],
  "[:cntrl:]": ["\\p{Cc}"],
  "[:digit:]": ["\\p{Nd}"],
  "[:graph:]": ["\\p{Z}\\p{C}", true],
  "[:lower:]": ["\\p{Ll}"],
  "[:print:]": ["\\p{C}", true],
  "[:punct:]": ["\\p{P}\\p{S}"],
  "[:space:]": ["\\p{Z}\\t\\r\\n\\v\\f"],
  "[:upper:]": ["\\p{Lu}"],
  "[:word:]": ["\\p{L}\\p{Nl}\\p{Nd}\\p{Pc}"],
  "[:xdigit:]": ["A-Fa-f0-9"]
};
var braceEscape = (s) => s.replace(/[[\]\\-]/g, "\\$&");
var noMatch = /$./;
var parseClass = (glob, position, nocase = false, form) => {
  const norm = (c) => {
    const n = form ? c.normalize(form) : c;
    return [...n].length === 1 ? n : c;
  };
  const pos = position;
  if (glob.charAt(pos) !== "[") {
    throw new Error("not in a brace expression");
  }
  const ranges = [];
  const negs = [];
  let i = pos + 1;
  let sawStart = false;
  let escaping = false;
  let negate = false;
  let endPos = pos;
  let rangeStart = "";
  WHILE: while (i < glob.length) {
    const c = String.fromCodePoint(glob.codePointAt(i));
    if ((c === "!" || c === "^") && i === pos + 1) {
      negate = true;
      i++;
      continue;
    }
    if (c === "]" && sawStart && !escaping) {
      endPos = i + 1;
      break;
    }
    sawStart = true;
    if (c === "\\") {
      if (!escaping) {
        escaping = true;
        i++;
        continue;
      }
    }
    if (c === "[" && !escaping) {
      for (const [cls, [unip, neg]] of Object.entries(posixClasses)) {
        if (glob.startsWith(cls, i)) {
          if (rangeStart) {
            return [noMatch, glob.length - pos];
          }
          i += cls.length;
          if (neg)
            negs.push(unip);
          else
            ranges.push(unip);
          continue WHILE;
        }
      }
    }
    escaping = false;
    const n = norm(c);
    if (rangeStart) {
      if (n.codePointAt(0) > rangeStart.codePointAt(0)) {
        ranges.push(braceEscape(rangeStart) + "-" + braceEscape(n));
      } else if (n === rangeStart) {
        ranges.push(braceEscape(n));
      }
      rangeStart = "";
      i += c.length;
      continue;
    }
    if (glob.startsWith("-]", i + c.length)) {
      ranges.push(braceEscape(n + "-"));
      i += c.length + 1;
      continue;
    }
    if (glob.startsWith("-", i + c.length)) {
      rangeStart = n;
      i += c.length + 1;
      continue;
    }
    ranges.push(braceEscape(n));
    i += c.length;
  }
  if (endPos < i) {
    return [noMatch, 0];
  }
  if (!ranges.length && !negs.length) {
    return [noMatch, glob.length - pos];
  }
  const sranges = "[" + (negate ? "^" : "") + ranges.join("") + "]";
  const snegs = "[" + (negate ? "" : "^") + negs.join("") + "]";
  const comb = "^" + (ranges.length && negs.length ? "(" + sranges + "|" + snegs + ")" : ranges.length ? sranges : snegs);
  return [new RegExp(comb, nocase ? "iu" : "u"), endPos - pos];
};

// node_modules/@isaacs/nonrecursive-glob-match/dist/esm/index.js
var MATCH = { t: "match", id: 0 };
var extTypes = "!?+*@";
var lit = (ch) => ({ t: "lit", ch });
var reEscape = (s) => s.replace(/[\\^$.*+?()[\]{}|/]/g, "\\$&");
var newFoldRe = (s) => new RegExp(`^${reEscape(s)}$`, "iu");
var foldCache = /* @__PURE__ */ new Map();
var foldRe = (ch) => {
  let re = foldCache.get(ch);
  if (!re) {
    re = newFoldRe(ch);
    if (foldCache.size >= 1e3)
      foldCache.clear();
    foldCache.set(ch, re);
  }
  return re;
};
var litMatch = (l, c) => {
  if (c === l.ch)
    return true;
  if (!l.re)
    return false;
  const code = c.charCodeAt(0);
  if (code >= 128)
    return l.re.test(c);
  const ascii = l.ascii ??= new Uint8Array(128);
  ascii[code] ||= l.re.test(c) ? 1 : 2;
  return ascii[code] === 1;
};
var tokenize = (p, nocase, noext, form, mark) => {
  const toks = [];
  for (let i = 0; i < p.length; ) {
    const c = String.fromCodePoint(p.codePointAt(i));
    if (mark) {
      const m = c === "\\" && p.startsWith(mark, i + 1) ? 1 : 0;
      if (m || c === mark) {
        const start = i + m + mark.length;
        const end = p.indexOf(mark, start);
        const r = /^(-?\d+)\.\.(-?\d+)$/.exec(p.slice(start, end));
        const alts = end !== -1 && r && numericRange(r[1], r[2]);
        if (alts) {
          toks.push({ t: "ext", type: "@", alts });
          i = end + mark.length;
          continue;
        }
      }
    }
    if (c === "\\") {
      const e = p.codePointAt(i + 1);
      const ch = e === void 0 ? c : String.fromCodePoint(e);
      toks.push(lit(ch));
      i += 1 + ch.length;
      continue;
    }
    if (c === "[") {
      const [re, consumed] = parseClass(p, i, nocase, form);
      if (consumed) {
        toks.push({ t: "class", re });
        i += consumed;
        continue;
      }
    }
    if (!noext && extTypes.includes(c) && p[i + 1] === "(") {
      toks.push({ t: "open", type: c });
      i += 2;
      continue;
    }
    toks.push(!noext && c === "|" ? { t: "bar" } : !noext && c === ")" ? { t: "close" } : c === "*" ? { t: "star" } : c === "?" ? { t: "any" } : lit(c));
    i += c.length;
  }
  return toks;
};
var pair = (toks) => {
  const pairs = /* @__PURE__ */ new Map();
  const stack = [];
  toks.forEach((tok, i) => {
    if (tok.t === "open")
      stack.push(i);
    else if (tok.t === "close" && stack.length)
      pairs.set(stack.pop(), i);
  });
  return pairs;
};
var build = (toks, pairs, start, end, top) => {
  let seq = [];
  const alts = [seq];
  for (let i = start; i < end; i++) {
    const tok = toks[i];
    const close = pairs.get(i);
    if (tok.t === "open" && close !== void 0) {
      const sub = build(toks, pairs, i + 1, close, false);
      seq.push({ t: "ext", type: tok.type, alts: sub });
      i = close;
    } else if (tok.t === "bar" && !top) {
      alts.push(seq = []);
    } else if (tok.t === "open") {
      seq.push(lit(tok.type), lit("("));
    } else if (tok.t === "bar") {
      seq.push(lit("|"));
    } else if (tok.t === "close") {
      seq.push(lit(")"));
    } else {
      seq.push(tok);
    }
  }
  return alts;
};
var normalize = (items, form) => {
  const out = [];
  let run2 = "";
  const flush = () => {
    for (const ch of run2.normalize(form))
      out.push(lit(ch));
    run2 = "";
  };
  for (const it of items) {
    if (it.t === "lit") {
      run2 += it.ch;
      continue;
    }
    flush();
    out.push(it.t === "ext" ? { ...it, alts: it.alts.map((a) => normalize(a, form)) } : it);
  }
  flush();
  return out;
};
var compile = (items, nocase) => {
  let id2 = 1;
  const split = (out) => ({ t: "split", id: id2++, out });
  const seq = (items2, next) => items2.reduceRight((next2, it) => item(it, next2), next);
  const item = (it, next) => {
    switch (it.t) {
      case "lit":
        const re = nocase ? foldRe(it.ch) : void 0;
        return { t: "lit", id: id2++, ch: it.ch, re, next };
      case "any":
      case "star":
        return { t: it.t, id: id2++, next };
      case "class":
        return { t: "class", id: id2++, re: it.re, next };
    }
    const alts = (next2) => it.alts.map((a) => seq(a, next2));
    switch (it.type) {
      case "@":
        return split(alts(next));
      case "?":
        return split([next, ...alts(next)]);
      case "!":
        return { t: "neg", id: id2++, sub: split(alts(MATCH)), next };
    }
    const after = split([]);
    const entry = split(alts(after));
    after.out.push(next, entry);
    return it.type === "*" ? after : entry;
  };
  const start = seq(items, MATCH);
  return [start, id2];
};
var show = (start) => {
  const lines = [];
  const seen = /* @__PURE__ */ new Set();
  const ref = (n) => n.t === "match" ? "match" : String(n.id);
  const walk = (n, indent) => {
    if (n.t === "match" || seen.has(n))
      return;
    seen.add(n);
    const line = (desc) => lines.push(`${indent}${n.id}: ${desc}`);
    switch (n.t) {
      case "split":
        line(`split -> ${n.out.map(ref).join(", ")}`);
        for (const o of n.out)
          walk(o, indent);
        return;
      case "neg":
        line(`!(${ref(n.sub)}) -> ${ref(n.next)}`);
        walk(n.sub, indent + "  ");
        return walk(n.next, indent);
      case "lit":
        line(`${JSON.stringify(n.ch)} -> ${ref(n.next)}`);
        break;
      case "class":
        line(`${n.re} -> ${ref(n.next)}`);
        break;
      default:
        line(`${n.t === "any" ? "?" : "*"} -> ${ref(n.next)}`);
    }
    walk(n.next, indent);
  };
  walk(start, "");
  return [`start -> ${ref(start)}`, ...lines].join("\n");
};
var State = class {
  // set by the Sim, to mark the nodes that this state has
  gen;
  threads = [];
  match = false;
  runs = [];
  // the sorted ids of the threads, with 0 for a match, once the
  // state is done
  ids = [];
  constructor(gen) {
    this.gen = gen;
  }
  // no threads, so nothing more can match
  get dead() {
    return !this.threads.length && !this.match && !this.runs.length;
  }
};
var sameState = (a, b) => {
  if (a.ids.length !== b.ids.length)
    return false;
  if (a.runs.length !== b.runs.length)
    return false;
  if (a.ids.some((id2, i) => id2 !== b.ids[i]))
    return false;
  return a.runs.every((r) => b.runs.some((o) => o.neg === r.neg && sameState(o.state, r.state)));
};
var marks = (size) => ({
  has: new Float64Array(size),
  seen: new Float64Array(size),
  gen: 0
});
var Sim = class {
  // `.` and `..` only match literal dots, even with `dot:true`
  dots;
  // the string starts with `.`, and `dot:true` is not set
  dotStart;
  #marks;
  constructor(dots, dotStart, marks2) {
    this.dots = dots;
    this.dotStart = dotStart;
    this.#marks = marks2;
  }
  state() {
    return new State(++this.#marks.gen);
  }
  // sort the ids of a state, once it has all of its threads
  done(state) {
    state.ids = state.threads.map((n) => n.id).sort((a, b) => a - b);
    if (state.match)
      state.ids.unshift(MATCH.id);
    return state;
  }
  // true the first time that the state walks through the node, so
  // that loops in the graph stop
  #visit(state, node) {
    const { seen } = this.#marks;
    if (seen[node.id] === state.gen)
      return false;
    seen[node.id] = state.gen;
    return true;
  }
  #addThread(state, node) {
    const { has } = this.#marks;
    if (has[node.id] === state.gen)
      return false;
    has[node.id] = state.gen;
    state.threads.push(node);
    return true;
  }
  // wildcards only match a leading dot if `dot:true`. In a negated
  // sub-pattern, this does not apply, because the negation itself
  // can not match a leading dot.
  restricted(i, top) {
    return top && (this.dots || this.dotStart && i === 0);
  }
  add(state, node, i, top) {
    switch (node.t) {
      case "split":
        if (!this.#visit(state, node))
          return;
        for (const o of node.out)
          this.add(state, o, i, top);
        return;
      case "neg":
        if (!this.#visit(state, node))
          return;
        const sub = this.state();
        this.add(sub, node.sub, i, false);
        this.done(sub);
        return this.addRun(state, { t: "run", neg: node, state: sub }, i, top);
      case "star":
        if (this.restricted(i, top))
          return;
        if (this.#addThread(state, node))
          this.add(state, node.next, i, top);
        return;
      case "match":
        state.match = true;
        return;
      default:
        this.#addThread(state, node);
    }
  }
  addRun(state, run2, i, top) {
    for (const r of state.runs) {
      if (r.neg === run2.neg && sameState(r.state, run2.state))
        return;
    }
    state.runs.push(run2);
    if (!run2.state.match) {
      this.add(state, run2.neg.next, i, top);
    }
  }
  // the threads after char `c`, at index `i`
  step(state, c, i, top) {
    const next = this.state();
    for (const th of state.threads) {
      switch (th.t) {
        case "lit":
          if (litMatch(th, c)) {
            this.add(next, th.next, i + 1, top);
          }
          break;
        case "any":
          if (!this.restricted(i, top))
            this.add(next, th.next, i + 1, top);
          break;
        case "class":
          if (!this.restricted(i, top) && th.re.test(c)) {
            this.add(next, th.next, i + 1, top);
          }
          break;
        case "star":
          if (!this.restricted(i, top))
            this.add(next, th, i + 1, top);
      }
    }
    if (!this.restricted(i, top)) {
      for (const run2 of state.runs) {
        if (run2.state.dead) {
          this.addRun(next, run2, i + 1, top);
          continue;
        }
        const sub = this.step(run2.state, c, i, false);
        this.addRun(next, { t: "run", neg: run2.neg, state: sub }, i + 1, top);
      }
    }
    return this.done(next);
  }
};
var stateKey = (state) => {
  const ids = state.ids.join();
  if (!state.runs.length)
    return ids;
  const runs = state.runs.map((r) => `${r.neg.id}(${stateKey(r.state)})`);
  return `${ids}|${runs.sort().join("|")}`;
};
var DFA_BUDGET = 1 << 18;
var Dfa = class {
  #start;
  #states = /* @__PURE__ */ new Map();
  #size = 0;
  #plain;
  #dotStart;
  #sim;
  #dotSim;
  constructor(start, marks2) {
    this.#start = start;
    this.#sim = new Sim(false, false, marks2);
    this.#dotSim = new Sim(false, true, marks2);
  }
  #make(state) {
    return {
      state,
      match: state.match,
      dead: state.dead,
      next: /* @__PURE__ */ new Map()
    };
  }
  #intern(state) {
    const key = stateKey(state);
    const found = this.#states.get(key);
    if (found)
      return found;
    if (this.#size > DFA_BUDGET)
      this.#clear();
    const d = this.#make(state);
    this.#states.set(key, d);
    this.#size += key.length + 1;
    return d;
  }
  #clear() {
    this.#states.clear();
    this.#size = 0;
    this.#plain = void 0;
    this.#dotStart = void 0;
  }
  start(dotStart) {
    if (dotStart) {
      if (this.#dotStart)
        return this.#dotStart;
      const state2 = this.#dotSim.state();
      this.#dotSim.add(state2, this.#start, 0, true);
      return this.#dotStart = this.#make(this.#dotSim.done(state2));
    }
    if (this.#plain)
      return this.#plain;
    const state = this.#sim.state();
    this.#sim.add(state, this.#start, 0, true);
    return this.#plain = this.#intern(this.#sim.done(state));
  }
  // the next state, after a miss in `d.ascii`
  next(d, c) {
    const code = c.charCodeAt(0);
    const found = code < 128 ? void 0 : d.next.get(c);
    if (found)
      return found;
    const n = d === this.#dotStart ? this.#intern(this.#dotSim.step(d.state, c, 0, true)) : this.#intern(this.#sim.step(d.state, c, 1, true));
    if (code < 128) {
      if (!d.ascii) {
        d.ascii = new Array(128);
        this.#size += 128;
      }
      d.ascii[code] = n;
    } else {
      d.next.set(c, n);
    }
    this.#size++;
    return n;
  }
};
var linear = (start) => {
  const nodes = [];
  for (let n = start; n.t !== "match"; n = n.next) {
    if (n.t === "split" || n.t === "neg")
      return void 0;
    nodes.push(n);
  }
  return nodes;
};
var testLinear = (nodes, chars, start, end) => {
  let ni = 0;
  let ci = start;
  let starNi = -1;
  let starCi = 0;
  while (ci < end) {
    const n = nodes[ni];
    if (n?.t === "star") {
      starNi = ni++;
      starCi = ci;
      continue;
    }
    const c = chars[ci];
    if (n && (n.t === "any" || n.t === "lit" && litMatch(n, c) || n.t === "class" && n.re.test(c))) {
      ni++;
      ci++;
      continue;
    }
    if (starNi === -1)
      return false;
    ni = starNi + 1;
    ci = ++starCi;
  }
  while (nodes[ni]?.t === "star")
    ni++;
  return ni === nodes.length;
};
var lengths = (items) => {
  let min = 0;
  let max = 0;
  for (const it of items) {
    const [lo, hi] = itemLengths(it);
    min += lo;
    max += hi;
  }
  return [min, max];
};
var itemLengths = (it) => {
  if (it.t === "star")
    return [0, Infinity];
  if (it.t !== "ext")
    return [1, 1];
  if (it.type === "!")
    return [0, Infinity];
  const alts = it.alts.map(lengths);
  const min = Math.min(...alts.map((a) => a[0]));
  const max = Math.max(...alts.map((a) => a[1]));
  const loop = max === 0 ? 0 : Infinity;
  return it.type === "@" ? [min, max] : it.type === "?" ? [0, max] : it.type === "*" ? [0, loop] : [min, loop];
};
var hasAffix = (lits, chars, start) => {
  for (let j = 0; j < lits.length; j++) {
    if (!litMatch(lits[j], chars[start + j]))
      return false;
  }
  return true;
};
var slashOrSurrogate = /[/\ud800-\udfff]/;
var surrogate = /[\ud800-\udfff]/;
var codePoints = (s) => surrogate.test(s) ? [...s] : s;
var noSlash = (s) => {
  if (s.includes("/")) {
    throw new Error("can only match a single path portion, got: " + s);
  }
};
var Matcher = class {
  pattern;
  options;
  #start;
  // the number of node ids
  #size;
  #marks;
  // the Sim for strings that are only `.` or `..`
  #dotsSim;
  // the string to compare, if the pattern has no magic. With
  // `nocase:true`, the RegExp that folds case is made when it is
  // first used.
  #literal;
  #literalFold = false;
  #literalRe;
  // the nodes between the prefix and suffix, if the graph is a
  // single chain
  #linear;
  // the linear nodes are only `*` and `?`, so the length bounds and
  // the prefix and suffix decide the match
  #wild = false;
  // the least and most chars that a match can have
  #min = 0;
  #max = Infinity;
  // the literals that a match must start and end with. Each one
  // matches exactly one char, and they are distinct items in the
  // pattern, so a string that does not have them can not match.
  #prefix = [];
  #suffix = [];
  // the prefix and suffix as strings, if they do not fold case
  #prefixStr;
  #suffixStr;
  // there is a prefix or suffix to check
  #affix = false;
  #dfa;
  #form;
  constructor(pattern, options = {}) {
    if (pattern.includes("/")) {
      throw new Error("can only match a single path portion, got pattern: " + pattern);
    }
    this.pattern = pattern;
    this.options = options;
    const { nocase = false, noext = false, normalize: n } = options;
    this.#form = n === true ? "NFC" : n || void 0;
    const literal2 = /^[?*+@]\(\)$/.test(pattern);
    const toks = tokenize(pattern, nocase, noext || literal2, this.#form, options.rangeMark);
    let [items] = build(toks, pair(toks), 0, toks.length, true);
    if (this.#form)
      items = normalize(items, this.#form);
    const [start, size] = compile(items, nocase);
    this.#start = start;
    this.#size = size;
    if (items.every((it) => it.t === "lit")) {
      this.#literal = items.map((it) => it.ch).join("");
      this.#literalFold = nocase;
    } else {
      const lit2 = (it) => it.t !== "lit" ? void 0 : nocase ? { ch: it.ch, re: foldRe(it.ch) } : { ch: it.ch };
      for (const it of items) {
        const l = lit2(it);
        if (!l)
          break;
        this.#prefix.push(l);
      }
      for (let j = items.length - 1; j >= 0; j--) {
        const l = lit2(items[j]);
        if (!l)
          break;
        this.#suffix.unshift(l);
      }
      this.#affix = !!(this.#prefix.length || this.#suffix.length);
      if (!nocase) {
        this.#prefixStr = this.#prefix.map((l) => l.ch).join("");
        this.#suffixStr = this.#suffix.map((l) => l.ch).join("");
      }
      this.#linear = linear(this.#start)?.slice(this.#prefix.length, -this.#suffix.length || void 0);
      this.#wild = !!this.#linear?.every((n2) => n2.t === "star" || n2.t === "any");
      const [min, max] = lengths(items);
      this.#min = min;
      this.#max = max;
    }
  }
  test(s) {
    if (this.#form) {
      noSlash(s);
      return this.#test(s.normalize(this.#form));
    }
    if (slashOrSurrogate.test(s)) {
      noSlash(s);
      return this.#test(s, [...s]);
    }
    return this.#test(s, s);
  }
  /**
   * The same as {@link Matcher#test}, but the string is not checked
   * for `/` chars, so the result for a string that has one is not
   * defined. Only use it for a string that is known to be one path
   * portion, such as a part of a path that was split on `/`. It can
   * be faster, because some patterns do not need to look at each char
   * of the string.
   */
  testUnchecked(s) {
    return this.#test(this.#form ? s.normalize(this.#form) : s);
  }
  // Test a string that has no `/`. `chars` indexes it by code point.
  // If it is not given, it is only found if a step needs it.
  #test(s, chars) {
    if (this.#literal !== void 0) {
      return this.#literalFold ? (this.#literalRe ??= newFoldRe(this.#literal)).test(s) : s === this.#literal;
    }
    const min = this.#min;
    const max = this.#max;
    if (chars === void 0) {
      const most = s.length;
      const least = most + 1 >> 1;
      if (most < min || least > max)
        return false;
      if (least < min || most > max)
        chars = codePoints(s);
    }
    if (chars !== void 0 && (chars.length < min || chars.length > max)) {
      return false;
    }
    const prefix2 = this.#prefix.length;
    if (this.#affix) {
      if (this.#prefixStr !== void 0 && this.#suffixStr !== void 0) {
        if (!s.startsWith(this.#prefixStr) || !s.endsWith(this.#suffixStr)) {
          return false;
        }
      } else {
        chars ??= codePoints(s);
        const end = chars.length - this.#suffix.length;
        if (!hasAffix(this.#prefix, chars, 0) || !hasAffix(this.#suffix, chars, end)) {
          return false;
        }
      }
    }
    const dotStart = !this.options.dot && s.startsWith(".");
    if (this.#linear) {
      if (s === "." || s === "..")
        return false;
      if (dotStart && !prefix2)
        return false;
      if (this.#wild)
        return true;
      chars ??= codePoints(s);
      const end = chars.length - this.#suffix.length;
      return testLinear(this.#linear, chars, prefix2, end);
    }
    chars ??= codePoints(s);
    if (s === "." || s === "..") {
      this.#marks ??= marks(this.#size);
      const sim = this.#dotsSim ??= new Sim(true, false, this.#marks);
      const start = sim.state();
      sim.add(start, this.#start, 0, true);
      let state = sim.done(start);
      for (let i = 0; i < chars.length; i++) {
        state = sim.step(state, chars[i], i, true);
      }
      return state.match;
    }
    this.#marks ??= marks(this.#size);
    const dfa = this.#dfa ??= new Dfa(this.#start, this.#marks);
    let d = dfa.start(dotStart);
    const str = chars === s;
    for (let i = 0; i < chars.length; i++) {
      if (d.dead)
        return false;
      const code = str ? s.charCodeAt(i) : chars[i].charCodeAt(0);
      d = d.ascii?.[code] ?? dfa.next(d, chars[i]);
    }
    return d.match;
  }
  /** a readable listing of the state machine */
  toString() {
    return show(this.#start);
  }
};

// node_modules/minimatch/dist/esm/assert-valid-pattern.js
var MAX_PATTERN_LENGTH = 1024 * 64;
var assertValidPattern = (pattern) => {
  if (typeof pattern !== "string") {
    throw new TypeError("invalid pattern");
  }
  if (pattern.length > MAX_PATTERN_LENGTH) {
    throw new TypeError("pattern is too long");
  }
};

// node_modules/minimatch/dist/esm/escape.js
var escape = (s, { windowsPathsNoEscape = false, magicalBraces = false } = {}) => {
  const e = magicalBraces ? windowsPathsNoEscape ? s.replace(/[?*()[\]{}]/g, "[$&]") : s.replace(/[?*()[\]\\{}]/g, "\\$&") : windowsPathsNoEscape ? s.replace(/[?*()[\]]/g, "[$&]") : s.replace(/[?*()[\]\\]/g, "\\$&");
  const c = e.charAt(0);
  if (c === "#") {
    return (windowsPathsNoEscape ? "[#]" : "\\#") + e.slice(1);
  }
  if (c === "!") {
    return (windowsPathsNoEscape ? "@(!)" : "\\!") + e.slice(1);
  }
  return e;
};

// node_modules/minimatch/dist/esm/unescape.js
var unescape = (s, { windowsPathsNoEscape = false, magicalBraces = true } = {}) => {
  if (windowsPathsNoEscape && s.startsWith("@(!)")) {
    return "!" + unescape(s.slice(4), { windowsPathsNoEscape, magicalBraces });
  }
  if (magicalBraces) {
    return windowsPathsNoEscape ? s.replace(/\[([^/\\])\]/g, "$1") : s.replace(/((?!\\).|^)\[([^/\\])\]/g, "$1$2").replace(/\\([^/])/g, "$1");
  }
  return windowsPathsNoEscape ? s.replace(/\[([^/\\{}])\]/g, "$1") : s.replace(/((?!\\).|^)\[([^/\\{}])\]/g, "$1$2").replace(/\\([^/{}])/g, "$1");
};

// node_modules/minimatch/dist/esm/index.js
var DEFAULT_BRACE_EXPAND_MAX = 1e5;
var DEFAULT_GLOB_STAR_RECURSION_MAX = 200;
var AWE_KEY = "allowWindowsEscape";
var minimatch = (p, pattern, options) => {
  assertValidPattern(pattern);
  if (!options?.nocomment && pattern.charAt(0) === "#") {
    return false;
  }
  return cachedMinimatch(pattern, options).match(p);
};
var cache = /* @__PURE__ */ new Map();
var oldCache = /* @__PURE__ */ new Map();
var cacheSize = 0;
var cacheTotalWeight = 0;
var cacheMax = 256;
var cacheMaxWeight = 1 << 15;
var cacheMaxEntryWeight = 1 << 12;
var cacheWeight = (mm) => {
  let w = mm.pattern.length;
  for (const s of mm.globSet) {
    w += s.length + 1;
    if (w > cacheMaxEntryWeight)
      break;
  }
  return w;
};
var tri = (v) => v === void 0 ? 0 : v ? 2 : 1;
var booleanWeights = new Map(Object.keys({
  nobrace: 0,
  nocomment: 0,
  nonegate: 0,
  noglobstar: 0,
  noext: 0,
  nonull: 0,
  partial: 0,
  dot: 0,
  nocase: 0,
  nocaseMagicOnly: 0,
  magicalBraces: 0,
  matchBase: 0,
  flipNegate: 0,
  preserveMultipleSlashes: 0,
  windowsNoMagicRoot: 0
}).map((k, i) => [k, 24 * 3 ** i]));
var optionsKey = (o) => {
  let n = 0;
  let wpe = false;
  for (const k in o) {
    const v = o[k];
    switch (k) {
      // the same test as the Minimatch constructor
      case "windowsPathsNoEscape":
        if (v)
          wpe = true;
        break;
      case AWE_KEY:
        if (v === false)
          wpe = true;
        break;
      case "platform": {
        const p = v || defaultPlatform;
        if (p === defaultPlatform)
          break;
        if (p === "darwin")
          n += 3;
        else if (p === "win32")
          n += 6;
        else if (p === "linux")
          n += 9;
        else
          return JSON.stringify(o);
        break;
      }
      case "optimizationLevel":
        if (v === void 0)
          break;
        n += v >= 2 ? 1 : v >= 1 ? 0 : 2;
        break;
      case "braceExpandMax":
        if (v !== void 0 && v !== DEFAULT_BRACE_EXPAND_MAX) {
          return JSON.stringify(o);
        }
        break;
      case "maxGlobstarRecursion":
        if (v !== void 0 && v !== DEFAULT_GLOB_STAR_RECURSION_MAX) {
          return JSON.stringify(o);
        }
        break;
      case "normalize":
        if (v !== void 0)
          return JSON.stringify(o);
        break;
      default:
        n += (booleanWeights.get(k) ?? 0) * tri(v);
    }
  }
  return wpe ? n + 12 : n;
};
var copyOptions = (o) => {
  const copy = {};
  for (const k in o)
    copy[k] = o[k];
  return copy;
};
var cachedMinimatch = (pattern, options) => {
  const key = options ? optionsKey(options) : 0;
  let mm = cache.get(key)?.get(pattern);
  if (mm)
    return mm;
  mm = oldCache.get(key)?.get(pattern) ?? new Minimatch(pattern, copyOptions(options));
  const weight = cacheWeight(mm);
  if (weight > cacheMaxEntryWeight)
    return mm;
  if (cacheSize >= cacheMax || cacheTotalWeight + weight > cacheMaxWeight) {
    oldCache = cache;
    cache = /* @__PURE__ */ new Map();
    cacheSize = 0;
    cacheTotalWeight = 0;
  }
  let byPattern = cache.get(key);
  if (!byPattern)
    cache.set(key, byPattern = /* @__PURE__ */ new Map());
  byPattern.set(pattern, mm);
  cacheSize++;
  cacheTotalWeight += weight;
  return mm;
};
var defaultPlatform = typeof process === "object" && process ? process.env?.__MINIMATCH_TESTING_PLATFORM__ || process.platform : "posix";
var path = {
  win32: { sep: "\\" },
  posix: { sep: "/" }
};
var sep = defaultPlatform === "win32" ? path.win32.sep : path.posix.sep;
minimatch.sep = sep;
var GLOBSTAR = /* @__PURE__ */ Symbol("globstar **");
minimatch.GLOBSTAR = GLOBSTAR;
var filter = (pattern, options) => {
  let mm;
  return (p) => (mm ??= cachedMinimatch(pattern, options)).match(p);
};
minimatch.filter = filter;
var ext = (a, b = {}) => Object.assign({}, a, b);
var defaults = (def) => {
  if (!def || typeof def !== "object" || !Object.keys(def).length) {
    return minimatch;
  }
  const orig = minimatch;
  const m = (p, pattern, options = {}) => orig(p, pattern, ext(def, options));
  return Object.assign(m, {
    Minimatch: class Minimatch extends orig.Minimatch {
      constructor(pattern, options = {}) {
        super(pattern, ext(def, options));
      }
      static defaults(options) {
        return orig.defaults(ext(def, options)).Minimatch;
      }
    },
    unescape: (s, options = {}) => orig.unescape(s, ext(def, options)),
    escape: (s, options = {}) => orig.escape(s, ext(def, options)),
    filter: (pattern, options = {}) => orig.filter(pattern, ext(def, options)),
    defaults: (options) => orig.defaults(ext(def, options)),
    braceExpand: (pattern, options = {}) => orig.braceExpand(pattern, ext(def, options)),
    match: (list, pattern, options = {}) => orig.match(list, pattern, ext(def, options)),
    sep: orig.sep,
    GLOBSTAR
  });
};
minimatch.defaults = defaults;
var braceExpand = (pattern, options = {}) => {
  assertValidPattern(pattern);
  if (options.nobrace || !/\{(?:(?!\{).)*\}/.test(pattern)) {
    return [pattern];
  }
  let p = pattern.replace(/\\\\/g, "\\\\\\\\");
  if (options.windowsPathsNoEscape || options[AWE_KEY] === false) {
    p = p.replace(/\[([{}])\]/g, "[\\$1]");
  }
  return expand(p, { max: options.braceExpandMax });
};
minimatch.braceExpand = braceExpand;
var RANGE_MIN = 100;
var rangeRe = /(?<![\\$])\{(-?\d+)\.\.(-?\d+)\}/g;
var inRepeatOrNegExt = (portion, mark) => {
  const stack = [];
  for (let i = 0; i < portion.length; i++) {
    const c = portion.charAt(i);
    if (c === "\\") {
      i++;
    } else if (c === mark) {
      if (stack.some((t) => t !== "@" && t !== "?"))
        return true;
    } else if (portion.charAt(i + 1) === "(" && "!?+*@".includes(c)) {
      stack.push(c);
      i++;
    } else if (c === ")") {
      stack.pop();
    }
  }
  return false;
};
var match = (list, pattern, options = {}) => {
  const mm = new Minimatch(pattern, options);
  list = list.filter((f) => mm.match(f));
  if (mm.options.nonull && !list.length) {
    list.push(pattern);
  }
  return list;
};
minimatch.match = match;
var globMagic = /[?*]|[+@!]\(.*?\)|\[|\]/;
var classEnd = (pattern, start) => {
  let i = start + 1;
  if (pattern.charAt(i) === "!" || pattern.charAt(i) === "^")
    i++;
  let sawStart = false;
  for (; i < pattern.length; i++) {
    const c = pattern.charAt(i);
    if (c === "]" && sawStart)
      return i;
    sawStart = true;
    if (c === "\\")
      i++;
  }
  return -1;
};
var literal = (pattern, noext) => {
  if (!noext && (pattern === "+()" || pattern === "@()"))
    return pattern;
  let lit2 = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charAt(i);
    if (c === "\\") {
      lit2 += pattern.charAt(++i) || c;
    } else if (c === "*" || c === "?") {
      return void 0;
    } else if (c === "[") {
      const close = classEnd(pattern, i);
      if (close === -1) {
        lit2 += c;
        continue;
      }
      let body = pattern.slice(i + 1, close);
      if (body.startsWith("\\"))
        body = body.slice(1);
      if ([...body].length !== 1 || "!^".includes(pattern.charAt(i + 1))) {
        return void 0;
      }
      lit2 += body;
      i = close;
    } else if (!noext && "+@!".includes(c) && pattern.charAt(i + 1) === "(" && pattern.includes(")", i + 2)) {
      return void 0;
    } else {
      lit2 += c;
    }
  }
  return lit2;
};
var MAX_EXTGLOBS = 256;
var extglobCount = (pattern) => {
  let n = 0;
  for (let i = 0; i < pattern.length - 1; i++) {
    const c = pattern.charAt(i);
    if (c === "\\") {
      i++;
    } else if ("+@!?*".includes(c) && pattern.charAt(i + 1) === "(") {
      n++;
      i++;
    }
  }
  return n;
};
var assertValidExtglobs = (pattern) => {
  if (extglobCount(pattern) > MAX_EXTGLOBS) {
    throw new TypeError("pattern has too many extglobs");
  }
};
var extSafe = (pattern) => {
  if (/^[?*+@]\(\)$/.test(pattern) || pattern.includes("[:"))
    return false;
  let depth = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charAt(i);
    if (c === "\\") {
      if (++i === pattern.length)
        return false;
    } else if (c === "[") {
      const close = classEnd(pattern, i);
      if (close !== -1)
        i = close;
    } else if ("+@!?*".includes(c) && pattern.charAt(i + 1) === "(") {
      depth++;
      i++;
    } else if (c === ")") {
      if (!depth--)
        return false;
    } else if (c === "|" && !depth) {
      return false;
    }
  }
  return !depth;
};
var lastSplit;
var lastChecked;
var portionMatch = (p, f) => typeof p === "string" ? f === p : f !== "" && p.testUnchecked(f);
var endIndex = (p, last, lastStart, prev, prevStart) => portionMatch(p, last) ? lastStart : prev !== void 0 && portionMatch(p, prev) ? prevStart : -1;
var isDots = (p) => p === "." || p === "..";
var isDrive = (p) => typeof p === "string" && /^[a-z]:$/i.test(p);
var isLongUNC = (p) => typeof p === "string" && /^unc$/i.test(p);
var uncHost = (p) => {
  if (p[0] !== "" || p[1] !== "")
    return -1;
  const h = p[2] !== "?" ? 2 : isLongUNC(p[3]) ? 4 : -1;
  const host = p[h];
  const share = p[h + 1];
  return h !== -1 && host !== void 0 && host !== "" && host !== GLOBSTAR && share !== void 0 && share !== "" && share !== GLOBSTAR ? h : -1;
};
var walkable = (p, dot) => !isDots(p) && (dot || !p.startsWith("."));
var dotPortion = (f, start, end, dot, sep2) => {
  for (let k = start; k < end; ) {
    if (f.charCodeAt(k) === 46) {
      if (!dot)
        return true;
      const n = f.charCodeAt(k + 1) === 46 ? k + 2 : k + 1;
      if (n >= end || isSep(f.charCodeAt(n), sep2))
        return true;
    }
    const s = nextSep(f, k, sep2);
    if (s === -1)
      return false;
    k = s + 1;
    while (k < end && isSep(f.charCodeAt(k), sep2))
      k++;
  }
  return false;
};
var isSep = (c, sep2) => sep2 === "/" ? c === 47 : sep2 === "\\" ? c === 92 : c === 47 || c === 92;
var nextSep = (f, from, sep2) => {
  if (sep2 !== "both")
    return f.indexOf(sep2, from);
  const s = f.indexOf("/", from);
  const b = f.indexOf("\\", from);
  return s === -1 ? b : b === -1 ? s : Math.min(s, b);
};
var lastSep = (f, from, sep2) => sep2 !== "both" ? f.lastIndexOf(sep2, from) : Math.max(f.lastIndexOf("/", from), f.lastIndexOf("\\", from));
var PENDING = {};
var Minimatch = class {
  options;
  set;
  pattern;
  windowsPathsNoEscape;
  nonegate;
  negate;
  comment;
  empty;
  preserveMultipleSlashes;
  partial;
  globSet;
  globParts;
  nocase;
  isWindows;
  platform;
  windowsNoMagicRoot;
  maxGlobstarRecursion;
  // the path can be checked against the last portion, and the string
  // portions, of each row before it is split. See #canMatch.
  #endCheck;
  #literalCheck;
  // level 2 resolves `.` and `..` portions in the path
  #level2;
  // the unicode normalization form, if any
  #form;
  // the string portions of each row in the set
  #literals = [];
  // the rows that #canMatch can match without splitting the path
  #shapes = [];
  // the rows whose last portion can be checked against the path's
  #endRows = [];
  // brace expansion can make the same portion in many rows, so they
  // share one Matcher, and the states that it caches
  #matchers = /* @__PURE__ */ new Map();
  // parse() returns PENDING in place of a Matcher
  #pending = false;
  // the char that marks numeric ranges in globSet, if any
  #rangeMark;
  // the GlobstarParts of each pattern row, by start index and partial
  #globstarParts = /* @__PURE__ */ new WeakMap();
  constructor(pattern, options = {}) {
    assertValidPattern(pattern);
    options = options || {};
    this.options = options;
    this.maxGlobstarRecursion = options.maxGlobstarRecursion ?? DEFAULT_GLOB_STAR_RECURSION_MAX;
    this.pattern = pattern;
    this.platform = options.platform || defaultPlatform;
    this.isWindows = this.platform === "win32";
    this.windowsPathsNoEscape = !!options.windowsPathsNoEscape || options[AWE_KEY] === false;
    if (this.windowsPathsNoEscape) {
      this.pattern = this.pattern.replace(/\\/g, "/");
    }
    this.preserveMultipleSlashes = !!options.preserveMultipleSlashes;
    this.negate = false;
    this.nonegate = !!options.nonegate;
    this.comment = false;
    this.empty = false;
    this.partial = !!options.partial;
    this.nocase = !!this.options.nocase;
    this.windowsNoMagicRoot = options.windowsNoMagicRoot !== void 0 ? options.windowsNoMagicRoot : !!(this.isWindows && this.nocase);
    this.globSet = [];
    this.globParts = [];
    this.set = [];
    this.#endCheck = !this.preserveMultipleSlashes;
    this.#level2 = (options.optimizationLevel ?? 1) >= 2;
    const n = options.normalize;
    this.#form = n === true ? "NFC" : n || void 0;
    this.make();
    const drives = this.set.map((row) => this.#rootIndex(row));
    this.#endRows = this.set.map((row, r) => this.#endCheck && row.length - 1 > drives[r]);
    this.#literals = this.set.map((row, r) => {
      const end = this.#endRows[r] ? row.length - 1 : row.length;
      const lits = row.slice(drives[r] + 1, end).filter((p) => typeof p === "string" && !!p);
      return [...new Set(lits)];
    });
    this.#literalCheck = this.#literals.some((l) => l.length);
    this.#shapes = this.set.map((row, r) => {
      const [p0, p1, p2] = row;
      if (this.#endRows[r] && row.length === 2) {
        if (p0 === GLOBSTAR && p1 !== GLOBSTAR)
          return "tail";
      }
      if (this.#endRows[r] && options.matchBase && row.length === 1 && p0 !== GLOBSTAR && p0 !== "") {
        return "base";
      }
      if (!this.#endCheck || drives[r] !== -1)
        return void 0;
      if (row.length === 3 && p0 === GLOBSTAR && p2 === GLOBSTAR && p1 !== GLOBSTAR && p1 !== "" && // the portion between is only matched below this limit
      this.maxGlobstarRecursion > 0) {
        return "mid";
      }
      if (row.length === 2 && p1 === GLOBSTAR && p0 !== GLOBSTAR && p0 !== "") {
        return "head";
      }
      return void 0;
    });
  }
  // a string portion of a pattern, normalized if the option is set
  #norm(p) {
    return this.#form ? p.normalize(this.#form) : p;
  }
  // On Windows, the index of the last root portion of a row, as
  // #matchRow finds it: 0 for `c:/...`, 3 for `//?/c:/...` and
  // `//host/share/...`, and 5 for `//?/UNC/host/share/...`. Otherwise
  // -1.
  #rootIndex(row) {
    if (!this.isWindows)
      return -1;
    if (isDrive(row[0]))
      return 0;
    const uncDrive = row[0] === "" && row[1] === "" && row[2] === "?" && isDrive(row[3]);
    if (uncDrive)
      return 3;
    const h = uncHost(row);
    return h === -1 ? -1 : h + 1;
  }
  hasMagic() {
    if (this.options.magicalBraces && this.set.length > 1) {
      return true;
    }
    for (const pattern of this.set) {
      for (const part of pattern) {
        if (typeof part !== "string")
          return true;
      }
    }
    return false;
  }
  make() {
    const pattern = this.pattern;
    const options = this.options;
    if (!options.nocomment && pattern.charAt(0) === "#") {
      this.comment = true;
      return;
    }
    if (!pattern) {
      this.empty = true;
      return;
    }
    this.parseNegate();
    this.globSet = [...new Set(this.#expandBraces())];
    const rawGlobParts = this.globSet.map((s) => this.#slashSplit(s));
    this.globParts = this.preprocess(rawGlobParts);
    this.#pending = true;
    let set = this.globParts.map((s, _, __) => {
      if (this.isWindows && this.windowsNoMagicRoot) {
        const n = s[2] === "?" && isLongUNC(s[3]) ? 6 : 4;
        const isUNC = s[0] === "" && s[1] === "" && (s[2] === "?" || !globMagic.test(s[2])) && s.slice(3, n).every((p) => !globMagic.test(p));
        const isDrive2 = /^[a-z]:/i.test(s[0]);
        if (isUNC) {
          return [
            ...s.slice(0, n).map((p) => this.#norm(p)),
            ...s.slice(n).map((ss) => this.parse(ss))
          ];
        } else if (isDrive2) {
          return [
            this.#norm(s[0]),
            ...s.slice(1).map((ss) => this.parse(ss))
          ];
        }
      }
      return s.map((ss) => this.parse(ss));
    });
    this.set = set.filter((s) => s.indexOf(false) === -1);
    if (this.isWindows) {
      for (let i = 0; i < this.set.length; i++) {
        const p = this.set[i];
        if (p[0] === "" && p[1] === "" && this.globParts[i][2] === "?" && (isDrive(p[3]) || isLongUNC(this.globParts[i][3]))) {
          if (isLongUNC(this.globParts[i][3]))
            p[3] = "UNC";
          p[2] = "?";
        }
      }
    }
    if (!options.noext)
      this.mergeRows();
    this.#pending = false;
    this.set.forEach((row, i) => {
      for (let k = 0; k < row.length; k++) {
        if (row[k] === PENDING) {
          row[k] = this.parse(this.globParts[i][k]);
        }
      }
    });
  }
  // Merge rows that only differ in one portion, where each of them
  // is a Matcher, into one row that matches any of them with
  // `@(a|b|...)`. Then a path is only walked once for all of them,
  // for example with `**/*.{js,ts}`.
  mergeRows() {
    let merged = true;
    while (merged) {
      merged = false;
      if (this.set.length < 2)
        return;
      let keys = this.#mergeKeys();
      const len = Math.max(0, ...this.set.map((r) => r.length));
      for (let k = 0; k < len; k++) {
        const groups = /* @__PURE__ */ new Map();
        const R = this.set.length + 1;
        this.set.forEach((row, i) => {
          if (!(row[k] instanceof Matcher || row[k] === PENDING) || !extSafe(this.globParts[i][k])) {
            return;
          }
          const { pre, suf } = keys[i];
          const key = pre[k] * R + suf[k + 1];
          const g = groups.get(key);
          if (g)
            g.push(i);
          else
            groups.set(key, [i]);
        });
        const drop = /* @__PURE__ */ new Set();
        for (const g of groups.values()) {
          if (g.length < 2)
            continue;
          const [first, ...rest] = g;
          const alts = g.map((i) => this.globParts[i][k]);
          const glob = `@(${alts.join("|")})`;
          if (extglobCount(glob) > MAX_EXTGLOBS)
            continue;
          this.globParts[first][k] = glob;
          this.set[first][k] = this.parse(glob);
          for (const i of rest)
            drop.add(i);
        }
        if (drop.size) {
          merged = true;
          this.set = this.set.filter((_, i) => !drop.has(i));
          this.globParts = this.globParts.filter((_, i) => !drop.has(i));
          if (this.set.length < 2)
            return;
          keys = this.#mergeKeys();
        }
      }
    }
  }
  // For each row, number ids for its prefixes and suffixes, such that
  // pre[k] identifies parts[0..k) and suf[k] identifies parts[k..n).
  // Two rows are the same other than at portion k exactly when they
  // have the same pre[k] and suf[k + 1]. This is linear in the size of
  // the rows, where joining the whole row for every k was quadratic.
  #mergeKeys() {
    const partIds = /* @__PURE__ */ new Map();
    const ids = this.globParts.map((parts) => parts.map((s) => {
      let id2 = partIds.get(s);
      if (id2 === void 0)
        partIds.set(s, id2 = partIds.size);
      return id2;
    }));
    const P = partIds.size;
    const len = Math.max(0, ...ids.map((r) => r.length));
    const keys = ids.map((r) => ({
      pre: [0],
      suf: new Array(r.length + 1).fill(0)
    }));
    for (let k = 0; k < len; k++) {
      const m = /* @__PURE__ */ new Map();
      ids.forEach((r, i) => {
        if (k >= r.length)
          return;
        const { pre } = keys[i];
        const key = pre[k] * P + r[k];
        let id2 = m.get(key);
        if (id2 === void 0)
          m.set(key, id2 = m.size + 1);
        pre.push(id2);
      });
    }
    for (let k = len - 1; k >= 0; k--) {
      const m = /* @__PURE__ */ new Map();
      ids.forEach((r, i) => {
        if (k >= r.length)
          return;
        const { suf } = keys[i];
        const key = suf[k + 1] * P + r[k];
        let id2 = m.get(key);
        if (id2 === void 0)
          m.set(key, id2 = m.size + 1);
        suf[k] = id2;
      });
    }
    return keys;
  }
  // various transforms to equivalent pattern sets that are
  // faster to process in a filesystem walk.  The goal is to
  // eliminate what we can, and push all ** patterns as far
  // to the right as possible, even if it increases the number
  // of patterns that we have to process.
  preprocess(globParts) {
    if (this.options.noglobstar) {
      for (const partset of globParts) {
        for (let j = 0; j < partset.length; j++) {
          if (partset[j] === "**") {
            partset[j] = "*";
          }
        }
      }
    }
    const { optimizationLevel = 1 } = this.options;
    if (optimizationLevel >= 2) {
      globParts = this.firstPhasePreProcess(globParts);
      globParts = this.secondPhasePreProcess(globParts);
    } else if (optimizationLevel >= 1) {
      globParts = this.levelOneOptimize(globParts);
    } else {
      globParts = this.adjascentGlobstarOptimize(globParts);
    }
    return globParts;
  }
  // just get rid of adjascent ** portions
  adjascentGlobstarOptimize(globParts) {
    return globParts.map((parts) => {
      let gs = -1;
      while (-1 !== (gs = parts.indexOf("**", gs + 1))) {
        let i = gs;
        while (parts[i + 1] === "**") {
          i++;
        }
        if (i !== gs) {
          parts.splice(gs, i - gs);
        }
      }
      return parts;
    });
  }
  // get rid of adjascent ** and resolve .. portions
  levelOneOptimize(globParts) {
    return globParts.map((parts) => {
      const root = this.#rootIndex(parts) + 1;
      parts = parts.reduce((set, part) => {
        const prev = set[set.length - 1];
        if (part === "**" && prev === "**") {
          return set;
        }
        if (part === "..") {
          if (set.length > root && prev && prev !== ".." && prev !== "." && prev !== "**") {
            set.pop();
            return set;
          }
        }
        set.push(part);
        return set;
      }, []);
      return parts.length === 0 ? [""] : parts;
    });
  }
  // Check the path against each row before it is split. 'no' if no
  // row can match, so it does not need to be split. 'yes' if a row of
  // `**` and one more portion matches. 'maybe' if it must be split to
  // know. None of this applies with partial, where the path can end
  // before the row does.
  //
  // On Windows, `\` is a separator in the path too, and the portions of
  // a row up to its drive letter or UNC share are not checked (see
  // #rootIndex).
  //
  // Each string portion of a row must be a portion of the path, so the
  // path must contain it. Level 2 can only take portions out of the
  // path, so this is still true then.
  //
  // The last portion of a row must match the last portion of the path,
  // or the one before a trailing `/` (as a/* and a/**/* match a/b/).
  // This does not apply to rows that end in **, rows that end in a
  // root, or preserveMultipleSlashes (which can leave more
  // than one '' at the end). At level 2, it does not apply if that
  // portion is `.` or `..`, which can be
  // resolved away. Level 2 only takes other portions out of the
  // middle of the path.
  //
  // A row of `**/x` then matches if the ** can walk the portions
  // before the one that x matches, the same as #matchGlobstar. At
  // level 2, this is only known if none of them are `.` or `..`, so
  // that the path does not change when it is resolved.
  #canMatch(f) {
    const sep2 = !this.isWindows || !f.includes("\\") ? "/" : f.includes("/") ? "both" : "\\";
    let ends = this.#endCheck ? 0 : -1;
    let last = "";
    let lastStart = 0;
    let prev;
    let prevStart = 0;
    const dot = !!this.options.dot;
    ROWS: for (let r = 0; r < this.set.length; r++) {
      const row = this.set[r];
      const p = row[row.length - 1];
      let end = ends !== -1 && this.#endRows[r] && p !== GLOBSTAR;
      if (end && ends === 0) {
        const i = lastSep(f, f.length, sep2);
        lastStart = i + 1;
        last = f.slice(lastStart);
        if (last === "" && i >= 0) {
          let j = i;
          while (j > 0 && isSep(f.charCodeAt(j - 1), sep2))
            j--;
          prevStart = j === 0 ? 0 : lastSep(f, j - 1, sep2) + 1;
          prev = f.slice(prevStart, j);
        }
        const resolves = this.#level2 && (isDots(last) || last === "" && prev !== void 0 && isDots(prev));
        ends = resolves ? -1 : 1;
        end = !resolves;
      }
      let tailStart = -1;
      if (end && typeof p === "string") {
        tailStart = endIndex(p, last, lastStart, prev, prevStart);
        if (tailStart === -1)
          continue;
      }
      if (this.#literalCheck) {
        for (const l of this.#literals[r]) {
          if (!f.includes(l))
            continue ROWS;
        }
      }
      if (end && typeof p === "object") {
        tailStart = endIndex(p, last, lastStart, prev, prevStart);
        if (tailStart === -1)
          continue;
      }
      const shape = this.#shapes[r];
      if (shape === "base" && end)
        return "yes";
      if (shape === "tail" && end) {
        if (this.#level2 && dotPortion(f, 0, tailStart, true, sep2)) {
          return "maybe";
        }
        if (!dotPortion(f, 0, tailStart, dot, sep2))
          return "yes";
        continue;
      }
      if (shape === "mid" || shape === "head") {
        const m = this.#walk(f, row, shape === "head", dot, sep2);
        if (m !== "no")
          return m;
        continue;
      }
      return "maybe";
    }
    return "no";
  }
  // Match a row of a known shape against the split path, the same as
  // #matchGlobstar and #matchGlobStarBodySections do. None of these
  // rows have a drive letter, so they start at the first portion.
  #matchShape(file, row, shape) {
    const dot = !!this.options.dot;
    const n = file.length;
    if (shape === "head") {
      if (n < 2 || !portionMatch(row[0], file[0])) {
        return false;
      }
      for (let i = 1; i < n; i++)
        if (!walkable(file[i], dot))
          return false;
      return true;
    }
    const x = row[1];
    if (shape === "tail") {
      let t = n - 1;
      if (!portionMatch(x, file[t])) {
        if (file[t] !== "" || n === 1 || !portionMatch(x, file[--t])) {
          return false;
        }
      }
      for (let i = 0; i < t; i++)
        if (!walkable(file[i], dot))
          return false;
      return true;
    }
    for (let k = 0; k < n; k++) {
      if (portionMatch(x, file[k]) && k + 1 < n) {
        let i = k + 1;
        while (i < n && walkable(file[i], dot))
          i++;
        if (i === n)
          return true;
      }
      if (!walkable(file[k], dot))
        return false;
    }
    return false;
  }
  // Match a row of `**/x/**` or `x/**` against the path, the same as
  // #matchGlobstar and #matchGlobStarBodySections do once it is split.
  // x must match a portion (the first one, for `x/**`), the ** before
  // it must be able to walk the portions before that one, and there
  // must be a portion after it, which the ** after it can walk. At
  // level 2, this is only known if no portion is `.` or `..`.
  #walk(f, row, head, dot, sep2) {
    if (this.#level2 && dotPortion(f, 0, f.length, true, sep2))
      return "maybe";
    const x = row[head ? 0 : 1];
    let s = 0;
    for (let e = nextSep(f, s, sep2); e !== -1; e = nextSep(f, s, sep2)) {
      let next = e + 1;
      while (next < f.length && isSep(f.charCodeAt(next), sep2))
        next++;
      const hit = typeof x === "string" ? e - s === x.length && f.startsWith(x, s) : e > s && x.testUnchecked(f.slice(s, e));
      if (hit && !dotPortion(f, next, f.length, dot, sep2))
        return "yes";
      if (head || dotPortion(f, s, next, dot, sep2))
        return "no";
      s = next;
    }
    return "no";
  }
  // the last split, if it was the same path with the same split
  // settings
  #cachedSplit(f) {
    const last = lastSplit;
    return last?.f === f && last.isWindows === this.isWindows && last.preserveMultipleSlashes === this.preserveMultipleSlashes && last.normalize === this.#form ? last : void 0;
  }
  // split a path for match(), and keep the parts for the next call
  #split(f) {
    const { isWindows, preserveMultipleSlashes } = this;
    let parts = this.#slashSplit(isWindows ? f.split("\\").join("/") : f);
    const normalize2 = this.#form;
    if (normalize2)
      parts = parts.map((p) => p.normalize(normalize2));
    lastSplit = {
      f,
      isWindows,
      preserveMultipleSlashes,
      normalize: normalize2,
      parts
    };
    return lastSplit;
  }
  // resolve `.` and `..` portions of a path, for level 2
  #levelTwoFileOptimize(file) {
    const parts = [...file];
    let didSomething = false;
    do {
      didSomething = false;
      if (!this.preserveMultipleSlashes) {
        for (let i = 1; i < parts.length - 1; i++) {
          const p = parts[i];
          if (i === 1 && p === "" && parts[0] === "")
            continue;
          if (p === "." || p === "") {
            didSomething = true;
            parts.splice(i, 1);
            i--;
          }
        }
        if (parts[0] === "." && parts.length === 2 && (parts[1] === "." || parts[1] === "")) {
          didSomething = true;
          parts.pop();
        }
      }
      const root = this.#rootIndex(parts) + 1;
      let dd = root;
      while (-1 !== (dd = parts.indexOf("..", dd + 1))) {
        const p = parts[dd - 1];
        if (p && p !== "." && p !== ".." && p !== "**") {
          didSomething = true;
          parts.splice(dd - 1, 2);
          dd = Math.max(dd - 2, root);
        }
      }
    } while (didSomething);
    return parts.length === 0 ? [""] : parts;
  }
  // First phase: single-pattern processing
  // <pre> is 1 or more portions
  // <rest> is 1 or more portions
  // <p> is any portion other than ., .., '', or **
  // <e> is . or ''
  //
  // **/.. is *brutal* for filesystem walking performance, because
  // it effectively resets the recursive walk each time it occurs,
  // and ** cannot be reduced out by a .. pattern part like a regexp
  // or most strings (other than .., ., and '') can be.
  //
  // <pre>/**/../<p>/<p>/<rest> -> {<pre>/../<p>/<p>/<rest>,<pre>/**/<p>/<p>/<rest>}
  // <pre>/<e>/<rest> -> <pre>/<rest>
  // <pre>/<p>/../<rest> -> <pre>/<rest>
  // **/**/<rest> -> **/<rest>
  //
  // **/*/<rest> -> */**/<rest> <== not valid because ** doesn't follow
  // this WOULD be allowed if ** did follow symlinks, or * didn't
  firstPhasePreProcess(globParts) {
    const { braceExpandMax = DEFAULT_BRACE_EXPAND_MAX } = this.options;
    let splitCells = 0;
    const maxSplitCells = 1e6;
    let didSomething = false;
    do {
      didSomething = false;
      for (let parts of globParts) {
        let gs = -1;
        while (-1 !== (gs = parts.indexOf("**", gs + 1))) {
          let gss = gs;
          while (parts[gss + 1] === "**") {
            gss++;
          }
          if (gss > gs) {
            parts.splice(gs + 1, gss - gs);
          }
          let next = parts[gs + 1];
          const p = parts[gs + 2];
          const p2 = parts[gs + 3];
          if (next !== "..")
            continue;
          if (!p || p === "." || p === ".." || !p2 || p2 === "." || p2 === "..") {
            continue;
          }
          const addedCells = parts.length - 1;
          if (globParts.length >= braceExpandMax || splitCells + addedCells > maxSplitCells) {
            throw new RangeError(`optimizationLevel 2: too many patterns from '**/..'`);
          }
          didSomething = true;
          parts.splice(gs, 1);
          const other = parts.slice(0);
          other[gs] = "**";
          splitCells += addedCells;
          globParts.push(other);
          gs--;
        }
        if (!this.preserveMultipleSlashes) {
          for (let i = 1; i < parts.length - 1; i++) {
            const p = parts[i];
            if (i === 1 && p === "" && parts[0] === "")
              continue;
            if (p === "." || p === "") {
              didSomething = true;
              parts.splice(i, 1);
              i--;
            }
          }
          if (parts[0] === "." && parts.length === 2 && (parts[1] === "." || parts[1] === "")) {
            didSomething = true;
            parts.pop();
          }
        }
        const root = this.#rootIndex(parts) + 1;
        let dd = root;
        while (-1 !== (dd = parts.indexOf("..", dd + 1))) {
          const p = parts[dd - 1];
          if (p && p !== "." && p !== ".." && p !== "**") {
            didSomething = true;
            const needDot = dd === 1 && parts[dd + 1] === "**";
            const splin = needDot ? ["."] : [];
            parts.splice(dd - 1, 2, ...splin);
            if (parts.length === 0)
              parts.push("");
            dd = Math.max(dd - 2, root);
          }
        }
      }
    } while (didSomething);
    return globParts;
  }
  // second phase: multi-pattern dedupes
  // {<pre>/<rest>,<pre>/<rest>} -> <pre>/<rest>
  // {<pre>/*/<rest>,<pre>/<p>/<rest>} -> <pre>/*/<rest>
  secondPhasePreProcess(globParts) {
    const keys = /* @__PURE__ */ new Set();
    const rows = globParts.filter((parts) => {
      const key = parts.join("/");
      if (keys.has(key))
        return false;
      keys.add(key);
      return true;
    });
    const stars = /* @__PURE__ */ new Map();
    for (const parts of rows) {
      const s = [];
      for (let i = 0; i < parts.length; i++) {
        if (parts[i] === "*")
          s.push(i);
      }
      if (s.length)
        stars.set(s.join(","), s);
    }
    if (!stars.size || rows.length * stars.size > 1e5)
      return rows;
    const { dot } = this.options;
    return rows.filter((parts) => {
      for (const s of stars.values()) {
        if (s[s.length - 1] >= parts.length)
          continue;
        const c = [...parts];
        let ok = true;
        let changed = false;
        for (const i of s) {
          const p = parts[i];
          if (p === "*")
            continue;
          if (!p || p === "**" || !dot && p.startsWith(".")) {
            ok = false;
            break;
          }
          c[i] = "*";
          changed = true;
        }
        if (ok && changed && keys.has(c.join("/")))
          return false;
      }
      return true;
    });
  }
  parseNegate() {
    if (this.nonegate)
      return;
    const pattern = this.pattern;
    let negate = false;
    let negateOffset = 0;
    for (let i = 0; i < pattern.length && pattern.charAt(i) === "!"; i++) {
      negate = !negate;
      negateOffset++;
    }
    if (negateOffset)
      this.pattern = pattern.slice(negateOffset);
    this.negate = negate;
  }
  // Match the parts of a path against one row of the set. `resolved`
  // is the parts after level 2 resolves `.` and `..` in them, or the
  // same parts below level 2. Set partial to true to test if, for
  // example, "/a/b" matches the start of "/*/b/*/d". Partial means, if
  // you run out of file before you run out of pattern, then that's
  // fine, as long as all the parts match.
  #matchRow(file, resolved, pattern, partial) {
    let fileStartIndex = 0;
    let patternStartIndex = 0;
    const fh = this.isWindows ? uncHost(resolved) : -1;
    const ph = fh === -1 ? -1 : uncHost(pattern);
    if (ph !== -1) {
      const host = pattern[ph];
      const share = pattern[ph + 1];
      if (typeof host !== "string" || typeof share !== "string") {
        fileStartIndex = fh;
        patternStartIndex = ph;
      } else if (resolved[fh].toLowerCase() === host.toLowerCase() && resolved[fh + 1].toLowerCase() === share.toLowerCase()) {
        fileStartIndex = fh + 2;
        patternStartIndex = ph + 2;
      }
    } else if (this.isWindows) {
      const fileDrive = typeof file[0] === "string" && /^[a-z]:$/i.test(file[0]);
      const fileUNC = !fileDrive && file[0] === "" && file[1] === "" && file[2] === "?" && /^[a-z]:$/i.test(file[3]);
      const patternDrive = typeof pattern[0] === "string" && /^[a-z]:$/i.test(pattern[0]);
      const patternUNC = !patternDrive && pattern[0] === "" && pattern[1] === "" && pattern[2] === "?" && typeof pattern[3] === "string" && /^[a-z]:$/i.test(pattern[3]);
      const fdi = fileUNC ? 3 : fileDrive ? 0 : void 0;
      const pdi = patternUNC ? 3 : patternDrive ? 0 : void 0;
      if (typeof fdi === "number" && typeof pdi === "number") {
        const [fd, pd] = [
          file[fdi],
          pattern[pdi]
        ];
        if (fd.toLowerCase() === pd.toLowerCase()) {
          patternStartIndex = pdi + 1;
          fileStartIndex = fdi + 1;
        }
      }
    }
    file = resolved;
    if (pattern.includes(GLOBSTAR)) {
      return this.#matchGlobstar(file, pattern, partial, fileStartIndex, patternStartIndex);
    }
    return this.#matchOne(file, pattern, partial, fileStartIndex, patternStartIndex);
  }
  #matchGlobstar(file, pattern, partial, fileIndex, patternIndex) {
    const { head, body, tail, segments } = this.#getGlobstarParts(pattern, partial, patternIndex);
    if (head.length) {
      const headEnd = fileIndex + head.length;
      if (!this.#matchOne(file, head, partial, fileIndex, 0, headEnd)) {
        return false;
      }
      fileIndex += head.length;
      patternIndex += head.length;
    }
    let fileTailMatch = 0;
    if (tail.length) {
      if (tail.length + fileIndex > file.length)
        return false;
      let tailStart = file.length - tail.length;
      if (this.#matchOne(file, tail, partial, tailStart, 0)) {
        fileTailMatch = tail.length;
      } else {
        if (file[file.length - 1] !== "" || fileIndex + tail.length === file.length) {
          return false;
        }
        tailStart--;
        if (!this.#matchOne(file, tail, partial, tailStart, 0)) {
          return false;
        }
        fileTailMatch = tail.length + 1;
      }
    }
    if (!body.length) {
      let sawSome = !!fileTailMatch;
      for (let i = fileIndex; i < file.length - fileTailMatch; i++) {
        const f = String(file[i]);
        sawSome = true;
        if (f === "." || f === ".." || !this.options.dot && f.startsWith(".")) {
          return false;
        }
      }
      return partial || sawSome;
    }
    return !!this.#matchGlobStarBodySections(file, segments, file.length - fileTailMatch, fileIndex, 0, partial, 0, !!fileTailMatch, /* @__PURE__ */ new Set());
  }
  // Split the pattern into head, tail, and middle of ** delimited
  // parts. The tail has to be at the end, and the others just have to
  // be found in order from the head. These only depend on the pattern
  // row, so they are kept for the next path.
  #getGlobstarParts(pattern, partial, patternIndex) {
    let byStart = this.#globstarParts.get(pattern);
    if (!byStart) {
      byStart = [];
      this.#globstarParts.set(pattern, byStart);
    }
    const key = patternIndex * 2 + (partial ? 1 : 0);
    const found = byStart[key];
    if (found)
      return found;
    const firstgs = pattern.indexOf(GLOBSTAR, patternIndex);
    const lastgs = pattern.lastIndexOf(GLOBSTAR);
    const head = pattern.slice(patternIndex, firstgs);
    const body = pattern.slice(firstgs + 1, partial ? void 0 : lastgs);
    const tail = partial ? [] : pattern.slice(lastgs + 1);
    const segments = [[[], 0]];
    let current = segments[0];
    let nonGsParts = 0;
    const nonGsPartsSums = [0];
    for (const b of body) {
      if (b === GLOBSTAR) {
        nonGsPartsSums.push(nonGsParts);
        current = [[], 0];
        segments.push(current);
      } else {
        current[0].push(b);
        nonGsParts++;
      }
    }
    segments.forEach((b, i) => {
      b[1] = nonGsParts - nonGsPartsSums[i];
    });
    const parts = { head, body, tail, segments };
    byStart[key] = parts;
    return parts;
  }
  // return false for "nope, not matching"
  // return null for "not matching, cannot keep trying"
  #matchGlobStarBodySections(file, bodySegments, fileLength, fileIndex, bodyIndex, partial, globStarDepth, sawTail, tried) {
    const bs = bodySegments[bodyIndex];
    if (!bs) {
      if (partial) {
        return fileIndex >= fileLength || fileIndex === fileLength - 1 && file[fileIndex] === "";
      }
      for (let i = fileIndex; i < fileLength; i++) {
        sawTail = true;
        const f = file[i];
        if (f === "." || f === ".." || !this.options.dot && f.startsWith(".")) {
          return false;
        }
      }
      return sawTail;
    }
    const [body, need] = bs;
    const after = partial ? fileLength : fileLength - need;
    while (fileIndex <= after) {
      const key = bodyIndex * (file.length + 1) + fileIndex;
      if (tried.has(key))
        return false;
      tried.add(key);
      const m = this.#matchOne(file, body, partial, fileIndex, 0, fileIndex + body.length);
      if (m && globStarDepth < this.maxGlobstarRecursion) {
        const sub = this.#matchGlobStarBodySections(file, bodySegments, fileLength, fileIndex + body.length, bodyIndex + 1, partial, globStarDepth + 1, sawTail, tried);
        if (sub !== false) {
          return sub;
        }
      }
      if (fileIndex === after)
        break;
      const f = file[fileIndex];
      if (f === "." || f === ".." || !this.options.dot && f.startsWith(".")) {
        return false;
      }
      fileIndex++;
    }
    return partial || null;
  }
  #matchOne(file, pattern, partial, fileIndex, patternIndex, fileEnd = file.length) {
    let fi;
    let pi;
    let pl;
    let fl;
    for (fi = fileIndex, pi = patternIndex, fl = Math.min(fileEnd, file.length), pl = pattern.length; fi < fl && pi < pl; fi++, pi++) {
      let p = pattern[pi];
      let f = file[fi];
      if (p === false || p === GLOBSTAR) {
        return false;
      }
      if (!portionMatch(p, f))
        return false;
    }
    if (fi === fl && pi === pl) {
      return true;
    } else if (fi === fl) {
      return partial;
    } else if (pi === pl) {
      return fi === fl - 1 && file[fi] === "";
    } else {
      throw new Error("wtf?");
    }
  }
  braceExpand() {
    return braceExpand(this.pattern, this.options);
  }
  // Expand braces, except numeric ranges such as {0..999} with at
  // least RANGE_MIN values. Each of those stays in its pattern as
  // `<mark>0..999<mark>`, for the Matcher to test. If a range might
  // be inside a [...] class, expand all of them instead.
  #expandBraces() {
    const { pattern } = this;
    if (this.options.nobrace)
      return this.braceExpand();
    let code = 57344;
    while (pattern.includes(String.fromCharCode(code))) {
      if (++code > 63743)
        return this.braceExpand();
    }
    const mark = String.fromCharCode(code);
    let found = false;
    const marked = pattern.replace(rangeRe, (m, lo, hi) => {
      const a = Number(lo);
      const b = Number(hi);
      if (!Number.isSafeInteger(a) || !Number.isSafeInteger(b) || Math.abs(a - b) + 1 < RANGE_MIN) {
        return m;
      }
      found = true;
      return `${mark}${lo}..${hi}${mark}`;
    });
    if (!found)
      return this.braceExpand();
    const set = braceExpand(marked, this.options);
    for (const p of set) {
      for (const portion of p.split("/")) {
        const c = portion.indexOf("[");
        if (c !== -1 && c < portion.lastIndexOf(mark)) {
          return this.braceExpand();
        }
        if (!this.options.noext && inRepeatOrNegExt(portion, mark)) {
          return this.braceExpand();
        }
      }
    }
    this.#rangeMark = mark;
    return set;
  }
  parse(pattern) {
    assertValidPattern(pattern);
    const options = this.options;
    if (pattern === "**")
      return GLOBSTAR;
    if (pattern === "")
      return "";
    const { nocase, nocaseMagicOnly, noext = false, dot, normalize: normalize2 } = options;
    const rangeMark = this.#rangeMark;
    const lit2 = rangeMark && pattern.includes(rangeMark) ? void 0 : literal(pattern, noext);
    if (lit2 !== void 0 && !(nocase && !nocaseMagicOnly && pattern.toUpperCase() !== pattern.toLowerCase())) {
      return this.#norm(lit2);
    }
    if (this.#pending)
      return PENDING;
    let m = this.#matchers.get(pattern);
    if (!m) {
      if (!noext)
        assertValidExtglobs(pattern);
      m = new Matcher(pattern, {
        nocase,
        noext,
        dot,
        normalize: normalize2,
        ...rangeMark && { rangeMark }
      });
      this.#matchers.set(pattern, m);
    }
    return m;
  }
  #slashSplit(p) {
    if (this.preserveMultipleSlashes) {
      return p.split("/");
    } else if (this.isWindows && /^\/\/[^/]+/.test(p)) {
      return ["", ...p.split(/\/+/)];
    } else {
      return p.split(/\/+/);
    }
  }
  match(f, partial = this.partial) {
    if (this.comment) {
      return false;
    }
    if (this.empty) {
      return f === "";
    }
    if (f === "/" && partial) {
      return true;
    }
    const options = this.options;
    let split = this.#cachedSplit(f);
    if (!split) {
      if (!partial && !this.#form && (this.#endCheck || this.#literalCheck) && lastChecked !== f) {
        lastChecked = f;
        const can = this.#canMatch(f);
        if (can === "no")
          return options.flipNegate ? false : this.negate;
        if (can === "yes")
          return options.flipNegate ? true : !this.negate;
      }
      split = this.#split(f);
    }
    const ff = split.parts;
    const resolved = this.#level2 ? split.resolved ??= this.#levelTwoFileOptimize(ff) : ff;
    const set = this.set;
    let filename = ff[ff.length - 1];
    if (!filename) {
      for (let i = ff.length - 2; !filename && i >= 0; i--) {
        filename = ff[i];
      }
    }
    for (let r = 0; r < set.length; r++) {
      const pattern = set[r];
      const shape = partial ? void 0 : this.#shapes[r];
      const hit = shape === "base" ? portionMatch(pattern[0], filename) : shape ? this.#matchShape(resolved, pattern, shape) : options.matchBase && pattern.length === 1 ? this.#matchRow([filename], [filename], pattern, partial) : this.#matchRow(ff, resolved, pattern, partial);
      if (hit) {
        if (options.flipNegate) {
          return true;
        }
        return !this.negate;
      }
    }
    if (options.flipNegate) {
      return false;
    }
    return this.negate;
  }
  static defaults(def) {
    return minimatch.defaults(def).Minimatch;
  }
};
minimatch.Minimatch = Minimatch;
minimatch.escape = escape;
minimatch.unescape = unescape;

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
      callback(
        new ImageError(
          `${this.blob} does not match its digest: expected ${this.expected}, got ${this.result}; the image is corrupt or was tampered with.`,
          "DIGEST_MISMATCH"
        )
      );
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

// src/image/layer/compression.ts
import { Transform as Transform2 } from "node:stream";
import * as zlib from "node:zlib";

// node_modules/fzstd/esm/index.mjs
var ab = ArrayBuffer;
var u8 = Uint8Array;
var u16 = Uint16Array;
var i16 = Int16Array;
var i32 = Int32Array;
var slc = function(v, s, e) {
  if (u8.prototype.slice)
    return u8.prototype.slice.call(v, s, e);
  if (s == null || s < 0)
    s = 0;
  if (e == null || e > v.length)
    e = v.length;
  var n = new u8(e - s);
  n.set(v.subarray(s, e));
  return n;
};
var fill = function(v, n, s, e) {
  if (u8.prototype.fill)
    return u8.prototype.fill.call(v, n, s, e);
  if (s == null || s < 0)
    s = 0;
  if (e == null || e > v.length)
    e = v.length;
  for (; s < e; ++s)
    v[s] = n;
  return v;
};
var cpw = function(v, t, s, e) {
  if (u8.prototype.copyWithin)
    return u8.prototype.copyWithin.call(v, t, s, e);
  if (s == null || s < 0)
    s = 0;
  if (e == null || e > v.length)
    e = v.length;
  while (s < e) {
    v[t++] = v[s++];
  }
};
var ec = [
  "invalid zstd data",
  "window size too large (>2046MB)",
  "invalid block type",
  "FSE accuracy too high",
  "match distance too far back",
  "unexpected EOF"
];
var err = function(ind, msg, nt) {
  var e = new Error(msg || ec[ind]);
  e.code = ind;
  if (Error.captureStackTrace)
    Error.captureStackTrace(e, err);
  if (!nt)
    throw e;
  return e;
};
var rb = function(d, b, n) {
  var i = 0, o = 0;
  for (; i < n; ++i)
    o |= d[b++] << (i << 3);
  return o;
};
var b4 = function(d, b) {
  return (d[b] | d[b + 1] << 8 | d[b + 2] << 16 | d[b + 3] << 24) >>> 0;
};
var rzfh = function(dat, w) {
  var n3 = dat[0] | dat[1] << 8 | dat[2] << 16;
  if (n3 == 3126568 && dat[3] == 253) {
    var flg = dat[4];
    var ss = flg >> 5 & 1, cc = flg >> 2 & 1, df = flg & 3, fcf = flg >> 6;
    if (flg & 8)
      err(0);
    var bt = 6 - ss;
    var db = df == 3 ? 4 : df;
    var di = rb(dat, bt, db);
    bt += db;
    var fsb = fcf ? 1 << fcf : ss;
    var fss = rb(dat, bt, fsb) + (fcf == 1 && 256);
    var ws = fss;
    if (!ss) {
      var wb = 1 << 10 + (dat[5] >> 3);
      ws = wb + (wb >> 3) * (dat[5] & 7);
    }
    if (ws > 2145386496)
      err(1);
    var buf = new u8((w == 1 ? fss || ws : w ? 0 : ws) + 12);
    buf[0] = 1, buf[4] = 4, buf[8] = 8;
    return {
      b: bt + fsb,
      y: 0,
      l: 0,
      d: di,
      w: w && w != 1 ? w : buf.subarray(12),
      e: ws,
      o: new i32(buf.buffer, 0, 3),
      u: fss,
      c: cc,
      m: Math.min(131072, ws)
    };
  } else if ((n3 >> 4 | dat[3] << 20) == 25481893) {
    return b4(dat, 4) + 8;
  }
  err(0);
};
var msb = function(val) {
  var bits = 0;
  for (; 1 << bits <= val; ++bits)
    ;
  return bits - 1;
};
var rfse = function(dat, bt, mal) {
  var tpos = (bt << 3) + 4;
  var al = (dat[bt] & 15) + 5;
  if (al > mal)
    err(3);
  var sz = 1 << al;
  var probs = sz, sym = -1, re = -1, i = -1, ht = sz;
  var buf = new ab(512 + (sz << 2));
  var freq = new i16(buf, 0, 256);
  var dstate = new u16(buf, 0, 256);
  var nstate = new u16(buf, 512, sz);
  var bb1 = 512 + (sz << 1);
  var syms = new u8(buf, bb1, sz);
  var nbits = new u8(buf, bb1 + sz);
  while (sym < 255 && probs > 0) {
    var bits = msb(probs + 1);
    var cbt = tpos >> 3;
    var msk = (1 << bits + 1) - 1;
    var val = (dat[cbt] | dat[cbt + 1] << 8 | dat[cbt + 2] << 16) >> (tpos & 7) & msk;
    var msk1fb = (1 << bits) - 1;
    var msv = msk - probs - 1;
    var sval = val & msk1fb;
    if (sval < msv)
      tpos += bits, val = sval;
    else {
      tpos += bits + 1;
      if (val > msk1fb)
        val -= msv;
    }
    freq[++sym] = --val;
    if (val == -1) {
      probs += val;
      syms[--ht] = sym;
    } else
      probs -= val;
    if (!val) {
      do {
        var rbt = tpos >> 3;
        re = (dat[rbt] | dat[rbt + 1] << 8) >> (tpos & 7) & 3;
        tpos += 2;
        sym += re;
      } while (re == 3);
    }
  }
  if (sym > 255 || probs)
    err(0);
  var sympos = 0;
  var sstep = (sz >> 1) + (sz >> 3) + 3;
  var smask = sz - 1;
  for (var s = 0; s <= sym; ++s) {
    var sf = freq[s];
    if (sf < 1) {
      dstate[s] = -sf;
      continue;
    }
    for (i = 0; i < sf; ++i) {
      syms[sympos] = s;
      do {
        sympos = sympos + sstep & smask;
      } while (sympos >= ht);
    }
  }
  if (sympos)
    err(0);
  for (i = 0; i < sz; ++i) {
    var ns = dstate[syms[i]]++;
    var nb = nbits[i] = al - msb(ns);
    nstate[i] = (ns << nb) - sz;
  }
  return [tpos + 7 >> 3, {
    b: al,
    s: syms,
    n: nbits,
    t: nstate
  }];
};
var rhu = function(dat, bt) {
  var i = 0, wc = -1;
  var buf = new u8(292), hb = dat[bt];
  var hw = buf.subarray(0, 256);
  var rc = buf.subarray(256, 268);
  var ri = new u16(buf.buffer, 268);
  if (hb < 128) {
    var _a = rfse(dat, bt + 1, 6), ebt = _a[0], fdt = _a[1];
    bt += hb;
    var epos = ebt << 3;
    var lb = dat[bt];
    if (!lb)
      err(0);
    var st1 = 0, st2 = 0, btr1 = fdt.b, btr2 = btr1;
    var fpos = (++bt << 3) - 8 + msb(lb);
    for (; ; ) {
      fpos -= btr1;
      if (fpos < epos)
        break;
      var cbt = fpos >> 3;
      st1 += (dat[cbt] | dat[cbt + 1] << 8) >> (fpos & 7) & (1 << btr1) - 1;
      hw[++wc] = fdt.s[st1];
      fpos -= btr2;
      if (fpos < epos)
        break;
      cbt = fpos >> 3;
      st2 += (dat[cbt] | dat[cbt + 1] << 8) >> (fpos & 7) & (1 << btr2) - 1;
      hw[++wc] = fdt.s[st2];
      btr1 = fdt.n[st1];
      st1 = fdt.t[st1];
      btr2 = fdt.n[st2];
      st2 = fdt.t[st2];
    }
    if (++wc > 255)
      err(0);
  } else {
    wc = hb - 127;
    for (; i < wc; i += 2) {
      var byte = dat[++bt];
      hw[i] = byte >> 4;
      hw[i + 1] = byte & 15;
    }
    ++bt;
  }
  var wes = 0;
  for (i = 0; i < wc; ++i) {
    var wt = hw[i];
    if (wt > 11)
      err(0);
    wes += wt && 1 << wt - 1;
  }
  var mb = msb(wes) + 1;
  var ts = 1 << mb;
  var rem = ts - wes;
  if (rem & rem - 1)
    err(0);
  hw[wc++] = msb(rem) + 1;
  for (i = 0; i < wc; ++i) {
    var wt = hw[i];
    ++rc[hw[i] = wt && mb + 1 - wt];
  }
  var hbuf = new u8(ts << 1);
  var syms = hbuf.subarray(0, ts), nb = hbuf.subarray(ts);
  ri[mb] = 0;
  for (i = mb; i > 0; --i) {
    var pv = ri[i];
    fill(nb, i, pv, ri[i - 1] = pv + rc[i] * (1 << mb - i));
  }
  if (ri[0] != ts)
    err(0);
  for (i = 0; i < wc; ++i) {
    var bits = hw[i];
    if (bits) {
      var code = ri[bits];
      fill(syms, i, code, ri[bits] = code + (1 << mb - bits));
    }
  }
  return [bt, {
    n: nb,
    b: mb,
    s: syms
  }];
};
var dllt = rfse(/* @__PURE__ */ new u8([
  81,
  16,
  99,
  140,
  49,
  198,
  24,
  99,
  12,
  33,
  196,
  24,
  99,
  102,
  102,
  134,
  70,
  146,
  4
]), 0, 6)[1];
var dmlt = rfse(/* @__PURE__ */ new u8([
  33,
  20,
  196,
  24,
  99,
  140,
  33,
  132,
  16,
  66,
  8,
  33,
  132,
  16,
  66,
  8,
  33,
  68,
  68,
  68,
  68,
  68,
  68,
  68,
  68,
  36,
  9
]), 0, 6)[1];
var doct = rfse(/* @__PURE__ */ new u8([
  32,
  132,
  16,
  66,
  102,
  70,
  68,
  68,
  68,
  68,
  36,
  73,
  2
]), 0, 5)[1];
var b2bl = function(b, s) {
  var len = b.length, bl = new i32(len);
  for (var i = 0; i < len; ++i) {
    bl[i] = s;
    s += 1 << b[i];
  }
  return bl;
};
var llb = /* @__PURE__ */ new u8((/* @__PURE__ */ new i32([
  0,
  0,
  0,
  0,
  16843009,
  50528770,
  134678020,
  202050057,
  269422093
])).buffer, 0, 36);
var llbl = /* @__PURE__ */ b2bl(llb, 0);
var mlb = /* @__PURE__ */ new u8((/* @__PURE__ */ new i32([
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  16843009,
  50528770,
  117769220,
  185207048,
  252579084,
  16
])).buffer, 0, 53);
var mlbl = /* @__PURE__ */ b2bl(mlb, 3);
var dhu = function(dat, out, hu) {
  var len = dat.length, ss = out.length, lb = dat[len - 1], msk = (1 << hu.b) - 1, eb = -hu.b;
  if (!lb)
    err(0);
  var st = 0, btr = hu.b, pos = (len << 3) - 8 + msb(lb) - btr, i = -1;
  for (; pos > eb && i < ss; ) {
    var cbt = pos >> 3;
    var val = (dat[cbt] | dat[cbt + 1] << 8 | dat[cbt + 2] << 16) >> (pos & 7);
    st = (st << btr | val) & msk;
    out[++i] = hu.s[st];
    pos -= btr = hu.n[st];
  }
  if (pos != eb || i + 1 != ss)
    err(0);
};
var dhu4 = function(dat, out, hu) {
  var bt = 6;
  var ss = out.length, sz1 = ss + 3 >> 2, sz2 = sz1 << 1, sz3 = sz1 + sz2;
  dhu(dat.subarray(bt, bt += dat[0] | dat[1] << 8), out.subarray(0, sz1), hu);
  dhu(dat.subarray(bt, bt += dat[2] | dat[3] << 8), out.subarray(sz1, sz2), hu);
  dhu(dat.subarray(bt, bt += dat[4] | dat[5] << 8), out.subarray(sz2, sz3), hu);
  dhu(dat.subarray(bt), out.subarray(sz3), hu);
};
var rzb = function(dat, st, out) {
  var _a;
  var bt = st.b;
  var b0 = dat[bt], btype = b0 >> 1 & 3;
  st.l = b0 & 1;
  var sz = b0 >> 3 | dat[bt + 1] << 5 | dat[bt + 2] << 13;
  var ebt = (bt += 3) + sz;
  if (btype == 1) {
    if (bt >= dat.length)
      return;
    st.b = bt + 1;
    if (out) {
      fill(out, dat[bt], st.y, st.y += sz);
      return out;
    }
    return fill(new u8(sz), dat[bt]);
  }
  if (ebt > dat.length)
    return;
  if (btype == 0) {
    st.b = ebt;
    if (out) {
      out.set(dat.subarray(bt, ebt), st.y);
      st.y += sz;
      return out;
    }
    return slc(dat, bt, ebt);
  }
  if (btype == 2) {
    var b3 = dat[bt], lbt = b3 & 3, sf = b3 >> 2 & 3;
    var lss = b3 >> 4, lcs = 0, s4 = 0;
    if (lbt < 2) {
      if (sf & 1)
        lss |= dat[++bt] << 4 | (sf & 2 && dat[++bt] << 12);
      else
        lss = b3 >> 3;
    } else {
      s4 = sf;
      if (sf < 2)
        lss |= (dat[++bt] & 63) << 4, lcs = dat[bt] >> 6 | dat[++bt] << 2;
      else if (sf == 2)
        lss |= dat[++bt] << 4 | (dat[++bt] & 3) << 12, lcs = dat[bt] >> 2 | dat[++bt] << 6;
      else
        lss |= dat[++bt] << 4 | (dat[++bt] & 63) << 12, lcs = dat[bt] >> 6 | dat[++bt] << 2 | dat[++bt] << 10;
    }
    ++bt;
    var buf = out ? out.subarray(st.y, st.y + st.m) : new u8(st.m);
    var spl = buf.length - lss;
    if (lbt == 0)
      buf.set(dat.subarray(bt, bt += lss), spl);
    else if (lbt == 1)
      fill(buf, dat[bt++], spl);
    else {
      var hu = st.h;
      if (lbt == 2) {
        var hud = rhu(dat, bt);
        lcs += bt - (bt = hud[0]);
        st.h = hu = hud[1];
      } else if (!hu)
        err(0);
      (s4 ? dhu4 : dhu)(dat.subarray(bt, bt += lcs), buf.subarray(spl), hu);
    }
    var ns = dat[bt++];
    if (ns) {
      if (ns == 255)
        ns = (dat[bt++] | dat[bt++] << 8) + 32512;
      else if (ns > 127)
        ns = ns - 128 << 8 | dat[bt++];
      var scm = dat[bt++];
      if (scm & 3)
        err(0);
      var dts = [dmlt, doct, dllt];
      for (var i = 2; i > -1; --i) {
        var md = scm >> (i << 1) + 2 & 3;
        if (md == 1) {
          var rbuf = new u8([0, 0, dat[bt++]]);
          dts[i] = {
            s: rbuf.subarray(2, 3),
            n: rbuf.subarray(0, 1),
            t: new u16(rbuf.buffer, 0, 1),
            b: 0
          };
        } else if (md == 2) {
          _a = rfse(dat, bt, 9 - (i & 1)), bt = _a[0], dts[i] = _a[1];
        } else if (md == 3) {
          if (!st.t)
            err(0);
          dts[i] = st.t[i];
        }
      }
      var _b = st.t = dts, mlt = _b[0], oct = _b[1], llt = _b[2];
      var lb = dat[ebt - 1];
      if (!lb)
        err(0);
      var spos = (ebt << 3) - 8 + msb(lb) - llt.b, cbt = spos >> 3, oubt = 0;
      var lst = (dat[cbt] | dat[cbt + 1] << 8) >> (spos & 7) & (1 << llt.b) - 1;
      cbt = (spos -= oct.b) >> 3;
      var ost = (dat[cbt] | dat[cbt + 1] << 8) >> (spos & 7) & (1 << oct.b) - 1;
      cbt = (spos -= mlt.b) >> 3;
      var mst = (dat[cbt] | dat[cbt + 1] << 8) >> (spos & 7) & (1 << mlt.b) - 1;
      for (++ns; --ns; ) {
        var llc = llt.s[lst];
        var lbtr = llt.n[lst];
        var mlc = mlt.s[mst];
        var mbtr = mlt.n[mst];
        var ofc = oct.s[ost];
        var obtr = oct.n[ost];
        cbt = (spos -= ofc) >> 3;
        var ofp = 1 << ofc;
        var off = ofp + ((dat[cbt] | dat[cbt + 1] << 8 | dat[cbt + 2] << 16 | dat[cbt + 3] << 24) >>> (spos & 7) & ofp - 1);
        cbt = (spos -= mlb[mlc]) >> 3;
        var ml = mlbl[mlc] + ((dat[cbt] | dat[cbt + 1] << 8 | dat[cbt + 2] << 16) >> (spos & 7) & (1 << mlb[mlc]) - 1);
        cbt = (spos -= llb[llc]) >> 3;
        var ll = llbl[llc] + ((dat[cbt] | dat[cbt + 1] << 8 | dat[cbt + 2] << 16) >> (spos & 7) & (1 << llb[llc]) - 1);
        cbt = (spos -= lbtr) >> 3;
        lst = llt.t[lst] + ((dat[cbt] | dat[cbt + 1] << 8) >> (spos & 7) & (1 << lbtr) - 1);
        cbt = (spos -= mbtr) >> 3;
        mst = mlt.t[mst] + ((dat[cbt] | dat[cbt + 1] << 8) >> (spos & 7) & (1 << mbtr) - 1);
        cbt = (spos -= obtr) >> 3;
        ost = oct.t[ost] + ((dat[cbt] | dat[cbt + 1] << 8) >> (spos & 7) & (1 << obtr) - 1);
        if (off > 3) {
          st.o[2] = st.o[1];
          st.o[1] = st.o[0];
          st.o[0] = off -= 3;
        } else {
          var idx = off - (ll != 0);
          if (idx) {
            off = idx == 3 ? st.o[0] - 1 : st.o[idx];
            if (idx > 1)
              st.o[2] = st.o[1];
            st.o[1] = st.o[0];
            st.o[0] = off;
          } else
            off = st.o[0];
        }
        for (var i = 0; i < ll; ++i) {
          buf[oubt + i] = buf[spl + i];
        }
        oubt += ll, spl += ll;
        var stin = oubt - off;
        if (stin < 0) {
          var len = -stin;
          var bs = st.e + stin;
          if (len > ml)
            len = ml;
          for (var i = 0; i < len; ++i) {
            buf[oubt + i] = st.w[bs + i];
          }
          oubt += len, ml -= len, stin = 0;
        }
        for (var i = 0; i < ml; ++i) {
          buf[oubt + i] = buf[stin + i];
        }
        oubt += ml;
      }
      if (oubt != spl) {
        while (spl < buf.length) {
          buf[oubt++] = buf[spl++];
        }
      } else
        oubt = buf.length;
      if (out)
        st.y += oubt;
      else
        buf = slc(buf, 0, oubt);
    } else if (out) {
      st.y += lss;
      if (spl) {
        for (var i = 0; i < lss; ++i) {
          buf[i] = buf[spl + i];
        }
      }
    } else if (spl)
      buf = slc(buf, spl);
    st.b = ebt;
    return buf;
  }
  err(2);
};
var cct = function(bufs, ol) {
  if (bufs.length == 1)
    return bufs[0];
  var buf = new u8(ol);
  for (var i = 0, b = 0; i < bufs.length; ++i) {
    var chk = bufs[i];
    buf.set(chk, b);
    b += chk.length;
  }
  return buf;
};
var Decompress = /* @__PURE__ */ (function() {
  function Decompress2(ondata) {
    this.ondata = ondata;
    this.c = [];
    this.l = 0;
    this.z = 0;
  }
  Decompress2.prototype.push = function(chunk, final) {
    if (typeof this.s == "number") {
      var sub = Math.min(chunk.length, this.s);
      chunk = chunk.subarray(sub);
      this.s -= sub;
    }
    var sl = chunk.length;
    var ncs = sl + this.l;
    if (!this.s) {
      if (final) {
        if (!ncs) {
          this.ondata(new u8(0), true);
          return;
        }
        if (ncs < 5)
          err(5);
      } else if (ncs < 18) {
        this.c.push(chunk);
        this.l = ncs;
        return;
      }
      if (this.l) {
        this.c.push(chunk);
        chunk = cct(this.c, ncs);
        this.c = [];
        this.l = 0;
      }
      if (typeof (this.s = rzfh(chunk)) == "number")
        return this.push(chunk, final);
    }
    if (typeof this.s != "number") {
      if (ncs < (this.z || 3)) {
        if (final)
          err(5);
        this.c.push(chunk);
        this.l = ncs;
        return;
      }
      if (this.l) {
        this.c.push(chunk);
        chunk = cct(this.c, ncs);
        this.c = [];
        this.l = 0;
      }
      if (!this.z && ncs < (this.z = chunk[this.s.b] & 2 ? 4 : 3 + (chunk[this.s.b] >> 3 | chunk[this.s.b + 1] << 5 | chunk[this.s.b + 2] << 13))) {
        if (final)
          err(5);
        this.c.push(chunk);
        this.l = ncs;
        return;
      } else
        this.z = 0;
      for (; ; ) {
        var blk = rzb(chunk, this.s);
        if (!blk) {
          if (final)
            err(5);
          var adc = chunk.subarray(this.s.b);
          this.s.b = 0;
          this.c.push(adc), this.l += adc.length;
          return;
        } else {
          this.ondata(blk, false);
          cpw(this.s.w, 0, blk.length);
          this.s.w.set(blk, this.s.w.length - blk.length);
        }
        if (this.s.l) {
          var rest = chunk.subarray(this.s.b);
          this.s = this.s.c * 4;
          this.push(rest, final);
          return;
        }
      }
    } else if (final)
      err(5);
  };
  return Decompress2;
})();

// src/image/layer/compression.ts
var GZIP_MAGIC = Buffer.from([31, 139]);
var ZSTD_MAGIC = Buffer.from([40, 181, 47, 253]);
var SNIFF_BYTES = ZSTD_MAGIC.length;
function detectCompression(head) {
  if (head.length >= GZIP_MAGIC.length && head.subarray(0, GZIP_MAGIC.length).equals(GZIP_MAGIC))
    return "gzip";
  if (head.length >= ZSTD_MAGIC.length && head.subarray(0, ZSTD_MAGIC.length).equals(ZSTD_MAGIC))
    return "zstd";
  return "none";
}
var ZstdJsTransform = class extends Transform2 {
  decoder = new Decompress((data) => {
    if (data.length > 0) this.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  });
  _transform(chunk, _encoding, callback) {
    try {
      this.decoder.push(chunk);
    } catch (error) {
      callback(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    callback();
  }
  _flush(callback) {
    try {
      this.decoder.push(new Uint8Array(0), true);
    } catch (error) {
      callback(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    callback();
  }
};
function createInner(compression) {
  if (compression === "gzip") return zlib.createGunzip({ chunkSize: 64 * 1024 });
  const native = zlib.createZstdDecompress;
  return native !== void 0 ? native() : new ZstdJsTransform();
}
var Decompressor = class extends Transform2 {
  constructor(name) {
    super();
    this.name = name;
  }
  name;
  head = [];
  headLength = 0;
  kind;
  inner;
  /** The compression found; known once the first bytes went through. */
  get compression() {
    if (this.kind === void 0)
      throw new Error(`compression of ${this.name} read before its first bytes`);
    return this.kind;
  }
  _transform(chunk, _encoding, callback) {
    if (this.kind === void 0) {
      this.head.push(chunk);
      this.headLength += chunk.length;
      if (this.headLength < SNIFF_BYTES) {
        callback();
        return;
      }
      chunk = this.start();
    }
    this.forward(chunk, callback);
  }
  _flush(callback) {
    if (this.kind === void 0) {
      const chunk = this.start();
      this.forward(chunk, (error) => error ? callback(error) : this.finish(callback));
      return;
    }
    this.finish(callback);
  }
  // The inner stream is paused whenever our reader is full, so one highly compressed input chunk
  // cannot expand into an unbounded buffer (gzip reaches 1000:1 on zeros).
  _read(size) {
    this.inner?.resume();
    super._read(size);
  }
  _destroy(error, callback) {
    this.inner?.destroy();
    callback(error);
  }
  start() {
    const chunk = Buffer.concat(this.head, this.headLength);
    this.head = [];
    this.kind = detectCompression(chunk);
    if (this.kind !== "none") {
      const inner = createInner(this.kind);
      const kind = this.kind;
      inner.on("data", (data) => {
        if (!this.push(data)) inner.pause();
      });
      inner.on("error", (error) => {
        this.destroy(
          new ImageError(
            `${this.name}: ${kind} stream is truncated or corrupt (${error.message})`,
            "CORRUPT_LAYER",
            {
              cause: error
            }
          )
        );
      });
      this.inner = inner;
    }
    return chunk;
  }
  forward(chunk, callback) {
    const inner = this.inner;
    if (inner === void 0) {
      callback(null, chunk.length > 0 ? chunk : void 0);
      return;
    }
    if (inner.write(chunk)) callback();
    else inner.once("drain", () => callback());
  }
  finish(callback) {
    const inner = this.inner;
    if (inner === void 0) {
      callback();
      return;
    }
    inner.once("end", () => callback());
    inner.end();
  }
};

// src/image/layer/analyze.ts
var WHITEOUT_PREFIX = ".wh.";
var OPAQUE_MARKER = ".wh..wh..opq";
function whiteoutOf(path2) {
  const slash = path2.lastIndexOf("/");
  const base = path2.slice(slash + 1);
  if (!base.startsWith(WHITEOUT_PREFIX)) return void 0;
  const dir = path2.slice(0, slash);
  if (base === OPAQUE_MARKER) return { path: dir === "" ? "/" : dir, opaque: true };
  if (base.startsWith(WHITEOUT_PREFIX + WHITEOUT_PREFIX)) return null;
  return { path: `${dir}/${base.slice(WHITEOUT_PREFIX.length)}`, opaque: false };
}
function compile2(requests) {
  return requests.map((request2) => ({
    globs: (request2.globs ?? []).map((glob) => new Minimatch(glob, { dot: true })),
    match: request2.match,
    maxBytes: request2.maxBytes
  }));
}
function wanted(requests, entry) {
  return requests.some(
    (request2) => entry.size <= request2.maxBytes && (request2.globs.some((glob) => glob.match(entry.path)) || request2.match?.(entry) === true)
  );
}
async function analyzeLayer(blob, options) {
  const label = `layer ${options.name}`;
  const requests = compile2(options.requests);
  const visitors = options.subscriptions.map((subscription) => [
    subscription.id,
    subscription.createVisitor()
  ]);
  const raw = new DigestingStream(label, options.expectedDigest);
  const decompressor = new Decompressor(label);
  const uncompressed = new DigestingStream(`${label} (uncompressed)`);
  const entries = [];
  const whiteouts = [];
  const contents = /* @__PURE__ */ new Map();
  const consume = async (tar) => {
    for await (const { entry, content } of readTar(tar, label)) {
      const whiteout = whiteoutOf(entry.path);
      if (whiteout !== void 0) {
        if (whiteout !== null) whiteouts.push(whiteout);
        continue;
      }
      entries.push(entry);
      const sinks = [];
      for (const [, visitor] of visitors) {
        const sink = visitor.onEntry(entry);
        if (sink !== void 0) sinks.push(sink);
      }
      contents.delete(entry.path);
      const capture = entry.type === "file" && wanted(requests, entry);
      if (entry.type === "file" && (capture || sinks.length > 0)) {
        const chunks = [];
        let length = 0;
        for await (const chunk of content) {
          for (const sink of sinks) sink.write(chunk);
          if (capture) {
            chunks.push(chunk);
            length += chunk.length;
          }
        }
        if (capture) contents.set(entry.path, Buffer.concat(chunks, length));
      }
      for (const sink of sinks) sink.end();
    }
  };
  const streaming = pipeline(blob, raw, decompressor, uncompressed);
  try {
    await Promise.all([streaming, consume(uncompressed)]);
  } catch (error) {
    blob.destroy();
    uncompressed.destroy();
    await streaming.catch(() => void 0);
    throw error;
  }
  return {
    diffId: uncompressed.digest,
    digest: raw.digest,
    compressedSize: raw.size,
    uncompressedSize: uncompressed.size,
    compression: decompressor.compression,
    entries,
    whiteouts,
    contents,
    visits: new Map(visitors.map(([id2, visitor]) => [id2, visitor.finish()]))
  };
}

// src/image/types.ts
var MEDIA_TYPES = {
  ociManifest: "application/vnd.oci.image.manifest.v1+json",
  ociIndex: "application/vnd.oci.image.index.v1+json",
  ociConfig: "application/vnd.oci.image.config.v1+json",
  dockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
  dockerManifestList: "application/vnd.docker.distribution.manifest.list.v2+json",
  dockerConfig: "application/vnd.docker.container.image.v1+json"
};

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
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ImageError(
      `${what} is not a JSON object; the image is corrupt or not an image.`,
      "BAD_MANIFEST"
    );
  }
  return value;
}
function parseManifest(bytes, what, transportMediaType) {
  const doc = parseJson(bytes, what);
  const declared = typeof doc.mediaType === "string" ? doc.mediaType : void 0;
  let mediaType = declared ?? transportMediaType?.split(";")[0]?.trim();
  if (mediaType === void 0 || mediaType === "" || mediaType === "application/json") {
    mediaType = Array.isArray(doc.manifests) ? MEDIA_TYPES.ociIndex : doc.config !== void 0 ? MEDIA_TYPES.ociManifest : void 0;
  }
  if (mediaType !== void 0 && MANIFEST_TYPES.has(mediaType)) {
    const config = doc.config;
    if (typeof config?.digest !== "string" || !Array.isArray(doc.layers)) {
      throw new ImageError(
        `${what} has no config descriptor or layer list; the manifest is corrupt.`,
        "BAD_MANIFEST"
      );
    }
    return { kind: "manifest", manifest: doc, mediaType };
  }
  if (mediaType !== void 0 && INDEX_TYPES.has(mediaType)) {
    if (!Array.isArray(doc.manifests)) {
      throw new ImageError(`${what} has no manifest list; the index is corrupt.`, "BAD_MANIFEST");
    }
    return { kind: "index", index: doc, mediaType };
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
function parseConfig(bytes, what) {
  const doc = parseJson(bytes, what);
  const rootfs = doc.rootfs;
  if (!Array.isArray(rootfs?.diff_ids)) {
    throw new ImageError(
      `${what} has no rootfs.diff_ids; the image config is corrupt.`,
      "BAD_CONFIG"
    );
  }
  return doc;
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
function selectPlatform(index, wanted2, what) {
  const candidates = index.manifests.filter(
    (m) => m.platform !== void 0 && m.platform.os !== "unknown" && m.platform.architecture !== "unknown"
  );
  const match2 = candidates.find((m) => {
    const p = m.platform;
    if (p.os !== wanted2.os || p.architecture !== wanted2.architecture) return false;
    const want = normalisedVariant(wanted2);
    return want === void 0 || normalisedVariant(p) === want;
  });
  if (match2) return match2;
  const available = candidates.map((m) => formatPlatform(m.platform));
  throw new ConfigurationError(
    `${what} has no image for platform ${formatPlatform(wanted2)}; it offers ${available.length > 0 ? available.join(", ") : "no platform-specific images"}. Choose one with --platform (input "platform").`,
    "NO_MATCHING_PLATFORM"
  );
}
function platformOf(config) {
  return config.variant ? { os: config.os, architecture: config.architecture, variant: config.variant } : { os: config.os, architecture: config.architecture };
}
function checkConfigPlatform(config, configDigest, wanted2, what) {
  const offered = {
    mediaType: "",
    digest: configDigest,
    size: 0,
    platform: platformOf(config)
  };
  selectPlatform({ schemaVersion: 2, manifests: [offered] }, wanted2, what);
}

// src/image/archive.ts
import { spawn } from "node:child_process";
import { createReadStream as createReadStream2 } from "node:fs";
import { stat as stat2 } from "node:fs/promises";
import { posix } from "node:path";
import { Readable as Readable2 } from "node:stream";

// src/image/oci-layout.ts
import { createReadStream } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";

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
function describe(descriptor) {
  const name = descriptor.annotations?.[REF_NAME_ANNOTATION];
  if (name !== void 0) return `"${name}"`;
  const platform = descriptor.platform ? ` (${formatPlatform(descriptor.platform)})` : "";
  return `${descriptor.digest}${platform}`;
}
function chooseFromIndex(index, ref, platform, what) {
  const candidates = ref === void 0 ? index.manifests : index.manifests.filter(
    (d) => d.annotations?.[REF_NAME_ANNOTATION] === ref || d.digest === ref
  );
  const offered = index.manifests.map(describe).join(", ");
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
    `${what} holds several images (${candidates.map(describe).join(", ")}); choose one with ${what}:REF.`,
    "AMBIGUOUS_IMAGE"
  );
}
async function resolveLayout(indexBytes, ref, read, platform, what) {
  const top = parseManifest(indexBytes, `${what} index.json`);
  if (top.kind !== "index") {
    throw new ImageError(
      `${what} index.json is not an image index; the layout is corrupt.`,
      "BAD_MANIFEST"
    );
  }
  const chosen = chooseFromIndex(top.index, ref, platform, what);
  let descriptor = chosen.descriptor;
  let byPlatform = chosen.byPlatform;
  let indexDigest;
  for (let depth = 0; ; depth++) {
    const role = `manifest ${descriptor.digest}`;
    const bytes = await read(descriptor.digest, role);
    assertDigest(bytes, descriptor.digest, `${what} ${role}`);
    const parsed = parseManifest(bytes, `${what} ${role}`, descriptor.mediaType);
    if (parsed.kind === "manifest") {
      const configRole = `config ${parsed.manifest.config.digest}`;
      const configBytes = await read(parsed.manifest.config.digest, configRole);
      assertDigest(configBytes, parsed.manifest.config.digest, `${what} ${configRole}`);
      const config = parseConfig(configBytes, `${what} ${configRole}`);
      if (!byPlatform) checkConfigPlatform(config, parsed.manifest.config.digest, platform, what);
      return {
        manifest: parsed.manifest,
        digest: descriptor.digest,
        ...indexDigest !== void 0 ? { indexDigest } : {},
        platform: platformOf(config),
        config,
        configDigest: parsed.manifest.config.digest
      };
    }
    if (depth + 1 >= MAX_INDEX_DEPTH) {
      throw new ImageError(
        `${what} nests image indexes more than ${MAX_INDEX_DEPTH} deep; the layout is corrupt.`,
        "BAD_MANIFEST"
      );
    }
    indexDigest = descriptor.digest;
    descriptor = selectPlatform(parsed.index, platform, `${what} image index ${descriptor.digest}`);
    byPlatform = true;
  }
}
async function fileSize(path2) {
  try {
    const info = await stat(path2);
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
  const dirInfo = await stat(dir).catch(() => void 0);
  if (dirInfo === void 0) {
    throw new ImageError(`oci directory ${dir} does not exist; check the path.`, "NOT_FOUND");
  }
  if (!dirInfo.isDirectory()) {
    throw new ImageError(
      `oci directory ${dir} is a file, not a directory; read a tar of a layout as oci-archive:${dir}.`,
      "NOT_A_DIRECTORY"
    );
  }
  checkLayoutVersion(await readFile(join(dir, "oci-layout")).catch(() => void 0), what);
  const indexBytes = await readFile(join(dir, "index.json")).catch(() => void 0);
  if (indexBytes === void 0) {
    throw new ImageError(
      `${what} has no index.json; the layout is incomplete.`,
      "NOT_AN_OCI_LAYOUT"
    );
  }
  const read = async (digest, role) => {
    const path2 = join(dir, blobPath(digest, `${what} ${role}`));
    const size = await fileSize(path2);
    if (size === void 0) throw missingBlob(what, digest, role);
    if (size > MAX_DOCUMENT_BYTES) {
      throw new ImageError(
        `${what} ${role} is ${size} bytes, more than a manifest or config may be (${MAX_DOCUMENT_BYTES}); the layout is corrupt.`,
        "BAD_MANIFEST"
      );
    }
    return readFile(path2);
  };
  const image = await resolveLayout(indexBytes, ref, read, options.platform, what);
  const layers = image.manifest.layers;
  const paths = [];
  for (const [i, layer] of layers.entries()) {
    const role = `layer ${i + 1} of ${layers.length}`;
    const path2 = join(dir, blobPath(layer.digest, `${what} ${role}`));
    if (await fileSize(path2) === void 0) throw missingBlob(what, layer.digest, role);
    paths.push(path2);
  }
  const open = /* @__PURE__ */ new Set();
  let analyses;
  try {
    analyses = await mapInOrder(layers, LAYER_CONCURRENCY, async (layer, i) => {
      const blob = createReadStream(paths[i]);
      open.add(blob);
      try {
        return await options.analyzeLayer(blob, {
          name: layer.digest,
          expectedDigest: layer.digest
        });
      } finally {
        open.delete(blob);
      }
    });
  } finally {
    for (const blob of open) blob.destroy();
  }
  return {
    reference,
    digest: image.digest,
    ...image.indexDigest !== void 0 ? { indexDigest: image.indexDigest } : {},
    platform: image.platform,
    manifest: image.manifest,
    config: image.config,
    configDigest: image.configDigest,
    layers: layers.map((descriptor, i) => ({ descriptor, analysis: analyses[i] }))
  };
}
function ociLayoutSource(reference, dir, ref) {
  return {
    transport: "oci",
    reference,
    acquire: (options) => acquireLayout(reference, dir, ref, options)
  };
}

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
var SHA2562 = /^sha256:[a-f0-9]{64}$/;
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
  const match2 = REFERENCE.exec(`${split.domain}/${split.path}`);
  if (match2 === null) throw invalid(reference, "is malformed");
  const [, fullName, tag, digest] = match2;
  if (fullName.length > NAME_TOTAL_LENGTH_MAX) {
    throw invalid(reference, `has a name longer than ${NAME_TOTAL_LENGTH_MAX} characters`);
  }
  let path2 = fullName.slice(split.domain.length + 1);
  if (split.domain === DOCKER_HUB && !path2.includes("/")) path2 = `library/${path2}`;
  if (digest !== void 0 && !SHA2562.test(digest)) {
    const algorithm = digest.split(":")[0];
    throw invalid(reference, `pins a ${algorithm} digest, but only sha256 digests are supported`);
  }
  return {
    original: reference,
    domain: split.domain,
    apiHost: split.domain === DOCKER_HUB ? DOCKER_HUB_API : split.domain,
    path: path2,
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

// src/image/archive.ts
var DOCUMENT_NAMES = /* @__PURE__ */ new Set(["/manifest.json", "/index.json", "/oci-layout", "/repositories"]);
var DOCKER_LAYER_TYPES = {
  none: "application/vnd.docker.image.rootfs.diff.tar",
  gzip: "application/vnd.docker.image.rootfs.diff.tar.gzip",
  zstd: "application/vnd.docker.image.rootfs.diff.tar.zstd"
};
var MAX_STDERR_BYTES = 64 * 1024;
var CONTENT_ADDRESSED = /^\/(?:blobs\/sha256\/([a-f0-9]{64})|([a-f0-9]{64})\.json)$/;
function digestOfMember(path2) {
  const match2 = CONTENT_ADDRESSED.exec(path2);
  const hex = match2?.[1] ?? match2?.[2];
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
  return Readable2.from(all(), { objectMode: false });
}
async function readRest(head, chunks) {
  const parts = [...head];
  for (let next = await chunks.next(); next.done !== true; next = await chunks.next()) {
    parts.push(next.value);
  }
  return Buffer.concat(parts);
}
async function readArchive(stream, what, options) {
  const members = { documents: /* @__PURE__ */ new Map(), layers: /* @__PURE__ */ new Map(), links: /* @__PURE__ */ new Map() };
  for await (const { entry, content } of readTar(stream, what)) {
    const path2 = entry.path;
    if (entry.type === "symlink" && entry.linkTarget !== void 0) {
      members.links.set(path2, posix.resolve(posix.dirname(path2), entry.linkTarget));
      continue;
    }
    if (entry.type === "hardlink" && entry.linkTarget !== void 0) {
      members.links.set(path2, entry.linkTarget);
      continue;
    }
    if (entry.type !== "file") continue;
    const chunks = content[Symbol.asyncIterator]();
    const head = [];
    let document = DOCUMENT_NAMES.has(path2) && entry.size <= MAX_DOCUMENT_BYTES;
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
      members.documents.set(path2, await readRest(head, chunks));
      continue;
    }
    const expectedDigest = path2.startsWith("/blobs/sha256/") ? digestOfMember(path2) : void 0;
    const result = await options.analyzeLayer(rejoin(head, chunks), {
      name: layerName(path2, what),
      ...expectedDigest !== void 0 ? { expectedDigest } : {}
    }).then(
      (analysis) => ({ analysis }),
      (error) => ({ error })
    );
    members.layers.set(path2, result);
  }
  return members;
}
function layerName(path2, what) {
  const digest = path2.startsWith("/blobs/sha256/") ? digestOfMember(path2) : void 0;
  return digest !== void 0 ? `${digest} in ${what}` : `${path2.slice(1)} in ${what}`;
}
function follow(members, path2) {
  let current = path2;
  for (let hops = 0; hops < 16; hops++) {
    const target = members.links.get(current);
    if (target === void 0) return current;
    current = target;
  }
  return current;
}
function memberPath(name) {
  return posix.resolve("/", name);
}
async function layerAt(members, path2, what, options, missing) {
  const resolved = follow(members, path2);
  const result = members.layers.get(resolved);
  if (result !== void 0) {
    if ("error" in result) throw result.error;
    return result.analysis;
  }
  const bytes = members.documents.get(resolved);
  if (bytes === void 0) throw missing();
  const expectedDigest = resolved.startsWith("/blobs/sha256/") ? digestOfMember(resolved) : void 0;
  return options.analyzeLayer(Readable2.from([bytes], { objectMode: false }), {
    name: layerName(resolved, what),
    ...expectedDigest !== void 0 ? { expectedDigest } : {}
  });
}
function isStringArray(value) {
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}
function parseDockerManifest(bytes, what) {
  let doc;
  try {
    doc = JSON.parse(bytes.toString("utf8"));
  } catch {
    doc = void 0;
  }
  const valid = Array.isArray(doc) && doc.length > 0 && doc.every((item) => {
    if (typeof item !== "object" || item === null) return false;
    const entry = item;
    return typeof entry.Config === "string" && isStringArray(entry.Layers) && (entry.RepoTags === void 0 || entry.RepoTags === null || isStringArray(entry.RepoTags));
  });
  if (!valid) {
    throw new ImageError(
      `${what} has a manifest.json that is not a docker save manifest (a JSON list of {Config, RepoTags, Layers}); the archive is corrupt.`,
      "BAD_MANIFEST"
    );
  }
  return doc;
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
  const wanted2 = canonicalTag(ref);
  const match2 = position !== null ? entries[Number(position[1])] : entries.find((entry) => entry.RepoTags?.some((tag) => canonicalTag(tag) === wanted2));
  if (match2 === void 0) {
    throw new ConfigurationError(
      `${what} has no image tagged "${ref}"; it holds ${listed}. Write ${what}:REF with one of them.`,
      "REF_NOT_FOUND"
    );
  }
  return match2;
}
function findOciManifest(members, entry, configDigest, what) {
  const layerDigests = entry.Layers.map(
    (layer) => digestOfMember(follow(members, memberPath(layer)))
  );
  for (const [path2, bytes] of members.documents) {
    const digest = path2.startsWith("/blobs/sha256/") ? digestOfMember(path2) : void 0;
    if (digest === void 0) continue;
    let manifest;
    try {
      const parsed = parseManifest(bytes, path2);
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
async function resolveDockerSave(members, reference, ref, what, options) {
  const manifestBytes = members.documents.get("/manifest.json");
  if (manifestBytes === void 0) {
    const hint = members.documents.has("/index.json") ? ` It is an OCI image layout: read it as oci-archive:${what.slice(what.indexOf(":") + 1)}.` : "";
    throw new ImageError(
      `${what} is not a docker save archive: it has no manifest.json.${hint}`,
      "NOT_A_DOCKER_ARCHIVE"
    );
  }
  const entry = chooseDockerEntry(parseDockerManifest(manifestBytes, what), ref, what);
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
async function resolveOciArchive(members, reference, ref, what, options) {
  const indexBytes = members.documents.get("/index.json");
  if (indexBytes === void 0) {
    const hint = members.documents.has("/manifest.json") ? ` It was written by docker save: read it as docker-archive:${what.slice(what.indexOf(":") + 1)}.` : "";
    throw new ImageError(
      `${what} is not an OCI image layout: it has no index.json.${hint}`,
      "NOT_AN_OCI_LAYOUT"
    );
  }
  checkLayoutVersion(members.documents.get("/oci-layout"), what);
  const read = async (digest, role) => {
    const path2 = follow(members, `/${blobPath(digest, `${what} ${role}`)}`);
    const bytes = members.documents.get(path2);
    if (bytes !== void 0) return bytes;
    if (members.layers.has(path2)) {
      throw new ImageError(
        `${what} ${role} is not a JSON document; the archive is corrupt.`,
        "BAD_MANIFEST"
      );
    }
    throw missingBlob(what, digest, role);
  };
  const image = await resolveLayout(indexBytes, ref, read, options.platform, what);
  const layers = image.manifest.layers;
  const analyses = [];
  for (const [i, layer] of layers.entries()) {
    const role = `layer ${i + 1} of ${layers.length}`;
    const path2 = `/${blobPath(layer.digest, `${what} ${role}`)}`;
    analyses.push(
      await layerAt(members, path2, what, options, () => missingBlob(what, layer.digest, role))
    );
  }
  return {
    reference,
    digest: image.digest,
    ...image.indexDigest !== void 0 ? { indexDigest: image.indexDigest } : {},
    platform: image.platform,
    manifest: image.manifest,
    config: image.config,
    configDigest: image.configDigest,
    layers: layers.map((descriptor, i) => ({ descriptor, analysis: analyses[i] }))
  };
}
async function openArchiveFile(transport, path2) {
  const info = await stat2(path2).catch(() => void 0);
  if (info === void 0) {
    throw new ImageError(`${transport} file ${path2} does not exist; check the path.`, "NOT_FOUND");
  }
  if (!info.isFile()) {
    const fix = transport === "oci-archive" ? ` read a layout directory as oci:${path2}` : " name the tar file";
    throw new ImageError(`${transport} file ${path2} is not a regular file;${fix}.`, "NOT_A_FILE");
  }
  return createReadStream2(path2);
}
function dockerArchiveSource(reference, path2, ref) {
  return {
    transport: "docker-archive",
    reference,
    acquire: async (options) => {
      const what = `docker-archive:${path2}`;
      const members = await readArchive(
        await openArchiveFile("docker-archive", path2),
        what,
        options
      );
      return resolveDockerSave(members, reference, ref, what, options);
    }
  };
}
function ociArchiveSource(reference, path2, ref) {
  return {
    transport: "oci-archive",
    reference,
    acquire: async (options) => {
      const what = `oci-archive:${path2}`;
      const members = await readArchive(await openArchiveFile("oci-archive", path2), what, options);
      return resolveOciArchive(members, reference, ref, what, options);
    }
  };
}
function firstLine(bytes) {
  return bytes.toString("utf8").split("\n").map((line) => line.trim()).find((line) => line !== "") ?? "";
}
async function acquireFromDaemon(reference, ref, options) {
  const what = `docker-daemon:${ref}`;
  options.logger.debug(`Running docker save ${ref}`);
  const child = spawn("docker", ["save", ref], {
    env: options.env,
    stdio: ["ignore", "pipe", "pipe"]
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
    members = await readArchive(child.stdout, what, options);
  } catch (error) {
    readError = error;
    child.kill();
  }
  const status = await exited;
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

// src/image/registry/client.ts
import { isIP } from "node:net";

// src/image/http.ts
import * as http from "node:http";
import * as https from "node:https";
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
  maxRetryAfterMs: 6e4
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
function describe2(url) {
  return `${url.origin}${url.pathname}`;
}
function errorCode(error) {
  if (error instanceof HttpError) return error.code;
  const code = error?.code;
  return typeof code === "string" ? code : void 0;
}
function backoff(attempt, policy) {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return ceiling / 2 + Math.random() * (ceiling / 2);
}
function isRetryableStatus(status) {
  return status === 429 || status >= 500 && status <= 599;
}
function send(url, method, headers, body, stallMs) {
  return new Promise((resolve2, reject) => {
    const transport = url.protocol === "https:" ? https : http;
    const request2 = transport.request(url, {
      method,
      headers: body !== void 0 ? { ...headers, "content-length": String(body.length) } : headers
    });
    request2.setTimeout(stallMs, () => {
      request2.destroy(
        new HttpError(
          `${describe2(url)} sent no response for ${stallMs / 1e3} s`,
          "STALL",
          describe2(url)
        )
      );
    });
    request2.on("error", reject);
    request2.once("response", (response) => {
      request2.setTimeout(0);
      resolve2({ request: request2, response });
    });
    request2.end(body);
  });
}
function guardBody(exchange, url, stallMs) {
  const { request: request2, response } = exchange;
  const body = new PassThrough();
  let timer;
  const fail = (error) => {
    clearTimeout(timer);
    request2.destroy();
    body.destroy(error);
  };
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (response.isPaused()) {
        arm();
        return;
      }
      fail(
        new HttpError(
          `${describe2(url)} sent no data for ${stallMs / 1e3} s`,
          "STALL",
          describe2(url)
        )
      );
    }, stallMs);
  };
  response.on("data", (chunk) => {
    if (body.destroyed) return;
    arm();
    if (!body.write(chunk)) {
      response.pause();
      body.once("drain", () => response.resume());
    }
  });
  response.once("end", () => {
    clearTimeout(timer);
    body.end();
  });
  response.once("close", () => {
    if (!response.complete) {
      fail(
        new HttpError(
          `${describe2(url)} closed the connection before the body was complete`,
          "ECONNRESET",
          describe2(url)
        )
      );
    }
  });
  response.on("error", (error) => fail(error));
  body.once("close", () => {
    clearTimeout(timer);
    if (!response.complete) request2.destroy();
  });
  arm();
  return body;
}
function assertAllowed(url, allowHttp) {
  if (url.protocol === "https:") return;
  if (url.protocol === "http:" && allowHttp?.(url) === true) return;
  throw new HttpError(
    `refusing to fetch ${describe2(url)} over ${url.protocol.replace(":", "")}; only https is allowed for this host`,
    "INSECURE",
    describe2(url)
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
    const exchange = await send(url, method, headers, body, stallMs);
    const status = exchange.response.statusCode ?? 0;
    const location2 = header(exchange.response.headers, "location");
    if (!REDIRECTS.has(status) || location2 === void 0) return { ...exchange, url };
    exchange.response.resume();
    if (redirects >= maxRedirects) {
      throw new HttpError(
        `${describe2(start)} redirected more than ${maxRedirects} times`,
        "TOO_MANY_REDIRECTS",
        describe2(start)
      );
    }
    const next = new URL(location2, url);
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
async function request(url, options = {}) {
  const start = new URL(url);
  const policy = { ...DEFAULT_RETRY, ...options.retry };
  const stallMs = options.stallTimeoutMs ?? DEFAULT_STALL_MS;
  for (let attempt = 1; ; attempt++) {
    let exchange;
    try {
      exchange = await followRedirects(start, options, stallMs);
    } catch (error) {
      const code = errorCode(error);
      if (attempt < policy.attempts && code !== void 0 && RETRYABLE_CODES.has(code)) {
        const delay = backoff(attempt, policy);
        options.logger?.debug(`${describe2(start)}: ${code}, retrying in ${Math.round(delay)} ms`);
        await sleep(delay);
        continue;
      }
      if (error instanceof HttpError) throw error;
      const message = error instanceof Error ? error.message : String(error);
      throw new HttpError(
        `${describe2(start)} failed: ${message}`,
        code ?? "NETWORK",
        describe2(start),
        { cause: error }
      );
    }
    const status = exchange.response.statusCode ?? 0;
    if (isRetryableStatus(status) && attempt < policy.attempts) {
      exchange.response.resume();
      const retryAfter = parseRetryAfter(header(exchange.response.headers, "retry-after"));
      const delay = retryAfter !== void 0 ? Math.min(retryAfter, policy.maxRetryAfterMs) : backoff(attempt, policy);
      options.logger?.debug(`${describe2(start)}: ${status}, retrying in ${Math.round(delay)} ms`);
      await sleep(delay);
      continue;
    }
    return {
      status,
      headers: exchange.response.headers,
      url: exchange.url,
      body: guardBody(exchange, exchange.url, stallMs)
    };
  }
}
async function readBody(response, maxBytes) {
  const tooLarge = () => new HttpError(
    `${describe2(response.url)} sent more than ${maxBytes} bytes`,
    "TOO_LARGE",
    describe2(response.url)
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
function matchAt(pattern, text3, at) {
  pattern.lastIndex = at;
  return pattern.exec(text3)?.[0];
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
      const pair2 = `${credentials.username}:${credentials.password}`;
      this.basic = `Basic ${Buffer.from(pair2).toString("base64")}`;
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
          const pair2 = `${credentials.username}:${credentials.password}`;
          headers.authorization = `Basic ${Buffer.from(pair2).toString("base64")}`;
        }
        response = await requestBytes(url, {
          headers,
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
    const seconds = typeof body?.expires_in === "number" && body.expires_in > 0 ? body.expires_in : DEFAULT_TOKEN_SECONDS;
    logger.debug(`registry ${host}: got a token for ${scope}`);
    return { value, expiresAt: started + seconds * 1e3 - EXPIRY_MARGIN_MS };
  }
};

// src/image/registry/docker-config.ts
import { spawn as spawn2 } from "node:child_process";
import { constants as fsConstants } from "node:fs";
import { access, readFile as readFile2 } from "node:fs/promises";
import { homedir } from "node:os";
import { delimiter, join as join2 } from "node:path";
var DOCKER_HUB_SERVER = "https://index.docker.io/v1/";
var DOCKER_HUB_ALIASES = /* @__PURE__ */ new Set([
  DOCKER_HUB,
  "index.docker.io",
  "registry-1.docker.io"
]);
var IDENTITY_TOKEN_USERNAME = "<token>";
var HELPER_TIMEOUT_MS = 3e4;
function dockerConfigPath(env) {
  const dir = env.DOCKER_CONFIG ?? join2(env.HOME ?? homedir(), ".docker");
  return join2(dir, "config.json");
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
  let text3;
  try {
    text3 = await readFile2(file, "utf8");
  } catch {
    return void 0;
  }
  try {
    const value = JSON.parse(text3);
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
    const candidate = join2(dir, program);
    try {
      await access(candidate, fsConstants.X_OK);
      return candidate;
    } catch {
    }
  }
  return void 0;
}
async function fromHelper(helper, serverUrl, lookup) {
  const program = `docker-credential-${helper}`;
  const path2 = await findOnPath(program, lookup.env);
  if (path2 === void 0) {
    lookup.logger.warning(
      `The Docker config names the credential helper "${helper}", but ${program} is not on PATH; continuing without its credentials.`
    );
    return void 0;
  }
  const output = await new Promise((resolve2, reject) => {
    const child = spawn2(path2, ["get"], {
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
  if (lookup.credentials !== void 0) {
    return {
      kind: "basic",
      ...lookup.credentials,
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
  /** GET /v2/NAME/blobs/DIGEST as a stream; redirects to blob storage are followed without our credentials. */
  async openBlob(digest) {
    const response = await this.openBlobResponse(digest);
    if (response.status !== 200) {
      response.body.resume();
      throw unexpectedStatus(this.reference.domain, `blob ${digest}`, response.status);
    }
    return response.body;
  }
  async openBlobResponse(digest) {
    const response = await this.get(`blobs/${digest}`, {});
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
  async get(path2, headers) {
    const url = new URL(`${this.reference.path}/${path2}`, this.baseUrl);
    const scope = this.auth.pullScope;
    for (let answered = false; ; answered = true) {
      const authorization = this.auth.authorization(scope);
      let response;
      try {
        response = await request(url, {
          headers: authorization !== void 0 ? { ...headers, authorization } : headers,
          allowHttp: this.allowHttp,
          logger: this.options.logger
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
};

// src/image/registry/source.ts
var RegistrySource = class {
  constructor(reference) {
    this.reference = reference;
    this.parsed = parseReference(reference.replace(/^docker:\/\//, ""));
  }
  reference;
  transport = "docker";
  parsed;
  async acquire(options) {
    const client = new RegistryClient(this.parsed, options);
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
    const layers = await mapInOrder(
      manifest.layers,
      LAYER_CONCURRENCY,
      async (descriptor) => {
        try {
          const blob = await client.openBlob(descriptor.digest);
          const analysis = await options.analyzeLayer(blob, {
            name: `layer ${descriptor.digest}`,
            expectedDigest: descriptor.digest
          });
          return { descriptor, analysis };
        } catch (error) {
          throw registryRequestError(this.parsed.domain, error);
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
function registrySource(reference) {
  return new RegistrySource(reference);
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
  const prefix2 = colon === -1 ? "" : spec.slice(0, colon);
  const rest = spec.slice(colon + 1);
  switch (prefix2) {
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
      const path2 = split === -1 ? rest : rest.slice(0, split);
      const ref = split === -1 ? "" : rest.slice(split + 1);
      if (path2 === "") {
        const form = prefix2 === "oci" ? "oci:DIR[:REF]" : `${prefix2}:PATH[:REF]`;
        throw new ConfigurationError(
          `image "${spec}" has an empty path; write ${form}.`,
          "INVALID_IMAGE_SOURCE"
        );
      }
      return ref === "" ? { transport: prefix2, path: path2 } : { transport: prefix2, path: path2, ref };
    }
  }
  if (colon !== -1 && (UNSUPPORTED.has(prefix2) || !isRegistryReference(spec))) {
    throw new ConfigurationError(
      `image "${spec}" uses the transport "${prefix2}", which container-gate does not read; use one of ${FORMS}.`,
      "UNKNOWN_TRANSPORT"
    );
  }
  return { transport: "docker", reference: spec };
}
function openSource(spec) {
  const parsed = parseSourceSpec(spec);
  switch (parsed.transport) {
    case "docker":
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

// src/policy/evaluate.ts
function fingerprint(finding2) {
  const key = [
    finding2.step,
    finding2.rule,
    finding2.subject,
    finding2.package?.purl ?? "",
    finding2.vulnerability?.id ?? ""
  ].join("\0");
  return sha256(key).slice("sha256:".length, "sha256:".length + 16);
}
function blocks(finding2, policy) {
  const action = policy.rules[finding2.rule];
  if (action === "error") return true;
  if (action === "warn") return false;
  const failOn = policy.steps[finding2.step].failOn;
  return failOn !== "none" && severityRank(finding2.severity) >= severityRank(failOn);
}
function compareGated(a, b) {
  return severityRank(b.severity) - severityRank(a.severity) || Number(b.blocking) - Number(a.blocking) || STEP_IDS.indexOf(a.step) - STEP_IDS.indexOf(b.step) || compareText(a.rule, b.rule) || compareText(a.subject, b.subject) || compareText(a.fingerprint, b.fingerprint);
}
function compareText(a, b) {
  return a < b ? -1 : a > b ? 1 : 0;
}
function gate(findings, policy) {
  return findings.filter((finding2) => policy.rules[finding2.rule] !== "off").map((finding2) => ({
    ...finding2,
    fingerprint: fingerprint(finding2),
    blocking: blocks(finding2, policy)
  })).sort(compareGated);
}
function isBlocking(finding2) {
  return finding2.blocking && finding2.suppressed === void 0;
}
function stepStatus(findings) {
  return findings.some(isBlocking) ? "fail" : "pass";
}
function verdict(findings, steps) {
  const failed = findings.some(isBlocking) || steps.some((step) => step.status === "error");
  return failed ? "fail" : "pass";
}

// src/report/summary.ts
function countBySeverity(findings) {
  const counts = Object.fromEntries(SEVERITIES.map((severity) => [severity, 0]));
  for (const finding2 of findings) {
    if (finding2.suppressed === void 0) counts[finding2.severity] += 1;
  }
  return counts;
}

// src/steps/identity/index.ts
import { posix as posix2 } from "node:path";

// src/steps/identity/accounts.ts
function records(text3) {
  return text3.split("\n").map((line) => line.replace(/\r$/, "")).filter((line) => line.trim() !== "" && !line.startsWith("#")).map((line) => line.split(":"));
}
function id(field) {
  return field !== void 0 && /^\d+$/.test(field) ? Number(field) : void 0;
}
function parsePasswd(text3) {
  const entries = [];
  for (const [name, password = "", uidField, gidField, , , shell = ""] of records(text3)) {
    const uid = id(uidField);
    const gid = id(gidField);
    if (name && uid !== void 0 && gid !== void 0) {
      entries.push({ name, password, uid, gid, shell });
    }
  }
  return entries;
}
function parseGroup(text3) {
  const entries = [];
  for (const [name, , gidField] of records(text3)) {
    const gid = id(gidField);
    if (name && gid !== void 0) entries.push({ name, gid });
  }
  return entries;
}
function parseShadow(text3) {
  return records(text3).filter(([name]) => Boolean(name)).map(([name = "", password = ""]) => ({ name, password }));
}
var NON_LOGIN_SHELL = /\/(nologin|false|sync|halt|shutdown)$/;
function hasLoginShell(entry) {
  return !NON_LOGIN_SHELL.test(entry.shell);
}
function duplicateIds(entries) {
  const byId = /* @__PURE__ */ new Map();
  for (const { name, id: id2 } of entries) byId.set(id2, [...byId.get(id2) ?? [], name]);
  return new Map([...byId].filter(([, names]) => names.length > 1).sort(([a], [b]) => a - b));
}

// src/steps/identity/capabilities.ts
var CAPABILITY_NAMES = [
  "CAP_CHOWN",
  "CAP_DAC_OVERRIDE",
  "CAP_DAC_READ_SEARCH",
  "CAP_FOWNER",
  "CAP_FSETID",
  "CAP_KILL",
  "CAP_SETGID",
  "CAP_SETUID",
  "CAP_SETPCAP",
  "CAP_LINUX_IMMUTABLE",
  "CAP_NET_BIND_SERVICE",
  "CAP_NET_BROADCAST",
  "CAP_NET_ADMIN",
  "CAP_NET_RAW",
  "CAP_IPC_LOCK",
  "CAP_IPC_OWNER",
  "CAP_SYS_MODULE",
  "CAP_SYS_RAWIO",
  "CAP_SYS_CHROOT",
  "CAP_SYS_PTRACE",
  "CAP_SYS_PACCT",
  "CAP_SYS_ADMIN",
  "CAP_SYS_BOOT",
  "CAP_SYS_NICE",
  "CAP_SYS_RESOURCE",
  "CAP_SYS_TIME",
  "CAP_SYS_TTY_CONFIG",
  "CAP_MKNOD",
  "CAP_LEASE",
  "CAP_AUDIT_WRITE",
  "CAP_AUDIT_CONTROL",
  "CAP_SETFCAP",
  "CAP_MAC_OVERRIDE",
  "CAP_MAC_ADMIN",
  "CAP_SYSLOG",
  "CAP_WAKE_ALARM",
  "CAP_BLOCK_SUSPEND",
  "CAP_AUDIT_READ",
  "CAP_PERFMON",
  "CAP_BPF",
  "CAP_CHECKPOINT_RESTORE"
];
var REVISION_MASK = 4278190080;
var WORDS_BY_REVISION = /* @__PURE__ */ new Map([
  [16777216, 1],
  [33554432, 2],
  [50331648, 2]
]);
function decodeFileCapabilities(value) {
  if (value.length < 4) return void 0;
  const magic = value.readUInt32LE(0);
  const words = WORDS_BY_REVISION.get((magic & REVISION_MASK) >>> 0);
  if (words === void 0 || value.length < 4 + words * 8) return void 0;
  const names = [];
  for (let word = 0; word < words; word++) {
    const permitted = value.readUInt32LE(4 + word * 8);
    const inheritable = value.readUInt32LE(8 + word * 8);
    const bits = (permitted | inheritable) >>> 0;
    for (let bit = 0; bit < 32; bit++) {
      if (bits >>> bit & 1) {
        const capability = word * 32 + bit;
        names.push(CAPABILITY_NAMES[capability] ?? `CAP_${capability}`);
      }
    }
  }
  return { names, effective: (magic & 1) === 1 };
}

// src/steps/identity/user.ts
function parseUser(value) {
  const raw = (value ?? "").trim();
  const colon = raw.indexOf(":");
  if (colon < 0) return { raw, user: raw };
  const group = raw.slice(colon + 1);
  return { raw, user: raw.slice(0, colon), ...group === "" ? {} : { group } };
}
function isNumericId(value) {
  return /^\d+$/.test(value);
}
function resolveUser(configured, passwd, groups) {
  const { user, group } = configured;
  const entry = isNumericId(user) ? passwd.find((candidate) => candidate.uid === Number(user)) : passwd.find((candidate) => candidate.name === user);
  const uid = isNumericId(user) ? Number(user) : entry?.uid;
  const root = user === "" || user === "root" || uid === 0;
  let gid;
  let unknownGroup;
  if (group === void 0) {
    gid = entry?.gid ?? (isNumericId(user) ? 0 : void 0);
  } else if (isNumericId(group)) {
    gid = Number(group);
  } else {
    gid = groups.find((candidate) => candidate.name === group)?.gid;
    if (gid === void 0) unknownGroup = group;
  }
  return {
    root,
    ...uid === void 0 ? {} : { uid },
    ...gid === void 0 ? {} : { gid },
    gidDefaulted: group === void 0 && entry === void 0 && isNumericId(user),
    ...user !== "" && !isNumericId(user) && entry === void 0 ? { unknownUser: user } : {},
    ...unknownGroup === void 0 ? {} : { unknownGroup }
  };
}

// src/steps/identity/index.ts
var PASSWD = "/etc/passwd";
var GROUP = "/etc/group";
var SHADOW = "/etc/shadow";
var SUDOERS = "/etc/sudoers";
var DOAS_CONF = "/etc/doas.conf";
var ESCALATION_TOOLS = /* @__PURE__ */ new Set(["sudo", "su", "doas"]);
var BIN_DIRS = /* @__PURE__ */ new Set([
  "/bin",
  "/sbin",
  "/usr/bin",
  "/usr/sbin",
  "/usr/local/bin",
  "/usr/local/sbin"
]);
function toFinding({ rule, location: location2, ...rest }) {
  return { step: "identity", rule: `identity/${rule}`, location: location2 ?? {}, ...rest };
}
function text2(image, path2) {
  return image.fs.read(path2)?.toString("utf8");
}
function locate(image, path2, node = image.fs.get(path2)) {
  const layerDigest = node === void 0 ? void 0 : image.layers[node.layer]?.digest;
  return layerDigest === void 0 ? { path: path2 } : { path: path2, layerDigest };
}
var ROOT_FIX = "Add `USER 10001:10001` (any UID/GID of 1000 or more) to the Dockerfile.";
function userFindings(image, accounts, minUid) {
  const configured = parseUser(image.config.config?.User);
  const resolved = resolveUser(configured, accounts.passwd, accounts.groups);
  const subject = configured.raw;
  if (resolved.root) {
    const why = configured.raw === "" ? "The image config sets no user, so the container runs as root (UID 0)." : `The image config user "${configured.raw}" is root (UID 0).`;
    return [
      {
        rule: "root-user",
        severity: "high",
        title: "Container runs as root",
        detail: `${why} ${ROOT_FIX}`,
        subject
      }
    ];
  }
  const drafts = [];
  if (!isNumericId(configured.user) || !isNumericId(configured.group ?? "0")) {
    drafts.push({
      rule: "non-numeric-user",
      severity: "medium",
      title: `User "${configured.raw}" is not numeric`,
      detail: "Kubernetes runAsNonRoot cannot verify a user name and refuses or cannot check the pod. Set `USER UID:GID` with numbers, e.g. `USER 10001:10001`.",
      subject
    });
  }
  if (resolved.unknownUser !== void 0) {
    drafts.push({
      rule: "unknown-user",
      severity: "medium",
      title: `User "${resolved.unknownUser}" is not in /etc/passwd`,
      detail: "The runtime cannot resolve the name and refuses to start the container. Add the user to /etc/passwd or use a numeric `USER UID:GID`.",
      subject: `user:${resolved.unknownUser}`,
      location: locate(image, PASSWD)
    });
  }
  if (resolved.unknownGroup !== void 0) {
    drafts.push({
      rule: "unknown-user",
      severity: "medium",
      title: `Group "${resolved.unknownGroup}" is not in /etc/group`,
      detail: "The runtime cannot resolve the name and refuses to start the container. Add the group to /etc/group or use a numeric `USER UID:GID`.",
      subject: `group:${resolved.unknownGroup}`,
      location: locate(image, GROUP)
    });
  }
  if (resolved.uid !== void 0 && resolved.uid < minUid) {
    drafts.push({
      rule: "system-range-uid",
      severity: "medium",
      title: `UID ${resolved.uid} is in the system range (below ${minUid})`,
      detail: `Under user-namespace ID mapping a low UID can collide with the host's system accounts. Use a UID of ${minUid} or more, e.g. \`USER 10001:10001\`.`,
      subject: `uid:${resolved.uid}`
    });
  }
  if (resolved.gid !== void 0 && resolved.gid < minUid) {
    const why = resolved.gidDefaulted ? `No group is set and UID ${configured.user} has no /etc/passwd entry, so the runtime uses GID 0. ` : `Under user-namespace ID mapping a low GID can collide with the host's system groups. `;
    drafts.push({
      rule: "system-range-uid",
      severity: "medium",
      title: `GID ${resolved.gid} is in the system range (below ${minUid})`,
      detail: `${why}Set the group explicitly with ${minUid} or more, e.g. \`USER ${configured.user}:10001\`.`,
      subject: `gid:${resolved.gid}`
    });
  }
  drafts.push(...privilegedPortFindings(image));
  return drafts;
}
function lowestPort(spec) {
  const match2 = /^(\d+)(?:-\d+)?(?:\/\w+)?$/.exec(spec);
  return match2?.[1] === void 0 ? void 0 : Number(match2[1]);
}
function privilegedPortFindings(image) {
  return Object.keys(image.config.config?.ExposedPorts ?? {}).filter((spec) => {
    const port = lowestPort(spec);
    return port !== void 0 && port > 0 && port < 1024;
  }).sort().map((spec) => ({
    rule: "privileged-port",
    severity: "medium",
    title: `Port ${spec} is privileged but the container runs as non-root`,
    detail: "A non-root process cannot bind ports below 1024 without CAP_NET_BIND_SERVICE. Listen on a port of 1024 or more (e.g. 8080) and map it at deploy time.",
    subject: spec
  }));
}
function healthcheckFindings(image, required) {
  const test = image.config.config?.Healthcheck?.Test ?? [];
  if (!required || test.length > 0 && test[0] !== "NONE") return [];
  return [
    {
      rule: "missing-healthcheck",
      severity: "low",
      title: "Image has no HEALTHCHECK",
      detail: "Without a health check the runtime cannot tell a hung container from a working one. Add a `HEALTHCHECK CMD ...` to the Dockerfile, or turn this rule off when the orchestrator probes instead.",
      subject: "healthcheck"
    }
  ];
}
function accountFindings(image, accounts) {
  const drafts = [];
  const shadowText = text2(image, SHADOW);
  const shadow = new Map(parseShadow(shadowText ?? "").map((entry) => [entry.name, entry]));
  for (const entry of accounts.passwd) {
    if (!hasLoginShell(entry)) continue;
    const inShadow = entry.password === "x";
    const password = inShadow ? shadow.get(entry.name)?.password : entry.password;
    if (password !== "") continue;
    drafts.push({
      rule: "empty-password",
      severity: "critical",
      title: `Account "${entry.name}" has an empty password`,
      detail: `Anyone can log in as ${entry.name} (shell ${entry.shell || "/bin/sh"}) without a password. Lock the account (\`passwd -l ${entry.name}\`, i.e. \`!\` in the password field) or give it a nologin shell.`,
      subject: entry.name,
      location: locate(image, inShadow ? SHADOW : PASSWD)
    });
  }
  const passwdIds = accounts.passwd.map(({ name, uid }) => ({ name, id: uid }));
  for (const [uid, names] of duplicateIds(passwdIds)) {
    drafts.push({
      rule: "duplicate-uid",
      severity: uid === 0 ? "high" : "medium",
      title: `UID ${uid} is shared by ${names.join(", ")}`,
      detail: uid === 0 ? "A second UID-0 account is root under another name. Remove it or give it its own UID." : "Accounts sharing a UID share every file and process. Give each account its own UID.",
      subject: `uid:${uid}`,
      location: locate(image, PASSWD)
    });
  }
  const groupIds = accounts.groups.map(({ name, gid }) => ({ name, id: gid }));
  for (const [gid, names] of duplicateIds(groupIds)) {
    drafts.push({
      rule: "duplicate-gid",
      severity: "low",
      title: `GID ${gid} is shared by ${names.join(", ")}`,
      detail: "Groups sharing a GID grant each other their access. Give each group its own GID.",
      subject: `gid:${gid}`,
      location: locate(image, GROUP)
    });
  }
  return drafts;
}
function passwordlessConfigs(image) {
  const sudoers = [...image.fs.entries()].map((node) => node.path).filter((path2) => path2 === SUDOERS || path2.startsWith(`${SUDOERS}.d/`));
  const grants = (path2, keyword) => (text2(image, path2) ?? "").split("\n").some((line) => !line.trimStart().startsWith("#") && keyword.test(line));
  return [
    ...sudoers.filter((path2) => grants(path2, /\bNOPASSWD\s*:/)),
    ...grants(DOAS_CONF, /\bnopass\b/) ? [DOAS_CONF] : []
  ];
}
function fileFindings(image, allowedSetuid) {
  const drafts = [];
  const allowed = (path2) => allowedSetuid.some((glob) => minimatch(path2, glob));
  const passwordless = passwordlessConfigs(image);
  for (const node of image.fs.entries()) {
    if (node.type === "file") drafts.push(...privilegeBitFindings(image, node, allowed));
    const tool = escalationToolFinding(image, node, passwordless);
    if (tool !== void 0) drafts.push(tool);
  }
  return drafts;
}
function privilegeBitFindings(image, node, allowed) {
  const drafts = [];
  const location2 = locate(image, node.path, node);
  if ((node.mode & 2048) !== 0 && !allowed(node.path)) {
    drafts.push({
      rule: "setuid-file",
      severity: "high",
      title: `Setuid file ${node.path}`,
      detail: `It runs as its owner (UID ${node.uid}) whoever starts it. Remove the bit (\`chmod u-s ${node.path}\`), delete the file, or allow it with allowed-setuid.`,
      subject: node.path,
      location: location2
    });
  }
  if ((node.mode & 1024) !== 0 && !allowed(node.path)) {
    drafts.push({
      rule: "setgid-file",
      severity: "medium",
      title: `Setgid file ${node.path}`,
      detail: `It runs with its group (GID ${node.gid}) whoever starts it. Remove the bit (\`chmod g-s ${node.path}\`), delete the file, or allow it with allowed-setuid.`,
      subject: node.path,
      location: location2
    });
  }
  const capability = node.xattrs?.["security.capability"];
  if (capability !== void 0) {
    const decoded = decodeFileCapabilities(capability);
    const names = decoded === void 0 || decoded.names.length === 0 ? void 0 : decoded.names;
    drafts.push({
      rule: "file-capabilities",
      severity: "high",
      title: names === void 0 ? `File capabilities on ${node.path}` : `File capabilities on ${node.path}: ${names.join(", ")}`,
      detail: `The file gains these capabilities whoever runs it. Remove them (\`setcap -r ${node.path}\`) and grant capabilities at deploy time instead.`,
      subject: node.path,
      location: location2
    });
  }
  return drafts;
}
function escalationToolFinding(image, node, passwordless) {
  const name = posix2.basename(node.path);
  if (!ESCALATION_TOOLS.has(name) || !BIN_DIRS.has(posix2.dirname(node.path))) return void 0;
  if (node.type !== "file" && node.type !== "hardlink" && node.type !== "symlink") return void 0;
  const target = node.type === "symlink" ? image.fs.resolve(node.path) : node;
  if (target === void 0 || target.type === "dir") return void 0;
  const via = target.path === node.path ? "" : ` (\u2192 ${target.path})`;
  const grants = name === "su" || passwordless.length === 0 ? "" : ` ${passwordless.join(", ")} grant${passwordless.length === 1 ? "s" : ""} passwordless use.`;
  return {
    rule: "privilege-escalation-tool",
    severity: "medium",
    title: `Privilege escalation tool ${node.path}${via}`,
    detail: `\`${name}\` lets a process become another user, root included.${grants} Remove it from the runtime image (a multi-stage build leaves it behind).`,
    subject: node.path,
    location: locate(image, node.path, node)
  };
}
async function run({ image, policy }) {
  const accounts = {
    passwd: parsePasswd(text2(image, PASSWD) ?? ""),
    groups: parseGroup(text2(image, GROUP) ?? "")
  };
  const drafts = [
    ...userFindings(image, accounts, policy.identity.minUid),
    ...healthcheckFindings(image, policy.identity.requireHealthcheck),
    ...accountFindings(image, accounts),
    ...fileFindings(image, policy.identity.allowedSetuid)
  ];
  const user = image.config.config?.User?.trim() || "(not set: root)";
  return { findings: drafts.map(toFinding), notes: [`user ${user}`] };
}
var identityStep = {
  id: "identity",
  title: "Container validation",
  files: [
    { globs: [PASSWD, GROUP, SHADOW, SUDOERS, `${SUDOERS}.d/*`, DOAS_CONF], maxBytes: 1024 * 1024 }
  ],
  run
};

// src/steps/not-implemented.ts
function notImplementedStep(id2, title) {
  return { id: id2, title, run: async () => ({ findings: [], skipped: "not implemented" }) };
}

// src/steps/index.ts
var STEPS = [
  identityStep,
  notImplementedStep("tests", "Security unit tests"),
  notImplementedStep("code", "Code analysis"),
  notImplementedStep("composition", "Composition analysis"),
  notImplementedStep("hardening", "Hardening"),
  notImplementedStep("custody", "Signing and chain of custody")
];

// src/version.ts
var VERSION = "0.1.0";

// src/engine.ts
async function runGate(request2, logger, steps = STEPS, openImage = openSource) {
  const started = Date.now();
  const selected = steps.filter((step) => request2.policy.steps[step.id].enabled);
  const requests = selected.flatMap((step) => step.files ?? []);
  const subscriptions = selected.flatMap((step) => step.subscriptions ?? []);
  const source = openImage(request2.image);
  const acquired = await logger.group(
    `Read image ${request2.image}`,
    () => source.acquire({
      ...request2.acquire,
      logger,
      analyzeLayer: (blob, layer) => analyzeLayer(blob, { ...layer, requests, subscriptions })
    })
  );
  checkDiffIds(acquired);
  const layers = layerInfos(acquired);
  const fs = combineLayers(acquired.layers.map((l) => l.analysis));
  logger.info(
    `Read ${acquired.reference} (${acquired.digest}): ${layers.length} layers, ${fs.size} paths in the final filesystem.`
  );
  const image = {
    reference: acquired.reference,
    digest: acquired.digest,
    platform: acquired.platform,
    config: acquired.config,
    configDigest: acquired.configDigest,
    layers,
    fs,
    visits: (id2) => acquired.layers.map((l) => l.analysis.visits.get(id2))
  };
  const stepReports = [];
  const findings = [];
  for (const id2 of STEP_IDS) {
    const step = steps.find((s) => s.id === id2);
    if (step === void 0 || !selected.includes(step)) {
      stepReports.push({
        id: id2,
        title: step?.title ?? id2,
        status: "skipped",
        durationMs: 0,
        reason: "not selected"
      });
      continue;
    }
    stepReports.push(await runStep(step, { image, policy: request2.policy, logger }, findings));
  }
  const gated = gate(findings, request2.policy);
  for (const report of stepReports) {
    if (report.status === "pass" || report.status === "fail") {
      report.status = stepStatus(gated.filter((f) => f.step === report.id));
    }
  }
  const counts = countBySeverity(gated);
  return {
    schemaVersion: 1,
    tool: { name: "container-gate", version: VERSION },
    verdict: verdict(gated, stepReports),
    image: {
      reference: acquired.reference,
      digest: acquired.digest,
      ...acquired.indexDigest === void 0 ? {} : { indexDigest: acquired.indexDigest },
      configDigest: acquired.configDigest,
      platform: formatPlatform(acquired.platform),
      ...acquired.config.config?.User ? { user: acquired.config.config.User } : {},
      layers: layers.map(
        ({ digest, diffId, size, createdBy }) => createdBy === void 0 ? { digest, diffId, size } : { digest, diffId, size, createdBy }
      )
    },
    steps: stepReports,
    findings: gated,
    summary: {
      counts,
      blocking: gated.filter((f) => f.blocking && f.suppressed === void 0).length,
      suppressed: gated.filter((f) => f.suppressed !== void 0).length
    },
    durationMs: Date.now() - started
  };
}
async function runStep(step, context, findings) {
  const started = Date.now();
  try {
    const outcome = await context.logger.group(
      `Step ${step.id}: ${step.title}`,
      () => step.run(context)
    );
    const durationMs = Date.now() - started;
    if (outcome.skipped !== void 0) {
      context.logger.info(`Step ${step.id} skipped: ${outcome.skipped}`);
      return {
        id: step.id,
        title: step.title,
        status: "skipped",
        durationMs,
        reason: outcome.skipped
      };
    }
    findings.push(...outcome.findings);
    return {
      id: step.id,
      title: step.title,
      status: "pass",
      durationMs,
      ...outcome.notes === void 0 ? {} : { notes: outcome.notes }
    };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    context.logger.error(`Step ${step.id} failed to run: ${reason}`);
    return {
      id: step.id,
      title: step.title,
      status: "error",
      durationMs: Date.now() - started,
      reason
    };
  }
}
function checkDiffIds(image) {
  const expected = image.config.rootfs.diff_ids;
  if (expected.length !== image.layers.length) {
    throw new ImageError(
      `${image.reference}: the config lists ${expected.length} layers but the manifest has ${image.layers.length}; the image is corrupt.`,
      "LAYER_COUNT_MISMATCH"
    );
  }
  image.layers.forEach(({ descriptor, analysis }, i) => {
    if (analysis.diffId !== expected[i]) {
      throw new ImageError(
        `layer ${descriptor.digest} uncompresses to ${analysis.diffId}, but the config's rootfs.diff_ids[${i}] is ${expected[i]}; the image is corrupt or was tampered with.`,
        "DIFF_ID_MISMATCH"
      );
    }
  });
}
function layerInfos(image) {
  const producing = (image.config.history ?? []).filter((h) => h.empty_layer !== true);
  return image.layers.map(({ descriptor, analysis }, i) => {
    const createdBy = producing.length === image.layers.length ? producing[i]?.created_by : void 0;
    return {
      digest: descriptor.digest,
      diffId: analysis.diffId,
      size: descriptor.size,
      mediaType: descriptor.mediaType,
      ...createdBy === void 0 ? {} : { createdBy }
    };
  });
}

// src/files.ts
import { randomBytes } from "node:crypto";
import { mkdir, rename, rm, stat as stat3, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
async function writeFileAtomic(path2, content, input) {
  const target = resolve(path2);
  const parent = dirname(target);
  try {
    await mkdir(parent, { recursive: true });
  } catch (error) {
    throw new ConfigurationError(
      `${input} "${path2}" cannot be written: its directory ${parent} cannot be created (${error.code ?? "error"}).`,
      "BAD_OUTPUT_PATH",
      { cause: error }
    );
  }
  const isDirectory = await stat3(target).then(
    (s) => s.isDirectory(),
    () => false
  );
  if (isDirectory) {
    throw new ConfigurationError(
      `${input} "${path2}" is a directory; name a file.`,
      "BAD_OUTPUT_PATH"
    );
  }
  const temporary = `${target}.${randomBytes(6).toString("hex")}.tmp`;
  try {
    await writeFile(temporary, content);
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true });
    throw new ConfigurationError(
      `${input} "${path2}" cannot be written (${error.code ?? "error"}).`,
      "BAD_OUTPUT_PATH",
      { cause: error }
    );
  }
}

// src/policy/defaults.ts
function defaultPolicy() {
  const steps = Object.fromEntries(
    STEP_IDS.map((id2) => [id2, { enabled: true, failOn: "high" }])
  );
  return {
    steps,
    rules: {},
    identity: { minUid: 1e3, allowedSetuid: [], requireHealthcheck: true }
  };
}

// src/policy/inputs.ts
var FAIL_ON_VALUES = [...SEVERITIES, "none"];
var RULE_ACTIONS = ["off", "warn", "error"];
var POLICY_INPUTS = [
  {
    name: "fail-on",
    default: "high",
    description: `Findings at or above this severity fail the gate: ${FAIL_ON_VALUES.join(", ")}.`
  },
  {
    name: "steps",
    default: "all",
    list: true,
    description: `Steps to run, or \`all\`: ${STEP_IDS.join(", ")}. Steps left out are reported as skipped.`
  },
  {
    name: "rules",
    default: "",
    list: true,
    description: "Per-rule overrides, one `rule-id=off|warn|error` per line or comma: `off` drops the finding, `warn` never blocks, `error` always blocks."
  },
  {
    name: "min-uid",
    default: "1000",
    description: "UIDs and GIDs below this are in the system range and reported by identity/system-range-uid."
  },
  {
    name: "allowed-setuid",
    default: "",
    list: true,
    description: "Globs of absolute paths (e.g. `/usr/bin/ping`) whose setuid/setgid bits are accepted."
  },
  {
    name: "require-healthcheck",
    default: "true",
    description: "Report an image without a HEALTHCHECK (identity/missing-healthcheck, low)."
  }
];
function invalid2(name, value, fix) {
  return new ConfigurationError(`input "${name}" is "${value}"; ${fix}`);
}
function splitList(value, separators = /,/) {
  const items = [];
  let depth = 0;
  let current = "";
  for (const char of value) {
    if (char === "{") depth += 1;
    if (char === "}") depth = Math.max(0, depth - 1);
    if (char === "\n" || depth === 0 && separators.test(char)) {
      items.push(current);
      current = "";
    } else {
      current += char;
    }
  }
  items.push(current);
  return items.map((item) => item.trim()).filter((item) => item !== "");
}
function parseFailOn(value) {
  const failOn = value.toLowerCase();
  if (failOn === "none" || isSeverity(failOn)) return failOn;
  throw invalid2("fail-on", value, `use one of ${FAIL_ON_VALUES.join(", ")}.`);
}
function parseSteps(value) {
  const names = splitList(value.toLowerCase(), /[\s,]/);
  if (names.length === 1 && names[0] === "all") return new Set(STEP_IDS);
  const unknown = names.filter((name) => !isStepId(name));
  if (names.length === 0 || unknown.length > 0) {
    throw invalid2("steps", value, `list step ids from ${STEP_IDS.join(", ")}, or use all.`);
  }
  return new Set(names.filter(isStepId));
}
var RULE_ID = new RegExp(`^(${STEP_IDS.join("|")})/[a-z0-9]+(-[a-z0-9]+)*$`);
function parseRules(value) {
  const rules = {};
  for (const item of splitList(value, /,/)) {
    const [rule = "", action = "", ...rest] = item.split("=").map((part) => part.trim());
    if (!RULE_ID.test(rule) || rest.length > 0) {
      throw invalid2(
        "rules",
        item,
        `write rule-id=off|warn|error, where the rule id is step/kebab-name with a step from ${STEP_IDS.join(", ")}.`
      );
    }
    const known = RULE_ACTIONS.find((candidate) => candidate === action.toLowerCase());
    if (known === void 0) {
      throw invalid2("rules", item, `set ${rule} to one of ${RULE_ACTIONS.join(", ")}.`);
    }
    rules[rule] = known;
  }
  return rules;
}
var MAX_UID = 4294967295;
function parseMinUid(value) {
  const uid = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(uid) || uid > MAX_UID) {
    throw invalid2("min-uid", value, `use a whole number from 0 to ${MAX_UID}, e.g. 1000.`);
  }
  return uid;
}
function parseAllowedSetuid(value) {
  const globs = splitList(value, /,/);
  const relative = globs.find((glob) => !glob.startsWith("/") && !glob.startsWith("*"));
  if (relative !== void 0) {
    throw invalid2(
      "allowed-setuid",
      relative,
      "use globs of absolute paths, e.g. /usr/bin/ping or /usr/lib/**/chrome-sandbox."
    );
  }
  return globs;
}
function parseBoolean(name, value) {
  if (["true", "True", "TRUE"].includes(value)) return true;
  if (["false", "False", "FALSE"].includes(value)) return false;
  throw invalid2(name, value, "use true or false.");
}
function parsePolicyInputs(get, base = defaultPolicy()) {
  const read = (name) => {
    const value = get(name)?.trim();
    return value === void 0 || value === "" ? void 0 : value;
  };
  const failOnInput = read("fail-on");
  const stepsInput = read("steps");
  const failOn = failOnInput === void 0 ? void 0 : parseFailOn(failOnInput);
  const enabled = stepsInput === void 0 ? void 0 : parseSteps(stepsInput);
  const steps = Object.fromEntries(
    STEP_IDS.map((id2) => [
      id2,
      {
        enabled: enabled === void 0 ? base.steps[id2].enabled : enabled.has(id2),
        failOn: failOn ?? base.steps[id2].failOn
      }
    ])
  );
  const rulesInput = read("rules");
  const minUidInput = read("min-uid");
  const allowedInput = read("allowed-setuid");
  const healthcheckInput = read("require-healthcheck");
  return {
    steps,
    rules: { ...base.rules, ...rulesInput === void 0 ? {} : parseRules(rulesInput) },
    identity: {
      minUid: minUidInput === void 0 ? base.identity.minUid : parseMinUid(minUidInput),
      allowedSetuid: allowedInput === void 0 ? base.identity.allowedSetuid : parseAllowedSetuid(allowedInput),
      requireHealthcheck: healthcheckInput === void 0 ? base.identity.requireHealthcheck : parseBoolean("require-healthcheck", healthcheckInput)
    }
  };
}

// src/inputs.ts
var IMAGE_INPUTS = [
  {
    name: "image",
    required: true,
    description: "Image to gate, with a skopeo transport: REF or docker://REF (registry), docker-daemon:REF, docker-archive:PATH, oci-archive:PATH[:REF], oci:DIR[:REF]."
  },
  {
    name: "platform",
    default: "linux/amd64",
    description: "Platform to choose from a multi-platform image, as os/arch[/variant]."
  },
  {
    name: "insecure-registries",
    list: true,
    description: "Registries (host or host:port) that may be reached over plain HTTP. Loopback hosts always may."
  },
  { name: "registry-username", description: "Username for the registry of `image`." },
  {
    name: "registry-password",
    secret: true,
    description: "Password or token for the registry of `image`. Without it, credentials come from the Docker config (docker/login-action) or, for ghcr.io, `github-token`."
  },
  {
    name: "github-token",
    secret: true,
    description: "Token used to pull from ghcr.io when no other credentials are given. The action defaults to the workflow token; the CLI reads GITHUB_TOKEN."
  }
];
var REPORT_INPUTS = [
  {
    name: "report",
    description: "Path of the JSON report to write. The action defaults to a file in RUNNER_TEMP."
  }
];
var ALL_INPUTS = [...IMAGE_INPUTS, ...POLICY_INPUTS, ...REPORT_INPUTS];
function acquireSettings(inputs, env) {
  return {
    platform: inputs.platform,
    insecureRegistries: inputs.insecureRegistries,
    ...inputs.credentials === void 0 ? {} : { credentials: inputs.credentials },
    env: inputs.githubToken === void 0 ? env : { ...env, GITHUB_TOKEN: inputs.githubToken }
  };
}
function parseRunInputs(get) {
  const image = get("image")?.trim();
  if (!image) {
    throw new ConfigurationError(
      'input "image" is required: name the image to gate, e.g. ghcr.io/org/app:1.0 or oci-archive:app.tar.'
    );
  }
  const username = get("registry-username")?.trim();
  const password = get("registry-password");
  if (Boolean(username) !== Boolean(password)) {
    throw new ConfigurationError(
      'inputs "registry-username" and "registry-password" go together; set both or neither.'
    );
  }
  const reportPath = get("report")?.trim();
  const githubToken = get("github-token")?.trim();
  return {
    image,
    platform: parsePlatform(get("platform")?.trim() || "linux/amd64"),
    insecureRegistries: splitList(get("insecure-registries") ?? ""),
    ...username && password ? { credentials: { username, password } } : {},
    ...githubToken ? { githubToken } : {},
    policy: parsePolicyInputs(get),
    ...reportPath ? { reportPath } : {}
  };
}

// src/report/json.ts
var ORDER = {
  report: [
    "schemaVersion",
    "tool",
    "verdict",
    "image",
    "steps",
    "findings",
    "summary",
    "durationMs"
  ],
  tool: ["name", "version"],
  image: ["reference", "digest", "indexDigest", "configDigest", "platform", "user", "layers"],
  layer: ["digest", "diffId", "size", "createdBy"],
  step: ["id", "title", "status", "durationMs", "reason", "notes"],
  finding: [
    "fingerprint",
    "step",
    "rule",
    "severity",
    "title",
    "detail",
    "blocking",
    "subject",
    "location",
    "package",
    "vulnerability",
    "suppressed"
  ],
  location: ["path", "layerDigest", "dockerfile"],
  dockerfile: ["file", "line"],
  package: ["name", "version", "ecosystem", "purl"],
  vulnerability: ["id", "aliases", "fixedVersion"],
  suppressed: ["reason", "source"],
  summary: ["counts", "blocking", "suppressed"],
  counts: ["critical", "high", "medium", "low", "info"]
};
function isObject(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
function sorted(value) {
  if (Array.isArray(value)) return value.map(sorted);
  return isObject(value) ? ordered(value, []) : value;
}
function ordered(value, keys) {
  const rank = (key) => keys.includes(key) ? keys.indexOf(key) : keys.length;
  const entries = Object.entries(value).sort(
    ([a], [b]) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0)
  );
  return Object.fromEntries(
    entries.map(([key, item]) => [key, keys.includes(key) ? item : sorted(item)])
  );
}
function nested(parent, key, keys) {
  const value = parent[key];
  if (Array.isArray(value))
    parent[key] = value.map((item) => isObject(item) ? ordered(item, keys) : item);
  else if (isObject(value)) parent[key] = ordered(value, keys);
}
function finding(value) {
  const result = ordered(value, ORDER.finding);
  nested(result, "location", ORDER.location);
  const location2 = result["location"];
  if (isObject(location2)) nested(location2, "dockerfile", ORDER.dockerfile);
  nested(result, "package", ORDER.package);
  nested(result, "vulnerability", ORDER.vulnerability);
  nested(result, "suppressed", ORDER.suppressed);
  return result;
}
function renderJson(report) {
  const result = ordered(report, ORDER.report);
  nested(result, "tool", ORDER.tool);
  nested(result, "image", ORDER.image);
  const image = result["image"];
  if (isObject(image)) nested(image, "layers", ORDER.layer);
  result["steps"] = report.steps.map((step) => ordered(step, ORDER.step));
  result["findings"] = report.findings.map(finding);
  nested(result, "summary", ORDER.summary);
  const summary = result["summary"];
  if (isObject(summary)) nested(summary, "counts", ORDER.counts);
  return `${JSON.stringify(result, null, 2)}
`;
}

// src/report/table.ts
var SGR = {
  bold: "1",
  dim: "2",
  red: "31",
  green: "32",
  yellow: "33",
  cyan: "36",
  boldRed: "1;31",
  boldGreen: "1;32"
};
var STATUS_STYLE = {
  pass: "green",
  fail: "red",
  skipped: "yellow",
  error: "boldRed"
};
var SEVERITY_STYLE = {
  critical: "boldRed",
  high: "red",
  medium: "yellow",
  low: "cyan",
  info: "dim"
};
function printable(value) {
  return value.replace(
    // eslint-disable-next-line no-control-regex
    /[\u0000-\u001f\u007f-\u009f]/g,
    (char) => `\\x${char.charCodeAt(0).toString(16).padStart(2, "0")}`
  );
}
function formatDuration(ms) {
  return ms < 1e3 ? `${Math.round(ms)} ms` : `${(ms / 1e3).toFixed(1)} s`;
}
function plural(count, noun) {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}
function columns(rows, paint) {
  const widths = [];
  for (const row of rows) {
    row.forEach(([text3], index) => widths[index] = Math.max(widths[index] ?? 0, text3.length));
  }
  return rows.map(
    (row) => `  ${row.map(([text3, style], index) => {
      const padded = index === row.length - 1 ? text3 : text3.padEnd(widths[index] ?? 0);
      return paint(padded, style);
    }).join("  ")}`.trimEnd()
  );
}
function findingRow(finding2) {
  const title = printable(finding2.title);
  const path2 = finding2.location.path === void 0 ? "" : printable(finding2.location.path);
  const where = path2 === "" || title.includes(path2) ? "" : `  ${path2}`;
  const suppressed = finding2.suppressed === void 0 ? "" : `  (suppressed: ${printable(finding2.suppressed.reason)})`;
  return [
    [finding2.severity.toUpperCase(), SEVERITY_STYLE[finding2.severity]],
    [finding2.rule],
    [`${title}${where}${suppressed}`]
  ];
}
function renderTable(report, options) {
  const paint = (text3, style) => options.color && style !== void 0 ? `\x1B[${SGR[style]}m${text3}\x1B[0m` : text3;
  const lines = [
    paint(`${report.tool.name} ${report.tool.version}`, "bold"),
    `Image     ${printable(report.image.reference)}`,
    `Digest    ${report.image.digest}`,
    `Platform  ${report.image.platform}`,
    "",
    paint("Steps", "bold"),
    ...columns(
      report.steps.map((step) => [
        [step.status.toUpperCase(), STATUS_STYLE[step.status]],
        [step.id],
        [formatDuration(step.durationMs).padStart(8)],
        [step.reason === void 0 ? "" : printable(step.reason)]
      ]),
      paint
    )
  ];
  const blocking = report.findings.filter((f) => f.blocking && f.suppressed === void 0);
  const others = report.findings.filter((f) => !f.blocking || f.suppressed !== void 0);
  for (const [heading, group] of [
    ["Blocking findings", blocking],
    ["Other findings", others]
  ]) {
    if (group.length === 0) continue;
    lines.push(
      "",
      paint(`${heading} (${group.length})`, "bold"),
      ...columns(group.map(findingRow), paint)
    );
  }
  const { counts, suppressed } = report.summary;
  const errored = report.steps.filter((step) => step.status === "error").length;
  const reasons = [
    plural(report.summary.blocking, "blocking finding"),
    ...errored > 0 ? [`${plural(errored, "step")} errored`] : []
  ];
  lines.push(
    "",
    `Findings  ${counts.critical} critical, ${counts.high} high, ${counts.medium} medium, ${counts.low} low, ${counts.info} info; ${suppressed} suppressed`,
    paint(
      `Verdict   ${report.verdict.toUpperCase()} (${reasons.join(", ")})`,
      report.verdict === "pass" ? "boldGreen" : "boldRed"
    )
  );
  return `${lines.join("\n")}
`;
}

// src/report/markdown.ts
var DEFAULT_MAX_LENGTH = 65536;
var STATUS_ICON = {
  pass: "\u2705",
  fail: "\u274C",
  skipped: "\u23ED\uFE0F",
  error: "\u{1F4A5}"
};
function escapeText(value) {
  return printable(value).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/[\\`*_[\]|~#!]/g, (char) => `\\${char}`);
}
function codeSpan(value) {
  const text3 = printable(value).replace(/\|/g, "\\|");
  const longest = Math.max(0, ...(text3.match(/`+/g) ?? []).map((run2) => run2.length));
  const fence = "`".repeat(longest + 1);
  const pad = text3.startsWith("`") || text3.endsWith("`") ? " " : "";
  return `${fence}${pad}${text3}${pad}${fence}`;
}
function table(header2, align, rows) {
  return [
    `| ${header2.join(" | ")} |`,
    `| ${align.join(" | ")} |`,
    ...rows.map((row) => `| ${row.join(" | ")} |`)
  ];
}
function location(finding2) {
  const { path: path2, dockerfile } = finding2.location;
  return [
    ...path2 === void 0 ? [] : [codeSpan(path2)],
    ...dockerfile === void 0 ? [] : [codeSpan(`${dockerfile.file}:${dockerfile.line}`)]
  ].join(" ");
}
function findingTable(findings) {
  return table(
    ["Severity", "Rule", "Finding", "Location"],
    ["---", "---", "---", "---"],
    findings.map((finding2) => [
      finding2.severity,
      codeSpan(finding2.rule),
      escapeText(finding2.title) + (finding2.suppressed === void 0 ? "" : ` (suppressed: ${escapeText(finding2.suppressed.reason)})`),
      location(finding2)
    ])
  );
}
function plural2(count, noun) {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}
function render(report, shown, maxLength) {
  const { counts, blocking: blockingCount, suppressed } = report.summary;
  const blocking = report.findings.filter((f) => f.blocking && f.suppressed === void 0);
  const others = report.findings.filter((f) => !f.blocking || f.suppressed !== void 0);
  const shownBlocking = blocking.slice(0, shown);
  const shownOthers = others.slice(0, Math.max(0, shown - blocking.length));
  const icon = report.verdict === "pass" ? "\u2705" : "\u274C";
  const lines = [
    `## ${icon} container-gate: ${report.verdict}`,
    "",
    `Image ${codeSpan(report.image.reference)} at ${codeSpan(report.image.digest)} (${escapeText(report.image.platform)}): ${plural2(blockingCount, "blocking finding")}.`,
    "",
    ...table(
      ["Step", "Status", "Duration", "Note"],
      ["---", "---", "---:", "---"],
      report.steps.map((step) => [
        escapeText(step.title),
        `${STATUS_ICON[step.status]} ${step.status}`,
        formatDuration(step.durationMs),
        step.reason === void 0 ? "" : escapeText(step.reason)
      ])
    ),
    "",
    ...table(
      ["Critical", "High", "Medium", "Low", "Info", "Suppressed"],
      ["---:", "---:", "---:", "---:", "---:", "---:"],
      [
        [counts.critical, counts.high, counts.medium, counts.low, counts.info, suppressed].map(
          String
        )
      ]
    )
  ];
  if (shownBlocking.length > 0) {
    lines.push("", `### Blocking findings (${blocking.length})`, "", ...findingTable(shownBlocking));
  }
  if (shownOthers.length > 0) {
    lines.push(
      "",
      `<details><summary>Other findings (${others.length})</summary>`,
      "",
      ...findingTable(shownOthers),
      "",
      "</details>"
    );
  }
  const total = report.findings.length;
  if (shown < total) {
    lines.push(
      "",
      `_Showing ${shown} of ${total} findings to stay under ${maxLength} characters; the JSON report has them all._`
    );
  }
  return `${lines.join("\n")}
`;
}
function renderMarkdown(report, options = {}) {
  const maxLength = options.maxLength ?? DEFAULT_MAX_LENGTH;
  const total = report.findings.length;
  const full = render(report, total, maxLength);
  if (full.length <= maxLength) return full;
  let low = 0;
  let high = total - 1;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (render(report, middle, maxLength).length <= maxLength) low = middle;
    else high = middle - 1;
  }
  const fitted = render(report, low, maxLength);
  if (fitted.length <= maxLength) return fitted;
  const cut = "\n\n_Cut to fit the length limit; the JSON report has everything._\n";
  return `${fitted.slice(0, Math.max(0, maxLength - cut.length))}${cut}`.slice(0, maxLength);
}

// src/cli.ts
var FORMATS = ["table", "json", "markdown"];
var USAGE = `container-gate ${VERSION}: gate a container image on six security verification methods.

Usage:
  container-gate scan IMAGE [options]   gate an image; exit 0 pass, 1 policy failed, 2 could not run
  container-gate demo [options]         scan the bundled sample image, offline (always exits 0 when it ran)
  container-gate --version | --help

IMAGE uses skopeo's transport names: REF or docker://REF (registry), docker-daemon:REF,
docker-archive:PATH, oci-archive:PATH[:REF], oci:DIR[:REF].

Options:
  --format table|json|markdown   what to print (default: table)
  --output FILE                  write the printed report to FILE instead of standard output
  --report FILE                  also write the JSON report to FILE
  --verbose                      progress messages on standard error
${ALL_INPUTS.filter((input) => input.name !== "image" && input.name !== "report").map(
  (input) => `  --${input.name}${input.list ? " (repeatable)" : ""}
      ${input.description}`
).join("\n")}
  --insecure-registry HOST[:PORT]  same as --insecure-registries
`;
function stderrLogger(verbose) {
  return {
    debug: () => void 0,
    info: (message) => {
      if (verbose) process.stderr.write(`${message}
`);
    },
    warning: (message) => process.stderr.write(`warning: ${message}
`),
    error: (message) => process.stderr.write(`error: ${message}
`),
    group: (_name, fn) => fn()
  };
}
function optionsConfig() {
  const options = {
    format: { type: "string" },
    output: { type: "string" },
    verbose: { type: "boolean" },
    help: { type: "boolean", short: "h" },
    version: { type: "boolean" },
    "insecure-registry": { type: "string", multiple: true }
  };
  for (const input of ALL_INPUTS) {
    if (input.name === "image") continue;
    options[input.name] = input.list ? { type: "string", multiple: true } : { type: "string" };
  }
  return options;
}
function demoImage() {
  return `oci-archive:${fileURLToPath(new URL("../demo/sample-image.tar", import.meta.url))}`;
}
function parseCommand(argv) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: optionsConfig(),
      allowPositionals: true,
      strict: true
    });
  } catch (error) {
    throw new ConfigurationError(
      `${error.message}; run "container-gate --help" for the options.`
    );
  }
  const { values, positionals } = parsed;
  if (values.version === true) return { name: "version", format: "table", verbose: false };
  const [command, ...rest] = positionals;
  if (values.help === true || command === void 0 || command === "help") {
    return { name: "help", format: "table", verbose: false };
  }
  if (command !== "scan" && command !== "demo") {
    throw new ConfigurationError(
      `unknown command "${command}"; use "scan IMAGE" or "demo" (see container-gate --help).`
    );
  }
  const expected = command === "scan" ? 1 : 0;
  if (rest.length !== expected) {
    throw new ConfigurationError(
      command === "scan" ? `"scan" takes exactly one IMAGE, got ${rest.length === 0 ? "none" : rest.map((r) => `"${r}"`).join(" ")}.` : `"demo" takes no IMAGE; it scans the bundled sample image.`
    );
  }
  const format = values.format ?? "table";
  if (!FORMATS.includes(format)) {
    throw new ConfigurationError(
      `--format "${format}" is not supported; use one of ${FORMATS.join(", ")}.`
    );
  }
  const lookup = (name) => {
    if (name === "image") return command === "demo" ? demoImage() : rest[0];
    const value = values[name];
    if (name === "insecure-registries") {
      const all = [
        ...value ?? [],
        ...values["insecure-registry"] ?? []
      ];
      return all.join("\n");
    }
    if (Array.isArray(value)) return value.join("\n");
    return typeof value === "string" ? value : void 0;
  };
  const output = values.output;
  return {
    name: command,
    inputs: parseRunInputs(lookup),
    format,
    ...output === void 0 ? {} : { output },
    verbose: values.verbose === true
  };
}
function render2(report, format, color) {
  switch (format) {
    case "json":
      return renderJson(report);
    case "markdown":
      return renderMarkdown(report);
    case "table":
      return renderTable(report, { color });
  }
}
async function main(argv, env = process.env) {
  let command;
  try {
    command = parseCommand(argv);
    if (command.name === "help") {
      process.stdout.write(USAGE);
      return 0;
    }
    if (command.name === "version") {
      process.stdout.write(`${VERSION}
`);
      return 0;
    }
    const inputs = command.inputs;
    const logger = stderrLogger(command.verbose);
    const report = await runGate(
      {
        image: inputs.image,
        policy: inputs.policy,
        acquire: acquireSettings(inputs, env)
      },
      logger
    );
    if (inputs.reportPath !== void 0)
      await writeFileAtomic(inputs.reportPath, renderJson(report), "--report");
    const color = command.output === void 0 && process.stdout.isTTY === true && env.NO_COLOR === void 0;
    const text3 = render2(report, command.format, color);
    if (command.output !== void 0) await writeFileAtomic(command.output, text3, "--output");
    else process.stdout.write(text3);
    if (command.name === "demo") return 0;
    return report.verdict === "pass" ? 0 : 1;
  } catch (error) {
    if (isUserError(error)) {
      process.stderr.write(`container-gate: ${error.message}
`);
    } else {
      process.stderr.write(
        `container-gate: internal error, please report it: ${error.stack ?? String(error)}
`
      );
    }
    return 2;
  }
}

// src/bin.ts
process.exitCode = await main(process.argv.slice(2));
