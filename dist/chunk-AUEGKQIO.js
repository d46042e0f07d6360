import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  commandHelp,
  parseCommandArgs,
  registryImageArg,
  resolveRegistryImage,
  runCommand,
  stringFlag
} from "./chunk-I5XOROZI.js";
import {
  checkImageSignatures,
  signaturePolicy
} from "./chunk-3LIBBK73.js";
import "./chunk-G7E3GDP2.js";
import "./chunk-PUWYYOVB.js";
import "./chunk-53I4RN7B.js";
import "./chunk-MSXTIOG5.js";
import {
  ConfigurationError
} from "./chunk-S52CFNVZ.js";
import "./chunk-VA35IVHB.js";

// src/commands/verify.ts
var USAGE = "container-gate verify IMAGE (--key cosign.pub | --certificate-identity ID --certificate-oidc-issuer URL [--trusted-root FILE])";
async function verifyCommand(args, env, io) {
  return runCommand(io, async () => {
    const { values, positionals, help } = parseCommandArgs("verify", USAGE, args, {
      key: { type: "string" },
      "certificate-identity": { type: "string" },
      "certificate-oidc-issuer": { type: "string" },
      "trusted-root": { type: "string" }
    });
    if (help) {
      io.stdout(commandHelp(USAGE));
      return 0;
    }
    const { image, repository } = registryImageArg("verify", USAGE, positionals);
    const key = stringFlag(values, "key");
    const identity = stringFlag(values, "certificate-identity");
    const issuer = stringFlag(values, "certificate-oidc-issuer");
    const trustedRoot = stringFlag(values, "trusted-root");
    if (key === void 0 === (identity === void 0 && issuer === void 0) || key === void 0 && (identity === void 0 || issuer === void 0)) {
      throw new ConfigurationError(
        `verify needs --key, or --certificate-identity with --certificate-oidc-issuer; usage: ${USAGE}`
      );
    }
    const policy = await signaturePolicy(
      key !== void 0 ? { key } : {
        identity,
        issuer,
        ...trustedRoot !== void 0 ? { trustedRoot } : {}
      }
    );
    const { digest, access, logger } = await resolveRegistryImage(image, values, env, io);
    const check = await checkImageSignatures(repository, digest, policy, access, logger);
    for (const verified of check.verified)
      io.stdout(`verified ${repository}@${digest}: ${verified.where} by ${verified.signer}
`);
    if (check.verified.length > 0) return 0;
    io.stdout(`no valid signature for ${repository}@${digest} (${check.found} found)
`);
    for (const reason of check.rejected) io.stdout(`  ${reason}
`);
    return 1;
  });
}
export {
  verifyCommand
};
