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
#   SCENARIO=chat LLAMA_SERVER=/path/to/llama-server ROUNDS=3 tools/Distributed.Bench/bench.sh
#                                                       # multi-turn chat: worker, gateway (SSE), gateway without
#                                                       # sanitization and llama-server, interleaved rounds, chat-compare
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

# SCENARIO=run (default): `Distributed.Bench run` (single prompts). SCENARIO=chat: `Distributed.Bench chat` (multi-turn)
# against the worker, the gateway's HTTP API (GATEWAY defaults to 1), optionally the gateway with sanitization off
# (CHAT_GATEWAY_RAW, default 1) and llama-server (LLAMA_SERVER), each once per round, the order rotating per round.
SCENARIO="${SCENARIO:-run}"
MODE="${MODE:-interleaved}"               # chat: interleaved | back-to-back
CHAT_CONVERSATIONS="${CHAT_CONVERSATIONS:-16}"
CHAT_TURNS="${CHAT_TURNS:-8}"
CHAT_CONCURRENCY="${CHAT_CONCURRENCY:-4}"
CHAT_WORDS="${CHAT_WORDS:-40}"
CHAT_GEN_TOKENS="${CHAT_GEN_TOKENS:-64}"
CHAT_ARGS="${CHAT_ARGS:-}"                # more `chat` options, e.g. --warmup-turns 0
CHAT_GATEWAY_RAW="${CHAT_GATEWAY_RAW:-1}" # chat: also a second gateway with Sanitization__Enabled=false
# SCENARIO=latency: only `Distributed.Bench latency`, the worker and the gateway's gRPC front door alternating, ROUNDS times.
case "$SCENARIO" in
  run) ;;
  chat | latency) GATEWAY="${GATEWAY:-1}" ;;
  *) printf '[bench] SCENARIO must be run, chat or latency, not %s\n' "$SCENARIO" >&2; exit 2 ;;
esac

# Optional head-to-head: a llama-server binary of the same llama.cpp release, started on the same model.
LLAMA_SERVER="${LLAMA_SERVER:-}"
LLAMA_PORT="${LLAMA_PORT:-8090}"
THREADS="${THREADS:-$(nproc)}"            # both servers: compute threads (the worker's default is the core count)
# Like the worker: 4 sequences x the model's 2048-token context, one KV stream per sequence (llama-server's default
# with -np; with no -np it shares one cache, slower on the CPU), flash attention on (the worker's CPU default).
LLAMA_ARGS="${LLAMA_ARGS:--t $THREADS -tb $THREADS -np 4 -c 8192 -fa on}"

# Optional: the same rounds through the gateway's gRPC front door (redis-server + the gateway, a service API key).
GATEWAY="${GATEWAY:-0}"
GATEWAY_DLL="${GATEWAY_DLL:-$REPO_ROOT/Gateway/Distributed.Gateway/bin/$CONFIGURATION/net10.0/Distributed.Gateway.dll}"
GATEWAY_HTTP_PORT="${GATEWAY_HTTP_PORT:-3103}"
GATEWAY_GRPC_PORT="${GATEWAY_GRPC_PORT:-3104}"
GATEWAY_REDIS_PORT="${GATEWAY_REDIS_PORT:-6399}"
GATEWAY_RAW_HTTP_PORT="${GATEWAY_RAW_HTTP_PORT:-$((GATEWAY_HTTP_PORT + 2))}"  # chat: the gateway without sanitization
GATEWAY_RAW_GRPC_PORT="${GATEWAY_RAW_GRPC_PORT:-$((GATEWAY_GRPC_PORT + 2))}"
SERVICE_KEY="bench-service-$RANDOM$RANDOM"
ADMIN_KEY="bench-admin-$RANDOM$RANDOM"

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

# start_gateway <name> <http port> <grpc port> [VAR=value ...]: a gateway in front of the worker (admin key $ADMIN_KEY).
start_gateway() {
  local name=$1 http=$2 grpc=$3; shift 3
  local logfile="$BENCH_DIR/$name-$STAMP.log"
  log "starting $name (HTTP $http, gRPC front door $grpc${*:+; $*}; log: $logfile)"
  (
    cd "$(dirname "$GATEWAY_DLL")"
    export REDIS_HOST=127.0.0.1 REDIS_PORT="$GATEWAY_REDIS_PORT" API_KEY="$ADMIN_KEY" \
      Auth__Keys__0__Key="$SERVICE_KEY" Auth__Keys__0__Principal=bench Auth__Keys__0__Role=service \
      Workers__Addresses__0="$WORKER_URL" Logging__LogLevel__Default=Warning \
      Kestrel__Endpoints__Http__Url="http://127.0.0.1:$http" Kestrel__Endpoints__Grpc__Url="http://127.0.0.1:$grpc"
    for setting in "$@"; do export "${setting?}"; done
    exec dotnet "$GATEWAY_DLL"
  ) >"$logfile" 2>&1 &
  PIDS+=($!)
  wait_ready "$name" "$!" "$logfile" curl -sf "http://127.0.0.1:$http/health/ready"
}

