#!/usr/bin/env bash
# Runs every test: the .NET suites (real Redis, real worker, real llama.cpp, grpc-js interop), the deployment
# validation (compose files, Kubernetes manifests, redis.conf) and the run-dev.sh smoke test.
# Needs: .NET 10 SDK, node/npm, redis-server (apt-get install -y redis-server), docker-compose for the compose check.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 GGML_NO_BACKTRACE=1
CONFIG="${CONFIG:-Release}"
LOG_DIR="$ROOT/artifacts/test"
mkdir -p "$LOG_DIR"
passed=0 failed=0 skipped=0 status=0

command -v redis-server >/dev/null || { echo "redis-server missing: apt-get install -y redis-server" >&2; exit 1; }

dotnet build Distributed.sln -c "$CONFIG" --nologo -v quiet || exit 1

# One test project at a time: llama.cpp's threads spin-wait, so parallel suites on 2 cores slow each other badly.
dotnet test Distributed.sln -c "$CONFIG" --no-build -m:1 --nologo 2>&1 | tee "$LOG_DIR/dotnet-test.log"
[[ ${PIPESTATUS[0]} -eq 0 ]] || status=1
while read -r f p s; do
  failed=$((failed + f)); passed=$((passed + p)); skipped=$((skipped + s))
done < <(sed -nE 's/.*Failed: +([0-9]+), Passed: +([0-9]+), Skipped: +([0-9]+).*/\1 \2 \3/p' "$LOG_DIR/dotnet-test.log")

run_check() {
  local name=$1; shift
  echo "== $name"
  if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); status=1; echo "FAILED: $name" >&2; fi
}
if [[ -x deploy/validate/validate.sh ]]; then run_check "deployment validation" deploy/validate/validate.sh; fi
run_check "run-dev.sh smoke test" tests/smoke/run-dev-smoke.sh

echo
echo "Tests: $passed passed, $failed failed, $skipped skipped"
exit $status
