#!/usr/bin/env bash
# End-to-end benchmark of one InferenceWorker:
#   build -> write a random-weight llama GGUF -> start the worker -> wait for grpc.health.v1 SERVING
#   -> run `Distributed.Bench run` -> stop the worker.
# Everything it writes goes to $BENCH_DIR (default <repo>/artifacts/bench/, git-ignored).
#
# Assumptions about the worker (override any variable from the environment):
#   - it is started as `dotnet <WORKER_DLL>` from the DLL's folder (so its appsettings.json applies);
#   - it reads its model catalog from Worker__ModelsDirectory and names each model by its file stem;
#   - it listens for cleartext HTTP/2 gRPC on Worker__Port (ASPNETCORE_URLS is NOT used);
#   - other Worker__* settings (e.g. Worker__ParallelSequences, Worker__ContextSize) pass through the environment.
#
# Examples:
#   tools/Distributed.Bench/bench.sh
#   CONCURRENCY=1,2,4 REPEAT=2 GEN_TOKENS=64 tools/Distributed.Bench/bench.sh
#   MODEL_NAME=random-llama-small MODEL_ARGS="--dim 256 --layers 4 --heads 4 --ff 256" tools/Distributed.Bench/bench.sh
#   LLAMA_SERVER=/path/to/llama-server ROUNDS=3 tools/Distributed.Bench/bench.sh   # head-to-head, interleaved rounds
#   GATEWAY=1 tools/Distributed.Bench/bench.sh          # also through the gateway's gRPC front door (starts redis + gateway)
#   BASELINE_WORKER_DLL=/old/tree/.../Distributed.InferenceWorker.dll BASELINE_BENCH_DLL=/old/tree/.../Distributed.Bench.dll \
#     tools/Distributed.Bench/bench.sh                  # also an older build of the worker (and its client), same rounds
set -euo pipefail

REPO_ROOT="${REPO_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
CONFIGURATION="${CONFIGURATION:-Release}"
SKIP_BUILD="${SKIP_BUILD:-0}"             # 1: use existing build outputs
BENCH_PROJECT="$REPO_ROOT/tools/Distributed.Bench/Distributed.Bench.csproj"
BENCH_DLL="${BENCH_DLL:-$REPO_ROOT/tools/Distributed.Bench/bin/$CONFIGURATION/net10.0/Distributed.Bench.dll}"
WORKER_PROJECT="${WORKER_PROJECT:-$REPO_ROOT/InferenceWorker/Distributed.InferenceWorker/Distributed.InferenceWorker.csproj}"
WORKER_DLL="${WORKER_DLL:-$REPO_ROOT/InferenceWorker/Distributed.InferenceWorker/bin/$CONFIGURATION/net10.0/Distributed.InferenceWorker.dll}"
WORKER_PORT="${WORKER_PORT:-4000}"        # exported to the worker as Worker__Port
WORKER_URL="http://127.0.0.1:$WORKER_PORT"
HEALTH_WAIT_SECONDS="${HEALTH_WAIT_SECONDS:-120}"

BENCH_DIR="${BENCH_DIR:-$REPO_ROOT/artifacts/bench}"
MODELS_DIR="${MODELS_DIR:-$BENCH_DIR/models}"  # exported to the worker as Worker__ModelsDirectory
MODEL_NAME="${MODEL_NAME:-random-llama-110m-q4_k}"
# 768 x 12 layers, 12 heads, ff 2048, Llama-2 vocabulary (32,000): 134,105,856 parameters (109,529,856 with --tie-embeddings).
MODEL_ARGS="${MODEL_ARGS:---dim 768 --layers 12 --heads 12 --ff 2048 --context 2048 --type q4_k --seed 1}"
FORCE_MODEL="${FORCE_MODEL:-0}"           # 1: rewrite the model even if the file exists

PROMPT_TOKENS="${PROMPT_TOKENS:-256}"
GEN_TOKENS="${GEN_TOKENS:-128}"
CONCURRENCY="${CONCURRENCY:-1,4,16}"
REPEAT="${REPEAT:-3}"
ROUNDS="${ROUNDS:-1}"                     # benchmark rounds; with LLAMA_SERVER the two servers alternate per round

