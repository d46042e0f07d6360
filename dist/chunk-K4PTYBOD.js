import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  imageManifest
} from "./chunk-2VSKZEH5.js";
import {
  commandHelp,
  commandLogger,
  imageAccess,
  listFlag,
  parseCommandArgs,
  runCommand,
  stringFlag
} from "./chunk-I5XOROZI.js";
import {
  DEFAULT_EXPECTED_CHANGES,
  compareManifests,
  contentEntries,
  contentManifest,
  driftFindings,
  hashingSink,
  isSeverity,
  parseContentManifest,
  severityRank
} from "./chunk-YXRQY5ZY.js";
import {
  readTar
} from "./chunk-3LIBBK73.js";
import "./chunk-F24YNK2L.js";
import "./chunk-G7E3GDP2.js";
import "./chunk-SWMUZOAG.js";
import "./chunk-B3ZN5P2E.js";
import "./chunk-PUWYYOVB.js";
import "./chunk-53I4RN7B.js";
import "./chunk-MSXTIOG5.js";
import {
  ConfigurationError
} from "./chunk-S52CFNVZ.js";
import "./chunk-TXBBKDNT.js";
import "./chunk-VA35IVHB.js";

// src/commands/drift.ts
import { readFile } from "node:fs/promises";

// src/custody/fs-archive.ts
import { createReadStream } from "node:fs";
import { access } from "node:fs/promises";
var FS_ARCHIVE_PREFIX = "fs-archive:";
async function filesystemArchiveManifest(path) {
  try {
    await access(path);
  } catch {
    throw new ConfigurationError(
      `filesystem archive "${path}" cannot be read; give a tar written by "docker export CONTAINER -o FILE".`,
      "FS_ARCHIVE_NOT_FOUND"
    );
  }
  const nodes = /* @__PURE__ */ new Map();
  const hashes = /* @__PURE__ */ new Map();
  for await (const { entry, content } of readTar(
    createReadStream(path),
    `filesystem archive ${path}`
  )) {
    nodes.set(entry.path, entry);
    if (entry.type !== "file") continue;
    const sink = hashingSink(entry.path, hashes);
    for await (const chunk of content) sink.write(chunk);
    sink.end();
  }
  const entries = contentEntries(
    nodes.values(),
    (node) => hashes.get(node.path),
    (target) => nodes.get(target)
  );
  return contentManifest({ reference: `${FS_ARCHIVE_PREFIX}${path}` }, entries);
}

// src/commands/drift.ts
var USAGE = "container-gate drift TARGET --manifest FILE [--expected GLOB]... [--format table|json] [--fail-on SEVERITY]";
async function driftCommand(args, env, io) {
  return runCommand(io, async () => {
    const { values, positionals, help } = parseCommandArgs("drift", USAGE, args, {
      manifest: { type: "string" },
      expected: { type: "string", multiple: true },
      format: { type: "string" },
      "fail-on": { type: "string" }
    });
    if (help) {
      io.stdout(commandHelp(USAGE));
      return 0;
    }
    const manifestPath = stringFlag(values, "manifest");
    if (positionals.length !== 1 || manifestPath === void 0) {
      throw new ConfigurationError(`drift needs one TARGET and --manifest FILE; usage: ${USAGE}`);
    }
    const format = stringFlag(values, "format") ?? "table";
    if (format !== "table" && format !== "json") {
      throw new ConfigurationError(
        `--format "${format}" is not supported by drift; use table or json.`
      );
    }
    const failOn = stringFlag(values, "fail-on") ?? "low";
    if (!isSeverity(failOn))
      throw new ConfigurationError(
        `--fail-on "${failOn}" is not a severity; use critical, high, medium, low or info.`
      );
    let text;
    try {
      text = await readFile(manifestPath, "utf8");
    } catch {
      throw new ConfigurationError(
        `--manifest "${manifestPath}" cannot be read; give the file "container-gate manifest IMAGE --output FILE" wrote.`
      );
    }
    const baseline = parseContentManifest(text, `--manifest "${manifestPath}"`);
    const target = positionals[0];
    const logger = commandLogger(io, values.verbose === true);
    const current = target.startsWith(FS_ARCHIVE_PREFIX) ? await filesystemArchiveManifest(target.slice(FS_ARCHIVE_PREFIX.length)) : await imageManifest(target, imageAccess(values, env), logger);
    const expected = listFlag(values, "expected");
    const changes = compareManifests(
      baseline,
      current,
      expected.length > 0 ? expected : DEFAULT_EXPECTED_CHANGES
    );
    const findings = driftFindings(changes, baseline.contentDigest);
    if (format === "json") {
      io.stdout(
        `${JSON.stringify(
          {
            baseline: baseline.contentDigest,
            target: { reference: target, contentDigest: current.contentDigest },
            changes: changes.map((change, i) => ({
              kind: change.kind,
              path: change.path,
              rule: findings[i].rule,
              severity: findings[i].severity,
              differences: change.differences
            }))
          },
          null,
          2
        )}
`
      );
    } else {
      for (const finding of findings)
        io.stdout(`${finding.severity.padEnd(8)} ${finding.rule.padEnd(30)} ${finding.subject}
`);
      io.stdout(
        changes.length === 0 ? `no drift: ${target} matches ${baseline.contentDigest}
` : `${changes.length} unexpected change(s) in ${target} since ${baseline.contentDigest}
`
      );
    }
    const threshold = severityRank(failOn);
    return findings.some((finding) => severityRank(finding.severity) >= threshold) ? 1 : 0;
  });
}
export {
  driftCommand
};
