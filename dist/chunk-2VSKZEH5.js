import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  commandHelp,
  commandLogger,
  imageAccess,
  parseCommandArgs,
  runCommand,
  stringFlag
} from "./chunk-I5XOROZI.js";
import {
  contentHashesSubscription,
  defaultPolicy,
  manifestOfImage,
  runGate,
  serializeContentManifest
} from "./chunk-YXRQY5ZY.js";
import {
  checkOutputPath,
  registryRepository,
  writeFileAtomic
} from "./chunk-3LIBBK73.js";
import {
  canonicalJson
} from "./chunk-SWMUZOAG.js";
import {
  CONTENT_MANIFEST_PREDICATE,
  imageStatement
} from "./chunk-B3ZN5P2E.js";
import {
  ConfigurationError
} from "./chunk-S52CFNVZ.js";

// src/commands/manifest.ts
var USAGE = "container-gate manifest IMAGE [--output FILE] [--statement FILE]";
var contentManifestStep = {
  id: "custody",
  title: "Signing and chain of custody",
  needs: () => ({ subscriptions: [contentHashesSubscription] }),
  run: ({ image }) => Promise.resolve({ findings: [], artifacts: { contentManifest: manifestOfImage(image) } })
};
async function imageManifest(image, access, logger) {
  const { artifacts } = await runGate({ image, policy: defaultPolicy(), acquire: access }, logger, [
    contentManifestStep
  ]);
  if (artifacts.contentManifest === void 0) {
    throw new Error(`the custody step produced no content manifest for ${image}`);
  }
  return artifacts.contentManifest;
}
async function manifestCommand(args, env, io) {
  return runCommand(io, async () => {
    const { values, positionals, help } = parseCommandArgs("manifest", USAGE, args, {
      output: { type: "string" },
      statement: { type: "string" }
    });
    if (help) {
      io.stdout(commandHelp(USAGE));
      return 0;
    }
    if (positionals.length !== 1)
      throw new ConfigurationError(`manifest takes exactly one IMAGE; usage: ${USAGE}`);
    const image = positionals[0];
    const output = stringFlag(values, "output");
    const statementPath = stringFlag(values, "statement");
    if (output !== void 0) await checkOutputPath(output, "--output");
    if (statementPath !== void 0) await checkOutputPath(statementPath, "--statement");
    const logger = commandLogger(io, values.verbose === true);
    const manifest = await imageManifest(image, imageAccess(values, env), logger);
    const text = serializeContentManifest(manifest);
    if (output === void 0) io.stdout(text);
    else await writeFileAtomic(output, text, "--output");
    if (statementPath !== void 0) {
      const subject = registryRepository(image) ?? image;
      const statement = imageStatement(
        subject,
        manifest.source.digest ?? "",
        CONTENT_MANIFEST_PREDICATE,
        manifest
      );
      await writeFileAtomic(statementPath, `${canonicalJson(statement)}
`, "--statement");
    }
    io.stderr(
      `content manifest ${manifest.contentDigest}: ${manifest.entries.length} paths of ${image} (${manifest.source.digest ?? ""})
`
    );
    return 0;
  });
}

export {
  imageManifest,
  manifestCommand
};
