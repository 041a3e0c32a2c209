#!/usr/bin/env bash
# Starts the whole system on a default model.
#  - With a working Docker engine: the dev compose stack (docker-compose.dev.yml, hot reload).
#  - Without one: the same system as local processes: redis-server, one InferenceWorker and the Gateway.
# Ctrl-C stops everything it started.
#
# Environment (all optional): GATEWAY_PORT (3003), GATEWAY_GRPC_PORT (3004, the gRPC front door), WORKER_PORT (4000), REDIS_PORT (6379), API_KEY (random if unset),
# MODELS_DIR (models/, else ../shared/models/), MODEL (default model: the first .gguf found), NO_DOCKER=1 (force local).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"

if [[ "${NO_DOCKER:-0}" != 1 ]] && command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
  echo "Docker engine found: starting docker-compose.dev.yml (Ctrl-C stops it)."
  exec docker compose -f docker-compose.dev.yml up --build
fi

GATEWAY_PORT="${GATEWAY_PORT:-3003}"
GATEWAY_GRPC_PORT="${GATEWAY_GRPC_PORT:-3004}"
WORKER_PORT="${WORKER_PORT:-4000}"
REDIS_PORT="${REDIS_PORT:-6379}"
API_KEY="${API_KEY:-dev-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')}"
STATE="$ROOT/artifacts/run-dev"
mkdir -p "$STATE"

