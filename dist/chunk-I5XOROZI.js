import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  parsePlatform,
  registryRepository,
  resolveDigest
} from "./chunk-3LIBBK73.js";
import {
  booleanWord,
  closestName,
  splitList
} from "./chunk-G7E3GDP2.js";
import {
  ConfigurationError,
  isUserError
} from "./chunk-S52CFNVZ.js";

// src/commands/command-io.ts
import { parseArgs } from "node:util";
var REGISTRY_FLAGS = {
  platform: { type: "string" },
  "insecure-registry": { type: "string", multiple: true },
  "insecure-registries": { type: "string", multiple: true },
  "registry-username": { type: "string" },
  "registry-password": { type: "string" },
  verbose: { type: "boolean" }
};
function parseFlags(args, options, helpCommand) {
  const known = { ...options, help: { type: "boolean", short: "h" } };
  const { tokens } = parseArgs({
    args,
    options: known,
    allowPositionals: true,
    strict: false,
    tokens: true
  });
  const values = {};
  const positionals = [];
  let previousBoolean;
  for (const token of tokens) {
    if (token.kind === "positional") {
      const word = booleanWord(token.value);
      if (previousBoolean !== void 0 && word !== void 0) values[previousBoolean] = word;
      else positionals.push(token.value);
      previousBoolean = void 0;
      continue;
    }
    previousBoolean = void 0;
    if (token.kind !== "option") continue;
    const spec = Object.hasOwn(known, token.name) ? known[token.name] : void 0;
    if (spec === void 0) {
      const suggestion = closestName(token.name, Object.keys(known));
      throw new ConfigurationError(
        suggestion === void 0 ? `unknown option ${token.rawName}; run "${helpCommand} --help" for the options.` : `unknown option ${token.rawName}; did you mean --${suggestion}?`
      );
    }
    const flag = `--${token.name}`;
    if (spec.type === "boolean") {
      let value = true;
      if (token.inlineValue === true) {
        const word = booleanWord(token.value ?? "");
        if (word === void 0) {
          throw new ConfigurationError(
            `${flag} is "${token.value ?? ""}"; write ${flag} alone, ${flag}=true or ${flag}=false.`
          );
        }
        value = word;
      } else {
        previousBoolean = token.name;
      }
      values[token.name] = value;
      continue;
    }
    if (token.value === void 0 || token.inlineValue !== true && token.value.startsWith("-")) {
      throw new ConfigurationError(
        `${flag} needs a value: write ${flag} VALUE, or ${flag}=VALUE when the value starts with "-".`
      );
    }
    if (spec.multiple === true) {
      const list = values[token.name];
      values[token.name] = [...Array.isArray(list) ? list : [], token.value];
    } else {
      values[token.name] = token.value;
    }
  }
  return { values, positionals, help: values.help === true };
}
function parseCommandArgs(command, usage, args, options) {
  if (args.length === 0) throw new ConfigurationError(`${command} needs arguments; usage: ${usage}`);
  return parseFlags(args, { ...REGISTRY_FLAGS, ...options }, `container-gate ${command}`);
}
function commandHelp(usage) {
  return `Usage: ${usage}

Registry options (as for scan):
  --platform OS/ARCH                  platform of a multi-platform image (default linux/amd64)
  --insecure-registry HOST[:PORT]     may be reached over plain HTTP (repeatable)
  --registry-username, --registry-password   credentials for the image's registry
  --verbose                           progress messages on standard error
`;
}
function stringFlag(values, name) {
  const value = values[name];
  return typeof value === "string" && value !== "" ? value : void 0;
}
function listFlag(values, name) {
  const value = values[name];
  return Array.isArray(value) ? value.flatMap((item) => splitList(String(item))) : [];
}
function registryAccess(values, env) {
  const username = stringFlag(values, "registry-username");
  const password = stringFlag(values, "registry-password");
  if (Boolean(username) !== Boolean(password)) {
    throw new ConfigurationError(
      "--registry-username and --registry-password go together; set both or neither."
    );
  }
  return {
    insecureRegistries: [
      ...listFlag(values, "insecure-registry"),
      ...listFlag(values, "insecure-registries")
    ],
    env,
    ...username && password ? { credentials: { username, password } } : {}
  };
}
function imageAccess(values, env) {
  return {
    ...registryAccess(values, env),
    platform: parsePlatform(stringFlag(values, "platform") ?? "linux/amd64")
  };
}
function registryImageArg(command, usage, positionals) {
  const image = positionals[0];
  const repository = image === void 0 || positionals.length !== 1 ? void 0 : registryRepository(image);
  if (image === void 0 || repository === void 0) {
    throw new ConfigurationError(
      `${command} takes one registry IMAGE (REF or docker://REF); usage: ${usage}`
    );
  }
  return { image, repository };
}
async function resolveRegistryImage(image, values, env, io) {
  const logger = commandLogger(io, values.verbose === true);
  const access = registryAccess(values, env);
  return { digest: await resolveDigest(image, access, logger), access, logger };
}
function commandLogger(io, verbose) {
  return {
    debug: () => void 0,
    info: (message) => {
      if (verbose) io.stderr(`${message}
`);
    },
    warning: (message) => io.stderr(`warning: ${message}
`),
    error: (message) => io.stderr(`error: ${message}
`),
    group: (_name, fn) => fn()
  };
}
async function runCommand(io, body) {
  try {
    return await body();
  } catch (error) {
    if (isUserError(error)) io.stderr(`container-gate: ${error.message}
`);
    else
      io.stderr(
        `container-gate: internal error, please report it: ${error.stack ?? String(error)}
`
      );
    return 2;
  }
}

export {
  parseFlags,
  parseCommandArgs,
  commandHelp,
  stringFlag,
  listFlag,
  imageAccess,
  registryImageArg,
  resolveRegistryImage,
  commandLogger,
  runCommand
};
