#!/usr/bin/env node
import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  ALL_INPUTS,
  SBOM_FORMATS,
  acquireSettings,
  escapeTerminal,
  gateRequest,
  idleInputs,
  inputType,
  parseRunInputs,
  renderJson,
  renderJunit,
  renderMarkdown,
  renderSarif,
  renderSbom,
  renderTable,
  requireComposition,
  signAfterGate
} from "./chunk-EN4ZXFM5.js";
import {
  parseFlags
} from "./chunk-I5XOROZI.js";
import {
  VERSION,
  exitAfterGrace,
  runGate
} from "./chunk-YXRQY5ZY.js";
import {
  checkOutputPath,
  watchWrites,
  writeFileAtomic,
  writeStdout
} from "./chunk-3LIBBK73.js";
import "./chunk-F24YNK2L.js";
import "./chunk-G7E3GDP2.js";
import "./chunk-SWMUZOAG.js";
import "./chunk-PUWYYOVB.js";
import "./chunk-53I4RN7B.js";
import "./chunk-MSXTIOG5.js";
import {
  ConfigurationError,
  isUserError
} from "./chunk-S52CFNVZ.js";
import "./chunk-TXBBKDNT.js";
import "./chunk-VA35IVHB.js";

// src/cli.ts
import { statSync } from "node:fs";
import { fileURLToPath } from "node:url";
var FORMATS = ["table", "json", "markdown", "sarif", "cyclonedx", "spdx", "junit"];
var COMMANDS = `Usage:
  container-gate scan IMAGE [options]   gate an image; exit 0 pass (or --mode warn), 1 policy failed, 2 could not run
  container-gate demo [options]         scan the bundled sample image, offline (always exits 0 when it ran)
  container-gate manifest IMAGE --output FILE        content manifest of the final filesystem
  container-gate drift TARGET --manifest FILE        TARGET: an image, or fs-archive:PATH (docker export)
  container-gate sign IMAGE --key cosign.key         password in COSIGN_PASSWORD, as cosign
  container-gate verify IMAGE --key cosign.pub       or --certificate-identity/--certificate-oidc-issuer
  container-gate --version | --help | COMMAND --help`;
