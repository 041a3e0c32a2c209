#!/usr/bin/env bash
# Smoke test of ./run-dev.sh on the no-Docker path: start it, create a session, query it, read the history,
# stop it with SIGTERM, and check that no process it started is left behind.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
export GATEWAY_PORT="${GATEWAY_PORT:-3903}" GATEWAY_GRPC_PORT="${GATEWAY_GRPC_PORT:-3904}" WORKER_PORT="${WORKER_PORT:-4903}" REDIS_PORT="${REDIS_PORT:-6903}"
export API_KEY="smoke-$RANDOM$RANDOM" NO_DOCKER=1
STATE="$ROOT/artifacts/run-dev"
LOG="$(mktemp)"
rm -f "$STATE/ready"

setsid ./run-dev.sh >"$LOG" 2>&1 &
RUN_PID=$!
fail() { echo "SMOKE FAILED: $*" >&2; tail -n 40 "$LOG" >&2; kill -TERM "$RUN_PID" 2>/dev/null || true; exit 1; }

for _ in $(seq 1 600); do
  [[ -f "$STATE/ready" ]] && break
  kill -0 "$RUN_PID" 2>/dev/null || fail "run-dev.sh exited before it was ready"
  sleep 0.5
done
[[ -f "$STATE/ready" ]] || fail "not ready within 5 minutes"

URL="http://127.0.0.1:$GATEWAY_PORT"
json() { python3 -c "import sys,json; print(json.load(sys.stdin)$1)"; }
H=(-H "x-api-key: $API_KEY" -H "content-type: application/json")
SID=$(curl -fsS "${H[@]}" -d '{"model_name":"stories260K"}' "$URL/llm/sessions" | json '["sessionId"]') || fail "create session"
CID=$(curl -fsS "${H[@]}" -X POST "$URL/llm/sessions/$SID/conversations" | json '["conversationId"]') || fail "create conversation"
ANSWER=$(curl -fsS "${H[@]}" -d '{"query":"Once upon a time","max_tokens":16,"temperature":0}' "$URL/llm/sessions/$SID/conversations/$CID/query" | json '["response"]') || fail "query"
[[ -n "$ANSWER" ]] || fail "empty answer"
TURNS=$(curl -fsS "${H[@]}" "$URL/llm/sessions/$SID/conversations/$CID" | json '.__len__()') || fail "history"
[[ "$TURNS" == 2 ]] || fail "expected 2 stored turns, got $TURNS"
echo "smoke: answer '$ANSWER', $TURNS turns stored"

kill -TERM "$RUN_PID"
wait "$RUN_PID" 2>/dev/null || true
listening() { for port in "$GATEWAY_PORT" "$GATEWAY_GRPC_PORT" "$WORKER_PORT" "$REDIS_PORT"; do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && echo -n "$port "; done; true; }
left=""
for _ in $(seq 1 40); do
  left="$(listening)$(pgrep -f "redis-server 127.0.0.1:$REDIS_PORT" || true)"
  [[ -z "$left" ]] && break
  sleep 0.25
done
[[ -z "$left" ]] && echo "smoke: everything stopped" || fail "still running: $left"
rm -f "$LOG"
echo "smoke: 1 passed, 0 failed"