# redis-server: installed through apt-get when this runs as root or sudo works without a password; otherwise the one
# command that does it is printed.
ensure_redis_server() {
  command -v redis-server >/dev/null 2>&1 && return 0
  local hint="sudo apt-get install -y redis-server" as=()
  if [[ $(id -u) -ne 0 ]]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then as=(sudo -n); else
      echo "redis-server is not installed. Install it with:  $hint" >&2; return 1
    fi
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "redis-server is not installed and apt-get is not available: install redis-server (7 or later) and put it on PATH." >&2
    return 1
  fi
  echo "redis-server is not installed: installing it with apt-get..."
  if ! { "${as[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
      && "${as[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server >/dev/null; }; then
    echo "Installing redis-server failed. Install it with:  $hint" >&2; return 1
  fi
  hash -r
  command -v redis-server >/dev/null 2>&1 || { echo "redis-server is still not on PATH after apt-get; install it with:  $hint" >&2; return 1; }
}
ensure_redis_server || exit 1
command -v dotnet >/dev/null 2>&1 || { echo "The .NET 10 SDK is required (dotnet not found)." >&2; exit 1; }

# The models: models/ when it has a GGUF, else the shared test models beside the repo.
if [[ -z "${MODELS_DIR:-}" ]]; then
  if compgen -G "$ROOT/models/*.gguf" >/dev/null; then
    MODELS_DIR="$ROOT/models"
  elif compgen -G "$ROOT/../shared/models/*.gguf" >/dev/null; then
    MODELS_DIR="$(cd "$ROOT/../shared/models" && pwd)"
  else
    cat >&2 <<MSG
No GGUF model found in models/ (or ../shared/models/). Download one, for example:
  mkdir -p models && curl -L -o models/qwen2.5-0.5b-instruct-q4_k_m.gguf \\
    https://huggingface.co/Qwen/Qwen2.5-0.5B-Instruct-GGUF/resolve/main/qwen2.5-0.5b-instruct-q4_k_m.gguf
MSG
    exit 1
  fi
fi
if [[ -z "${MODEL:-}" ]]; then
  if [[ -f "$MODELS_DIR/stories260K.gguf" ]]; then MODEL=stories260K
  else MODEL="$(basename "$(ls "$MODELS_DIR"/*.gguf | head -n 1)" .gguf)"; fi
fi

for port in "$GATEWAY_PORT" "$GATEWAY_GRPC_PORT" "$WORKER_PORT" "$REDIS_PORT"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "Port $port is already in use; set GATEWAY_PORT / GATEWAY_GRPC_PORT / WORKER_PORT / REDIS_PORT." >&2
    exit 1
  fi
done

echo "Building (Release)..."
dotnet build "$ROOT/InferenceWorker/Distributed.InferenceWorker/Distributed.InferenceWorker.csproj" -c Release -v quiet --nologo
dotnet build "$ROOT/Gateway/Distributed.Gateway/Distributed.Gateway.csproj" -c Release -v quiet --nologo

PIDS=()
cleanup() {
  trap - INT TERM EXIT
  rm -f "$STATE/ready"
  echo
  echo "Stopping..."
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  echo "Stopped."
}
trap 'cleanup; exit 130' INT TERM
trap cleanup EXIT

redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$STATE" --save "" --appendonly no >"$STATE/redis.log" 2>&1 &
PIDS+=($!)

( cd "$ROOT/InferenceWorker/Distributed.InferenceWorker/bin/Release/net10.0" && \
  Worker__Port="$WORKER_PORT" Worker__ModelsDirectory="$MODELS_DIR" Worker__Preload__0="$MODEL" \
  exec dotnet Distributed.InferenceWorker.dll ) >"$STATE/worker.log" 2>&1 &
PIDS+=($!)

( cd "$ROOT/Gateway/Distributed.Gateway/bin/Release/net10.0" && \
  API_KEY="$API_KEY" REDIS_HOST=127.0.0.1 REDIS_PORT="$REDIS_PORT" LLM_NAME="$MODEL" \
  Workers__Addresses__0="http://127.0.0.1:$WORKER_PORT" Workers__PollInterval=00:00:00.500 \
  Kestrel__Endpoints__Http__Url="http://127.0.0.1:$GATEWAY_PORT" \
  Kestrel__Endpoints__Grpc__Url="http://127.0.0.1:$GATEWAY_GRPC_PORT" \
  exec dotnet Distributed.Gateway.dll ) >"$STATE/gateway.log" 2>&1 &
PIDS+=($!)

echo "Waiting for the gateway to be ready (logs in $STATE)..."
for _ in $(seq 1 240); do
  if curl -fsS "http://127.0.0.1:$GATEWAY_PORT/health/ready" >/dev/null 2>&1; then break; fi
  for pid in "${PIDS[@]}"; do
    kill -0 "$pid" 2>/dev/null || { echo "A process exited early; see the logs in $STATE." >&2; tail -n 20 "$STATE"/*.log >&2; exit 1; }
  done
  sleep 0.5
done
curl -fsS "http://127.0.0.1:$GATEWAY_PORT/health/ready" >/dev/null || { echo "Not ready in time; see $STATE." >&2; exit 1; }

URL="http://127.0.0.1:$GATEWAY_PORT"
cat <<MSG

Distributed is running.
  Gateway:        $URL   (OpenAPI: $URL/openapi/v1.json)
  gRPC front door: 127.0.0.1:$GATEWAY_GRPC_PORT   (distributed.inference.v1.Inference, admin or service keys)
  Worker (gRPC):  127.0.0.1:$WORKER_PORT   models from $MODELS_DIR, default model '$MODEL'
  Redis:          127.0.0.1:$REDIS_PORT
  API key:        $API_KEY

Try it:
  SID=\$(curl -s -H 'x-api-key: $API_KEY' -H 'content-type: application/json' -d '{"model_name":"$MODEL"}' $URL/llm/sessions | sed 's/.*"sessionId":"\\([^"]*\\)".*/\\1/')
  CID=\$(curl -s -X POST -H 'x-api-key: $API_KEY' $URL/llm/sessions/\$SID/conversations | sed 's/.*"conversationId":"\\([^"]*\\)".*/\\1/')
  curl -s -H 'x-api-key: $API_KEY' -H 'content-type: application/json' -d '{"query":"Once upon a time"}' $URL/llm/sessions/\$SID/conversations/\$CID/query

Press Ctrl-C to stop.
MSG
echo "READY $URL $API_KEY" >"$STATE/ready"
wait -n "${PIDS[@]}" || true
echo "A process stopped; see the logs in $STATE." >&2