var SCAN_OPTIONS = `IMAGE uses skopeo's transport names: REF or docker://REF (registry), docker-daemon:REF,
docker-archive:PATH, oci-archive:PATH[:REF], oci:DIR[:REF].

Options (a boolean option works alone, or as --option=true|false):
  --format table|json|markdown|sarif|cyclonedx|spdx|junit  what to print (default: table)
  --output FILE                  write the printed report to FILE instead of standard output
  --report FILE                  also write the JSON report to FILE
  --sarif FILE                   also write SARIF 2.1.0 to FILE
  --sbom FILE                    also write the SBOM (--sbom-format cyclonedx|spdx) to FILE
  --junit FILE                   also write the security unit tests as JUnit XML to FILE
  --verbose                      progress messages on standard error
${ALL_INPUTS.filter((input) => !["image", "report", "sarif", "sbom", "junit"].includes(input.name)).map((input) => {
  const shape = input.list ? " (repeatable)" : inputType(input) === "boolean" ? "[=true|false]" : "";
  const fallback = input.default ?? "";
  const shown = fallback === "" || fallback === "false" ? "" : ` (default: ${fallback.length > 40 ? "a list, in docs/inputs.md" : fallback})`;
  return `  --${input.name}${shape}${shown}
      ${input.description}`;
}).join("\n")}
  --insecure-registry HOST[:PORT]  same as --insecure-registries
`;
var USAGE = `container-gate ${VERSION}: gate a container image on six security verification methods.

${COMMANDS}

${SCAN_OPTIONS}`;
var SCAN_USAGE = `Usage:
  container-gate scan IMAGE [options]   gate an image; exit 0 pass (or --mode warn), 1 policy failed, 2 could not run
  container-gate demo [options]         scan the bundled sample image, offline (always exits 0 when it ran)

${SCAN_OPTIONS}`;
function stderrLogger(verbose) {
  return {
    debug: () => void 0,
    info: (message) => {
      if (verbose) process.stderr.write(`${escapeTerminal(message)}
`);
    },
    warning: (message) => process.stderr.write(`warning: ${escapeTerminal(message)}
`),
    error: (message) => process.stderr.write(`error: ${escapeTerminal(message)}
`),
    group: (_name, fn) => fn()
  };
}
function optionsConfig() {
  const options = {
    format: { type: "string" },
    output: { type: "string" },
    verbose: { type: "boolean" },
    version: { type: "boolean" },
    "insecure-registry": { type: "string", multiple: true }
  };
  for (const input of ALL_INPUTS) {
    if (input.name === "image") continue;
    options[input.name] = input.list ? { type: "string", multiple: true } : { type: inputType(input) === "boolean" ? "boolean" : "string" };
  }
  return options;
}
var isSbomFormat = (format) => SBOM_FORMATS.includes(format);
function demoVulnerabilityData() {
  return fileURLToPath(new URL("../demo/osv", import.meta.url));
}
function demoImage() {
  return `oci-archive:${fileURLToPath(new URL("../demo/sample-image.tar", import.meta.url))}`;
}
function checkVulnDb(value) {
  if (value?.trim() !== "osv" || statSync("osv", { throwIfNoEntry: false })?.isDirectory() !== true)
    return;
  throw new ConfigurationError(
    "--vuln-db osv downloads from osv.dev, but osv is also a directory here; write --vuln-db ./osv to use the directory, or leave --vuln-db out to download."
  );
}
function parseCommand(argv) {
  if (argv.length === 0) return { name: "usage", format: "table", verbose: false };
  const named = argv[0] === "scan" || argv[0] === "demo" ? ` ${argv[0]}` : "";
  const { values, positionals, help } = parseFlags(argv, optionsConfig(), `container-gate${named}`);
  if (values.version === true) return { name: "version", format: "table", verbose: false };
  const [command, ...rest] = positionals;
  if (command === "help" || help && command === void 0) {
    return { name: "help", format: "table", verbose: false, help: USAGE };
  }
  if (command === void 0) return { name: "usage", format: "table", verbose: false };
  if (command !== "scan" && command !== "demo") {
    throw new ConfigurationError(
      `unknown command "${command}"; use scan, demo, manifest, drift, sign or verify (see container-gate --help).`
    );
  }
  if (help) return { name: "help", format: "table", verbose: false, help: SCAN_USAGE };
  const expected = command === "scan" ? 1 : 0;
  if (rest.length !== expected) {
    throw new ConfigurationError(
      command === "scan" ? `"scan" takes exactly one IMAGE, got ${rest.length === 0 ? "none" : rest.map((r) => `"${r}"`).join(" ")}; usage: container-gate scan IMAGE [options] (see container-gate scan --help).` : `"demo" takes no IMAGE; it scans the bundled sample image.`
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
    if (name === "vuln-db" && command === "demo" && values[name] === void 0) {
      return demoVulnerabilityData();
    }
    const value = values[name];
    if (name === "insecure-registries") {
      const all = [
        ...value ?? [],
        ...values["insecure-registry"] ?? []
      ];
      return all.join("\n");
    }
    if (Array.isArray(value)) return value.join("\n");
    if (name === "vuln-db") checkVulnDb(value);
    return typeof value === "string" || typeof value === "boolean" ? String(value) : void 0;
  };
  const output = values.output;
  const inputs = parseRunInputs(lookup);
  if (isSbomFormat(format))
    requireComposition(
      inputs.policy,
      `--format ${format} prints the SBOM`,
      "add composition to --steps"
    );
  const warnings = idleInputs(inputs);
  if (values["sbom-format"] !== void 0 && inputs.sbomPath === void 0 && !isSbomFormat(format))
    warnings.push("--sbom-format is set but no --sbom file is given: no SBOM is written.");
  return {
    name: command,
    inputs,
    warnings,
    format,
    ...output === void 0 ? {} : { output },
    verbose: values.verbose === true
  };
}
function render({ report, artifacts }, format, color) {
  switch (format) {
    case "json":
      return renderJson(report);
    case "markdown":
      return renderMarkdown(report);
    case "table":
      return renderTable(report, { color });
    case "sarif":
      return renderSarif(report);
    case "cyclonedx":
    case "spdx":
      return renderSbom({ report, artifacts }, format);
    case "junit":
      return renderJunit(report, artifacts.testResults ?? []);
  }
}
var SUBCOMMANDS = {
  manifest: async (...args) => (await import("./chunk-PMMUY7XC.js")).manifestCommand(...args),
  drift: async (...args) => (await import("./chunk-K4PTYBOD.js")).driftCommand(...args),
  sign: async (...args) => (await import("./chunk-LBA3TAPI.js")).signCommand(...args),
  verify: async (...args) => (await import("./chunk-AUEGKQIO.js")).verifyCommand(...args)
};
function isSubcommand(name) {
  return name !== void 0 && Object.hasOwn(SUBCOMMANDS, name);
}
async function main(argv, env = process.env) {
  const [first, ...rest] = argv;
  if (isSubcommand(first)) {
    return SUBCOMMANDS[first](rest, env, {
      stdout: (text) => process.stdout.write(text),
      stderr: (text) => process.stderr.write(text)
    });
  }
  let command;
  try {
    command = parseCommand(argv);
    if (command.name === "usage") {
      process.stderr.write(USAGE);
      return 2;
    }
    if (command.name === "help") {
      await writeStdout(command.help ?? USAGE);
      return 0;
    }
    if (command.name === "version") {
      await writeStdout(`${VERSION}
`);
      return 0;
    }
    const inputs = command.inputs;
    for (const [path, flag] of [
      [command.output, "--output"],
      [inputs.reportPath, "--report"],
      [inputs.sarifPath, "--sarif"],
      [inputs.sbomPath, "--sbom"],
      [inputs.junitPath, "--junit"]
    ]) {
      if (path !== void 0) await checkOutputPath(path, flag);
    }
    const logger = stderrLogger(command.verbose);
    for (const warning of command.warnings ?? []) logger.warning(warning);
    const result = await runGate(gateRequest(inputs, env), logger);
    const { report } = result;
    if (inputs.reportPath !== void 0)
      await writeFileAtomic(inputs.reportPath, renderJson(report), "--report");
    if (inputs.sarifPath !== void 0)
      await writeFileAtomic(inputs.sarifPath, renderSarif(report), "--sarif");
    if (inputs.sbomPath !== void 0)
      await writeFileAtomic(inputs.sbomPath, renderSbom(result, inputs.sbomFormat), "--sbom");
    if (inputs.junitPath !== void 0) {
      const junit = renderJunit(report, result.artifacts.testResults ?? []);
      await writeFileAtomic(inputs.junitPath, junit, "--junit");
    }
    await signAfterGate(result, inputs.policy, { registry: acquireSettings(inputs, env), logger });
    const color = command.output === void 0 && process.stdout.isTTY === true && env.NO_COLOR === void 0;
    const text = render(result, command.format, color);
    if (command.output !== void 0) await writeFileAtomic(command.output, text, "--output");
    else await writeStdout(text);
    if (command.name === "demo" || inputs.mode === "warn") return 0;
    return report.verdict === "pass" ? 0 : 1;
  } catch (error) {
    return failed(error);
  }
}
function failed(error) {
  if (error instanceof ConfigurationError && error.code === "STDOUT_CLOSED") return 2;
  if (isUserError(error)) {
    process.stderr.write(`container-gate: ${escapeTerminal(error.message)}
`);
  } else {
    process.stderr.write(
      `container-gate: internal error, please report it: ${error.stack ?? String(error)}
`
    );
  }
  return 2;
}
async function runCli(argv) {
  watchWrites(process.stdout);
  const status = await main(argv);
  try {
    await writeStdout("");
  } catch (error) {
    return status === 2 ? 2 : failed(error);
  }
  return status;
}

// src/bin.ts
process.stderr.on("error", () => void 0);
process.exitCode = await runCli(process.argv.slice(2));
exitAfterGrace((line) => process.stderr.write(line));
