import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  ConfigurationError
} from "./chunk-S52CFNVZ.js";

// src/input-values.ts
function invalidInput(name, value, fix) {
  return new ConfigurationError(`input "${name}" is "${value}"; ${fix}`);
}
function booleanWord(value) {
  if (["true", "True", "TRUE"].includes(value)) return true;
  if (["false", "False", "FALSE"].includes(value)) return false;
  return void 0;
}
function parseBooleanInput(name, value) {
  const word = booleanWord(value);
  if (word === void 0) throw invalidInput(name, value, "use true or false.");
  return word;
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
var DURATION_UNITS = { "": 1e3, s: 1e3, m: 6e4, h: 36e5 };
function parseDurationInput(name, value, maxMs) {
  const match = /^(\d{1,9})\s*(s|m|h)?$/i.exec(value.trim());
  const ms = match === null ? Number.NaN : Number(match[1]) * DURATION_UNITS[match[2]?.toLowerCase() ?? ""];
  if (!Number.isFinite(ms) || ms <= 0 || ms > maxMs) {
    throw invalidInput(
      name,
      value,
      `give a duration above zero and at most ${maxMs / 36e5}h, such as 90s, 30m, 1h or plain seconds.`
    );
  }
  return ms;
}
function formatDuration(ms) {
  const seconds = Math.round(ms / 1e3);
  if (seconds < 60 || ms % 1e3 !== 0) return ms < 1e3 ? `${ms}ms` : `${seconds}s`;
  const h = Math.floor(seconds / 3600);
  const m = Math.floor(seconds % 3600 / 60);
  const s = seconds % 60;
  return [h > 0 ? `${h}h` : "", m > 0 ? `${m}m` : "", s > 0 ? `${s}s` : ""].join("");
}
function editDistance(a, b) {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length];
}
function closestName(name, candidates) {
  const limit = Math.max(2, Math.floor(name.length / 4));
  let best;
  for (const candidate of candidates) {
    const distance = editDistance(name, candidate);
    if (distance <= limit && (best === void 0 || distance < best.distance)) {
      best = { candidate, distance };
    }
  }
  return best?.candidate;
}
var SIZE_UNITS = {
  "": 1,
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3
};
function parseSizeInput(name, value) {
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(value);
  const unit = SIZE_UNITS[(match?.[2] ?? "").toLowerCase()];
  if (match === null || unit === void 0) {
    throw invalidInput(
      name,
      value,
      "use a size in bytes or with a unit, e.g. 1048576, 20MB or 10MiB."
    );
  }
  return Math.round(Number(match[1]) * unit);
}

export {
  invalidInput,
  booleanWord,
  parseBooleanInput,
  splitList,
  parseDurationInput,
  formatDuration,
  closestName,
  parseSizeInput
};
