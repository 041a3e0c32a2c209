#!/usr/bin/env bash
# Runs every test: the .NET suites (real Redis, real worker, real llama.cpp, grpc-js interop), the deployment
# validation (compose files, Kubernetes manifests, redis.conf) and the run-dev.sh smoke test.
# Needs: .NET 10 SDK, node/npm, redis-server and chromium (installed through apt-get when run as root or with passwordless sudo),
# docker-compose for the compose check.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 GGML_NO_BACKTRACE=1
CONFIG="${CONFIG:-Release}"
LOG_DIR="$ROOT/artifacts/test"
mkdir -p "$LOG_DIR"
passed=0 failed=0 skipped=0 status=0

# What the tests need from Debian (redis-server; chromium for the chat page's browser tests): installed through apt-get
# when this runs as root or sudo works without a password; otherwise the one command that does it is printed.
ensure_package() { # ensure_package <command> <package>
  command -v "$1" >/dev/null 2>&1 && return 0
  local hint="sudo apt-get install -y $2" as=()
  if [[ $(id -u) -ne 0 ]]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then as=(sudo -n); else
      echo "$2 is not installed. Install it with:  $hint" >&2; return 1
    fi
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "$2 is not installed and apt-get is not available: install $2 and put $1 on PATH." >&2
    return 1
  fi
  echo "$2 is not installed: installing it with apt-get..."
  if ! { "${as[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
      && "${as[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$2" >/dev/null; }; then
    echo "Installing $2 failed. Install it with:  $hint" >&2; return 1
  fi
  hash -r
  command -v "$1" >/dev/null 2>&1 || { echo "$1 is still not on PATH after apt-get; install it with:  $hint" >&2; return 1; }
}
ensure_package redis-server redis-server || exit 1
ensure_package chromium chromium || exit 1

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
