#!/usr/bin/env bash
# Soak test of a running gateway (not run in CI): CLIENTS clients x TURNS turns, each client its own conversation, then
# every history is read back: lost / duplicated / misordered / phantom entries and the count of every status.
# Exit code 1 when anything acknowledged was lost, duplicated or misordered. Inject faults by hand while it runs
# (kill -9 a worker, redis-server or a gateway replica).
#
# Environment: GATEWAY (http://127.0.0.1:3003), API_KEY (else the one run-dev.sh wrote to artifacts/run-dev/ready),
# MODEL (stories260K), CLIENTS (200), TURNS (10), MAX_TOKENS (8), STREAM=1 (SSE queries), RETRIES (5),
# OUT (artifacts/soak/soak-<time>.json).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

GATEWAY="${GATEWAY:-http://127.0.0.1:3003}"
if [[ -z "${API_KEY:-}" && -f artifacts/run-dev/ready ]]; then
  read -r _ _ API_KEY < artifacts/run-dev/ready
fi
[[ -n "${API_KEY:-}" ]] || { echo "Set API_KEY (the gateway's key), or start the system with ./run-dev.sh first." >&2; exit 2; }
OUT="${OUT:-artifacts/soak/soak-$(date +%Y%m%d-%H%M%S).json}"
mkdir -p "$(dirname "$OUT")"

dotnet build tools/Distributed.Bench/Distributed.Bench.csproj -c Release -v quiet --nologo >/dev/null
args=(soak --gateway "$GATEWAY" --api-key "$API_KEY" --model "${MODEL:-stories260K}" --clients "${CLIENTS:-200}"
  --turns "${TURNS:-10}" --max-tokens "${MAX_TOKENS:-8}" --retries "${RETRIES:-5}" --json "$OUT")
[[ "${STREAM:-0}" == 1 ]] && args+=(--stream)
status=0
dotnet tools/Distributed.Bench/bin/Release/net10.0/Distributed.Bench.dll "${args[@]}" || status=$?
echo "Summary: $OUT"
exit $status
