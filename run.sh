#!/usr/bin/env bash
# Builds the images and starts the production stack (docker-compose.prod.yml) in the background:
#   docker compose -f docker-compose.prod.yml [-f docker-compose.gpu.yml] --env-file .env up -d --build
# Needs a running Docker engine and .env (cp .env.example .env, then change the secrets).
# Environment: GPU=auto|1|0 (auto: the CUDA worker when nvidia-smi sees a GPU), WORKERS=N (worker replicas, default 1),
# ENV_FILE (default .env). Extra arguments go to `up` (e.g. ./run.sh --force-recreate).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

env_file="${ENV_FILE:-.env}"
workers="${WORKERS:-1}"
gpu="${GPU:-auto}"

# `docker compose` (v2 plugin) or the older standalone `docker-compose`.
if docker compose version >/dev/null 2>&1; then
  compose=(docker compose)
elif command -v docker-compose >/dev/null 2>&1; then
  compose=(docker-compose)
else
  echo "run.sh: neither 'docker compose' nor 'docker-compose' is installed." >&2
  echo "Install Docker Engine with the compose plugin (or Debian: apt-get install -y docker.io docker-compose)." >&2
  exit 1
fi
if ! docker info >/dev/null 2>&1; then
  echo "run.sh: no Docker engine answers (is the docker service running, and may this user use it?)." >&2
  echo "Without Docker, ./run-dev.sh runs the system as local processes." >&2
  exit 1
fi

if [[ ! -f "$env_file" ]]; then
  echo "run.sh: $env_file not found. Create it:  cp .env.example $env_file  and change the secrets in it." >&2
  exit 1
fi
if grep -Eq '^[A-Z_]+=.*change-me' "$env_file"; then
  echo "run.sh: $env_file still has 'change-me' values; set real secrets first:" >&2
  grep -E '^[A-Z_]+=.*change-me' "$env_file" | cut -d= -f1 | sed 's/^/  /' >&2
  exit 1
fi
if ! [[ "$workers" =~ ^[1-9][0-9]*$ ]]; then
  echo "run.sh: WORKERS must be a positive number, got '$workers'." >&2
  exit 1
fi

files=(-f docker-compose.prod.yml)
use_gpu=0
case "$gpu" in
  1) use_gpu=1 ;;
  auto) if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then use_gpu=1; fi ;;
esac
if [[ "$use_gpu" == 1 ]]; then
  echo "run.sh: NVIDIA GPU workers (docker-compose.gpu.yml); GPU=0 for CPU workers."
  files+=(-f docker-compose.gpu.yml)
fi

models_dir="$(sed -n 's/^MODELS_DIR=//p' "$env_file" | tail -n 1)"
models_dir="${models_dir:-./models}"
if ! compgen -G "$models_dir/*.gguf" >/dev/null; then
  echo "run.sh: warning: no .gguf file in $models_dir (MODELS_DIR); the workers will have no model to load." >&2
fi

"${compose[@]}" "${files[@]}" --env-file "$env_file" up -d --build --scale "inference-worker=$workers" "$@"

port="$(sed -n 's/^GATEWAY_PORT=//p' "$env_file" | tail -n 1)"
echo
echo "Started. Gateway: http://localhost:${port:-3003}  (health: /health/ready; the first start loads the model)"
echo "Status:  ${compose[*]} ${files[*]} --env-file $env_file ps"
echo "Logs:    ${compose[*]} ${files[*]} --env-file $env_file logs -f gateway inference-worker"
echo "Stop:    ${compose[*]} ${files[*]} --env-file $env_file down"