# Optional head-to-head: a llama-server binary of the same llama.cpp release, started on the same model.
LLAMA_SERVER="${LLAMA_SERVER:-}"
LLAMA_PORT="${LLAMA_PORT:-8090}"
THREADS="${THREADS:-$(nproc)}"            # both servers: compute threads (the worker's default is the core count)
# Like the worker: 4 sequences x the model's 2048-token context, one KV stream per sequence (llama-server's default
# with -np; with no -np it shares one cache, slower on the CPU), flash attention off (the worker's CPU default).
LLAMA_ARGS="${LLAMA_ARGS:--t $THREADS -tb $THREADS -np 4 -c 8192 -fa off}"

# Optional: the same rounds through the gateway's gRPC front door (redis-server + the gateway, a service API key).
GATEWAY="${GATEWAY:-0}"
GATEWAY_DLL="${GATEWAY_DLL:-$REPO_ROOT/Gateway/Distributed.Gateway/bin/$CONFIGURATION/net10.0/Distributed.Gateway.dll}"
GATEWAY_HTTP_PORT="${GATEWAY_HTTP_PORT:-3103}"
GATEWAY_GRPC_PORT="${GATEWAY_GRPC_PORT:-3104}"
GATEWAY_REDIS_PORT="${GATEWAY_REDIS_PORT:-6399}"
SERVICE_KEY="bench-service-$RANDOM$RANDOM"

# Optional: an older build of the worker (and of the client that speaks to it), measured in the same rounds.
BASELINE_WORKER_DLL="${BASELINE_WORKER_DLL:-}"
BASELINE_BENCH_DLL="${BASELINE_BENCH_DLL:-$BENCH_DLL}"
BASELINE_PORT="${BASELINE_PORT:-$((WORKER_PORT + 1))}"

log() { printf '[bench] %s\n' "$*" >&2; }

mkdir -p "$BENCH_DIR" "$MODELS_DIR"
STAMP="$(date +%Y%m%d-%H%M%S)"
WORKER_LOG="$BENCH_DIR/worker-$STAMP.log"
RESULTS="$BENCH_DIR/results-$STAMP"

# 1. Build (one build at a time).
if [[ "$SKIP_BUILD" != 1 ]]; then
  log "building $BENCH_PROJECT ($CONFIGURATION)"
  dotnet build "$BENCH_PROJECT" -c "$CONFIGURATION" --nologo -v quiet
  log "building $WORKER_PROJECT ($CONFIGURATION)"
  dotnet build "$WORKER_PROJECT" -c "$CONFIGURATION" --nologo -v quiet
  if [[ "$GATEWAY" == 1 ]]; then
    dotnet build "$REPO_ROOT/Gateway/Distributed.Gateway/Distributed.Gateway.csproj" -c "$CONFIGURATION" --nologo -v quiet
  fi
fi
for file in "$BENCH_DLL" "$WORKER_DLL"; do
  [[ -f "$file" ]] || { log "missing $file (build first, or set CONFIGURATION / WORKER_DLL / BENCH_DLL)"; exit 1; }
done

# 2. The model.
MODEL_FILE="$MODELS_DIR/$MODEL_NAME.gguf"
if [[ "$FORCE_MODEL" == 1 || ! -f "$MODEL_FILE" ]]; then
  log "writing $MODEL_FILE"
  # shellcheck disable=SC2086 # MODEL_ARGS is a list of options
  dotnet "$BENCH_DLL" gguf --out "$MODEL_FILE" $MODEL_ARGS
else
  log "reusing $MODEL_FILE (FORCE_MODEL=1 rewrites it)"
fi

# 3. The worker.
if (exec 3<>"/dev/tcp/127.0.0.1/$WORKER_PORT") 2>/dev/null; then
  log "port $WORKER_PORT is already in use; stop that process or set WORKER_PORT"
  exit 1
fi

PIDS=()
stop_all() {
  for pid in "${PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.2
    done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  PIDS=()
}
trap stop_all EXIT
trap 'exit 130' INT TERM