if [[ "$GATEWAY" == 1 ]]; then
  [[ -f "$GATEWAY_DLL" ]] || { log "missing $GATEWAY_DLL (build the gateway, or set GATEWAY_DLL)"; exit 1; }
  redis-server --port "$GATEWAY_REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no >"$BENCH_DIR/redis-$STAMP.log" 2>&1 &
  PIDS+=($!)
  wait_ready redis-server "$!" "$BENCH_DIR/redis-$STAMP.log" redis-cli -p "$GATEWAY_REDIS_PORT" ping
  start_gateway gateway "$GATEWAY_HTTP_PORT" "$GATEWAY_GRPC_PORT"
  if [[ "$SCENARIO" == chat && "$CHAT_GATEWAY_RAW" == 1 ]]; then
    start_gateway gateway-raw "$GATEWAY_RAW_HTTP_PORT" "$GATEWAY_RAW_GRPC_PORT" Sanitization__Enabled=false
  fi
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
if [[ "$SCENARIO" == chat ]]; then
  chat() { # chat <name> <out> <target options...>
    local name=$1 out=$2; shift 2
    log "round $round/$ROUNDS: chat, $name ($MODE)"
    dotnet "$BENCH_DLL" chat "$@" --conversations "$CHAT_CONVERSATIONS" --turns "$CHAT_TURNS" --concurrency "$CHAT_CONCURRENCY" \
      --words "$CHAT_WORDS" --gen-tokens "$CHAT_GEN_TOKENS" --mode "$MODE" --label "$name" $CHAT_ARGS --json "$out.json" | tee "$out.txt"
  }
  TARGETS=(worker)
  [[ "$GATEWAY" == 1 ]] && TARGETS+=(gateway)
  [[ "$GATEWAY" == 1 && "$CHAT_GATEWAY_RAW" == 1 ]] && TARGETS+=(gateway-raw)
  [[ -n "$LLAMA_SERVER" ]] && TARGETS+=(llama-server)
  declare -A CHAT_RESULTS=()
  for round in $(seq 1 "$ROUNDS"); do
    # The order rotates per round, so no target always runs first (or right after the same one).
    for i in $(seq 0 $((${#TARGETS[@]} - 1))); do
      target=${TARGETS[$(((i + round - 1) % ${#TARGETS[@]}))]}
      out="$RESULTS-chat-$MODE-round$round-$target"
      case "$target" in
        worker) chat "$target" "$out" --worker "$WORKER_URL" --model "$MODEL_NAME" ;;
        gateway) chat "$target" "$out" --gateway "http://127.0.0.1:$GATEWAY_HTTP_PORT" --api-key "$ADMIN_KEY" --model "$MODEL_NAME" ;;
        gateway-raw) chat "$target" "$out" --gateway "http://127.0.0.1:$GATEWAY_RAW_HTTP_PORT" --api-key "$ADMIN_KEY" --model "$MODEL_NAME" ;;
        llama-server) chat "$target" "$out" --llama-server "http://127.0.0.1:$LLAMA_PORT" ;;
      esac
      CHAT_RESULTS[$target]+="$out.json "
    done
  done

  chat_compare() { # chat_compare <baseline> <candidate>
    local out="$RESULTS-chat-$MODE-compare-$1-$2.txt"
    # shellcheck disable=SC2086 # the lists are space-separated paths without spaces
    { echo "== chat ($MODE): $1 -> $2"; dotnet "$BENCH_DLL" chat-compare --baseline ${CHAT_RESULTS[$1]} --candidate ${CHAT_RESULTS[$2]}; } | tee "$out"
  }
  BASE=worker
  [[ -n "$LLAMA_SERVER" ]] && BASE=llama-server
  for target in "${TARGETS[@]}"; do
    [[ "$target" != "$BASE" ]] && chat_compare "$BASE" "$target"
  done
  [[ "$BASE" != worker && "$GATEWAY" == 1 ]] && chat_compare worker gateway
  log "results: $RESULTS-chat-*.txt / .json; logs: $BENCH_DIR/*-$STAMP.log"
  exit 0
fi

latency_round() {
  log "round $round/$ROUNDS: per-call latency, worker then gateway front door"
  { echo "round $round worker:  $(dotnet "$BENCH_DLL" latency --worker "$WORKER_URL")"
    echo "round $round gateway: $(dotnet "$BENCH_DLL" latency --worker "http://127.0.0.1:$GATEWAY_GRPC_PORT" --api-key "$SERVICE_KEY")"
  } | tee -a "$RESULTS-latency.txt"
}
if [[ "$SCENARIO" == latency ]]; then
  for round in $(seq 1 "$ROUNDS"); do latency_round; done
  log "results: $RESULTS-latency.txt"
  exit 0
fi

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
    latency_round
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
