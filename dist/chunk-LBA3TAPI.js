import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  signImage
} from "./chunk-PPCVOOLV.js";
import "./chunk-FDHDPRL4.js";
import "./chunk-XARHNG7W.js";
import {
  require_dist
} from "./chunk-GJUY5W35.js";
import "./chunk-SMPO66GR.js";
import "./chunk-V2EPHATJ.js";
import "./chunk-RFSSKQPB.js";
import {
  commandHelp,
  parseCommandArgs,
  registryImageArg,
  resolveRegistryImage,
  runCommand,
  stringFlag
} from "./chunk-I5XOROZI.js";
import {
  registryClient
} from "./chunk-3LIBBK73.js";
import "./chunk-G7E3GDP2.js";
import {
  DEFAULT_FULCIO_URL,
  DEFAULT_REKOR_URL
} from "./chunk-SWMUZOAG.js";
import "./chunk-B3ZN5P2E.js";
import {
  decryptCosignKey
} from "./chunk-PUWYYOVB.js";
import "./chunk-53I4RN7B.js";
import "./chunk-MSXTIOG5.js";
import {
  ConfigurationError
} from "./chunk-S52CFNVZ.js";
import "./chunk-TXBBKDNT.js";
import {
  __toESM
} from "./chunk-VA35IVHB.js";

// src/commands/sign.ts
var import_sign = __toESM(require_dist(), 1);
import { readFile } from "node:fs/promises";
var USAGE = "container-gate sign IMAGE [--key cosign.key] [--fulcio-url URL] [--rekor-url URL]";
async function signCommand(args, env, io) {
  return runCommand(io, async () => {
    const { values, positionals, help } = parseCommandArgs("sign", USAGE, args, {
      key: { type: "string" },
      "fulcio-url": { type: "string" },
      "rekor-url": { type: "string" }
    });
    if (help) {
      io.stdout(commandHelp(USAGE));
      return 0;
    }
    const { image, repository } = registryImageArg("sign", USAGE, positionals);
    const keyPath = stringFlag(values, "key");
    let signer;
    if (keyPath !== void 0) {
      let pem;
      try {
        pem = await readFile(keyPath, "utf8");
      } catch {
        throw new ConfigurationError(`--key "${keyPath}" cannot be read; give the cosign.key file.`);
      }
      signer = {
        kind: "key",
        key: decryptCosignKey(pem, env.COSIGN_PASSWORD ?? "", `--key "${keyPath}"`)
      };
    } else {
      signer = {
        kind: "keyless",
        identityProvider: new import_sign.CIContextProvider("sigstore"),
        fulcioUrl: stringFlag(values, "fulcio-url") ?? DEFAULT_FULCIO_URL,
        rekorUrl: stringFlag(values, "rekor-url") ?? DEFAULT_REKOR_URL
      };
    }
    const { digest, access, logger } = await resolveRegistryImage(image, values, env, io);
    const where = await signImage(
      registryClient(repository, access, logger),
      repository,
      digest,
      signer
    );
    io.stdout(`signed ${repository}@${digest}: ${where}
`);
    return 0;
  });
}
export {
  signCommand
};