# wait_ready <name> <pid> <log> <probe command...>: polls the probe while the process is alive.
wait_ready() {
  local name=$1 pid=$2 logfile=$3; shift 3
  local deadline=$((SECONDS + HEALTH_WAIT_SECONDS))
  until "$@" >/dev/null 2>&1; do
    if ! kill -0 "$pid" 2>/dev/null; then
      log "$name exited during start-up; last lines of its log:"
      tail -n 30 "$logfile" >&2
      exit 1
    fi
    if ((SECONDS >= deadline)); then
      log "$name is not ready after ${HEALTH_WAIT_SECONDS}s; last lines of its log:"
      tail -n 30 "$logfile" >&2
      exit 1
    fi
    sleep 0.5
  done
  log "$name is ready"
}

log "starting worker on port $WORKER_PORT (log: $WORKER_LOG)"
(
  cd "$(dirname "$WORKER_DLL")"
  Worker__ModelsDirectory="$MODELS_DIR" Worker__Port="$WORKER_PORT" exec dotnet "$WORKER_DLL"
) >"$WORKER_LOG" 2>&1 &
PIDS+=($!)
# 4. Wait for grpc.health.v1.Health/Check = SERVING (while watching that the worker is still alive).
wait_ready worker "$!" "$WORKER_LOG" dotnet "$BENCH_DLL" health --worker "$WORKER_URL" --wait 1

if [[ -n "$BASELINE_WORKER_DLL" ]]; then
  BASELINE_LOG="$BENCH_DIR/baseline-worker-$STAMP.log"
  log "starting the baseline worker $BASELINE_WORKER_DLL on port $BASELINE_PORT (log: $BASELINE_LOG)"
  (
    cd "$(dirname "$BASELINE_WORKER_DLL")"
    Worker__ModelsDirectory="$MODELS_DIR" Worker__Port="$BASELINE_PORT" exec dotnet "$BASELINE_WORKER_DLL"
  ) >"$BASELINE_LOG" 2>&1 &
  PIDS+=($!)
  wait_ready baseline-worker "$!" "$BASELINE_LOG" dotnet "$BASELINE_BENCH_DLL" health --worker "http://127.0.0.1:$BASELINE_PORT" --wait 1
fi

if [[ "$GATEWAY" == 1 ]]; then
  GATEWAY_LOG="$BENCH_DIR/gateway-$STAMP.log"
  redis-server --port "$GATEWAY_REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no >"$BENCH_DIR/redis-$STAMP.log" 2>&1 &
  PIDS+=($!)
  log "starting the gateway (HTTP $GATEWAY_HTTP_PORT, gRPC front door $GATEWAY_GRPC_PORT; log: $GATEWAY_LOG)"
  (
    cd "$(dirname "$GATEWAY_DLL")"
    REDIS_HOST=127.0.0.1 REDIS_PORT="$GATEWAY_REDIS_PORT" API_KEY="bench-admin-$RANDOM$RANDOM" \
    Auth__Keys__0__Key="$SERVICE_KEY" Auth__Keys__0__Principal=bench Auth__Keys__0__Role=service \
    Workers__Addresses__0="$WORKER_URL" Logging__LogLevel__Default=Warning \
    Kestrel__Endpoints__Http__Url="http://127.0.0.1:$GATEWAY_HTTP_PORT" Kestrel__Endpoints__Grpc__Url="http://127.0.0.1:$GATEWAY_GRPC_PORT" \
    exec dotnet "$GATEWAY_DLL"
  ) >"$GATEWAY_LOG" 2>&1 &
  PIDS+=($!)
  wait_ready gateway "$!" "$GATEWAY_LOG" curl -sf "http://127.0.0.1:$GATEWAY_HTTP_PORT/health/ready"
fi

if [[ -n "$LLAMA_SERVER" ]]; then
  LLAMA_LOG="$BENCH_DIR/llama-server-$STAMP.log"
  log "starting $LLAMA_SERVER on port $LLAMA_PORT ($LLAMA_ARGS; log: $LLAMA_LOG)"
  # shellcheck disable=SC2086 # LLAMA_ARGS is a list of options
  "$LLAMA_SERVER" -m "$MODEL_FILE" --host 127.0.0.1 --port "$LLAMA_PORT" $LLAMA_ARGS >"$LLAMA_LOG" 2>&1 &
  PIDS+=($!)
  wait_ready llama-server "$!" "$LLAMA_LOG" curl -sf "http://127.0.0.1:$LLAMA_PORT/health"
fi

# 5. Benchmark: ROUNDS rounds, the servers alternating within each so that drifts in machine load hit both.
bench() {
  local out=$1; shift
  dotnet "$BENCH_DLL" run "$@" --prompt-tokens "$PROMPT_TOKENS" --gen-tokens "$GEN_TOKENS" --concurrency "$CONCURRENCY" \
    --repeat "$REPEAT" --json "$out.json" | tee "$out.txt"
}
WORKER_RESULTS=() LLAMA_RESULTS=() GATEWAY_RESULTS=() BASELINE_RESULTS=()
for round in $(seq 1 "$ROUNDS"); do
  suffix=""
  ((ROUNDS > 1)) && suffix="-round$round"
  log "round $round/$ROUNDS: worker"
  bench "$RESULTS$suffix" --worker "$WORKER_URL" --model "$MODEL_NAME"
  WORKER_RESULTS+=("$RESULTS$suffix.json")
  if [[ "$GATEWAY" == 1 ]]; then
    log "round $round/$ROUNDS: per-call latency, worker then gateway front door"
    { echo "round $round worker:  $(dotnet "$BENCH_DLL" latency --worker "$WORKER_URL")"
      echo "round $round gateway: $(dotnet "$BENCH_DLL" latency --worker "http://127.0.0.1:$GATEWAY_GRPC_PORT" --api-key "$SERVICE_KEY")"
    } | tee -a "$RESULTS-latency.txt"
    log "round $round/$ROUNDS: gateway gRPC front door"
    bench "$RESULTS$suffix-gateway" --worker "http://127.0.0.1:$GATEWAY_GRPC_PORT" --model "$MODEL_NAME" --api-key "$SERVICE_KEY"
    GATEWAY_RESULTS+=("$RESULTS$suffix-gateway.json")
  fi
  if [[ -n "$BASELINE_WORKER_DLL" ]]; then
    log "round $round/$ROUNDS: baseline worker"
    BENCH_DLL="$BASELINE_BENCH_DLL" bench "$RESULTS$suffix-baseline" --worker "http://127.0.0.1:$BASELINE_PORT" --model "$MODEL_NAME"
    BASELINE_RESULTS+=("$RESULTS$suffix-baseline.json")
  fi
  if [[ -n "$LLAMA_SERVER" ]]; then
    log "round $round/$ROUNDS: llama-server"
    bench "$RESULTS$suffix-llama-server" --llama-server "http://127.0.0.1:$LLAMA_PORT"
    LLAMA_RESULTS+=("$RESULTS$suffix-llama-server.json")
  fi
done

compare() { # compare <title> <out> --baseline ... --candidate ...
  local title=$1 out=$2; shift 2
  { echo "== $title"; dotnet "$BENCH_DLL" compare "$@"; } | tee "$out"
}
if [[ -n "$LLAMA_SERVER" ]]; then
  compare "llama-server -> worker" "$RESULTS-compare.txt" --baseline "${LLAMA_RESULTS[@]}" --candidate "${WORKER_RESULTS[@]}"
  if [[ "$GATEWAY" == 1 ]]; then
    compare "llama-server -> gateway front door" "$RESULTS-compare-gateway-llama.txt" --baseline "${LLAMA_RESULTS[@]}" --candidate "${GATEWAY_RESULTS[@]}"
  fi
  if [[ -n "$BASELINE_WORKER_DLL" ]]; then
    compare "llama-server -> baseline worker" "$RESULTS-compare-baseline-llama.txt" --baseline "${LLAMA_RESULTS[@]}" --candidate "${BASELINE_RESULTS[@]}"
  fi
fi
if [[ "$GATEWAY" == 1 ]]; then
  compare "worker -> gateway front door" "$RESULTS-compare-gateway.txt" --baseline "${WORKER_RESULTS[@]}" --candidate "${GATEWAY_RESULTS[@]}"
fi
if [[ -n "$BASELINE_WORKER_DLL" ]]; then
  compare "baseline worker -> worker" "$RESULTS-compare-baseline.txt" --baseline "${BASELINE_RESULTS[@]}" --candidate "${WORKER_RESULTS[@]}"
fi
log "results: $RESULTS*.txt / .json; logs: $BENCH_DIR/*-$STAMP.log"
