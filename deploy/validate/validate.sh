#!/usr/bin/env bash
# Offline checks of everything under deploy/ plus the compose files and run scripts. No Docker engine and no
# Kubernetes cluster are needed (none is available in CI, so the images themselves are not built here).
#   1. shell scripts parse (bash -n; sh -n for the POSIX Redis entrypoint; shellcheck too when installed)
#   2. compose files resolve with a real compose parser (docker-compose config -q): dev, prod and prod+gpu with
#      .env.example; prod without secrets must be refused; the resolved models are checked by compose.mjs
#   3. Dockerfiles: COPY sources exist and are not .dockerignore'd, the restore layer covers every project (dockerfiles.mjs)
#   4. Kubernetes manifests: every kustomization (base, gpu, keda, prometheus-adapter, monitoring, gpu-keda) rendered
#      and checked against the Kubernetes API and KEDA / Prometheus Operator CRD schemas, unknown fields and
#      cross-references, plus the Prometheus Adapter rules (k8s.mjs, npm packages pinned by package-lock.json here)
#   5. Grafana dashboard: parses, data source variable, a PromQL expr in every panel (grafana.mjs)
#   6. Redis: redis.conf + entrypoint.sh on a real redis-server (deploy/redis/check-redis-conf.sh)
# Needs: bash, node + npm, docker-compose (Debian: apt-get install -y docker-compose), redis-server (apt-get install
# -y redis-server). Exits non-zero when any check fails.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root" || exit 1

passed=0
failed=0
failed_names=()
step() { # name command...
  local name="$1"; shift
  echo "== $name"
  if "$@"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    failed_names+=("$name")
    echo "!! $name failed" >&2
  fi
}

# --- 1. shell scripts ---------------------------------------------------------------------------------------------
shell_syntax() {
  local ok=0 f
  local bash_scripts=(run.sh deploy/redis/check-redis-conf.sh deploy/validate/validate.sh)
  [[ -f run-dev.sh ]] && bash_scripts+=(run-dev.sh)
  for f in "${bash_scripts[@]}"; do
    if bash -n "$f"; then echo "  ok   bash -n $f"; else ok=1; fi
  done
  # The Redis entrypoint runs under busybox sh (alpine): check it with a POSIX shell (dash on Debian).
  if sh -n deploy/redis/entrypoint.sh; then echo "  ok   sh -n deploy/redis/entrypoint.sh"; else ok=1; fi
  if command -v shellcheck >/dev/null 2>&1; then
    if shellcheck -S warning "${bash_scripts[@]}" && shellcheck -S warning -s sh deploy/redis/entrypoint.sh; then
      echo "  ok   shellcheck"
    else
      ok=1
    fi
  else
    echo "  skip shellcheck (not installed)"
  fi
  return $ok
}
step "shell scripts" shell_syntax

# --- 2. compose ---------------------------------------------------------------------------------------------------
compose=()
if command -v docker-compose >/dev/null 2>&1; then
  compose=(docker-compose)
elif docker compose version >/dev/null 2>&1; then
  compose=(docker compose)
fi

ensure_node_modules() {
  # npm ci only when node_modules is missing or older than the lock file.
  if [[ ! -f "$here/node_modules/.package-lock.json" || "$here/package-lock.json" -nt "$here/node_modules/.package-lock.json" ]]; then
    (cd "$here" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) || return 1
  fi
}

compose_checks() {
  if [[ ${#compose[@]} -eq 0 ]]; then
    echo "  docker-compose is not installed (Debian/Ubuntu: apt-get install -y docker-compose)" >&2
    return 1
  fi
  ensure_node_modules || return 1
  local ok=0 out
  # name | mode for compose.mjs | compose arguments
  local -a cases=(
    "dev|dev|-f docker-compose.dev.yml"
    "dev with .env.example|dev|-f docker-compose.dev.yml --env-file .env.example"
    "prod|prod|-f docker-compose.prod.yml --env-file .env.example"
    "prod + gpu|gpu|-f docker-compose.prod.yml -f docker-compose.gpu.yml --env-file .env.example"
  )
  local c name mode args
  for c in "${cases[@]}"; do
    IFS='|' read -r name mode args <<<"$c"
    # shellcheck disable=SC2086 # args are split into words on purpose
    if out="$(env -u API_KEY -u JWT_CONSTANT -u REDIS_PASSWORD -u LLM_NAME "${compose[@]}" $args config 2>&1)" \
      && "${compose[@]}" $args config -q; then
      echo "  ok   ${compose[*]} $args config -q"
      node "$here/compose.mjs" "$mode" <<<"$out" || ok=1
    else
      echo "  FAIL $name: $out" >&2
      ok=1
    fi
  done
  # Secrets are required in prod: without an env file the configuration must be refused.
  if env -u API_KEY -u JWT_CONSTANT -u REDIS_PASSWORD -u LLM_NAME \
    "${compose[@]}" -f docker-compose.prod.yml --env-file /dev/null config -q >/dev/null 2>&1; then
    echo "  FAIL prod accepted an empty env file (secrets must be required)" >&2
    ok=1
  else
    echo "  ok   prod refuses to start without API_KEY/JWT_CONSTANT/REDIS_PASSWORD/LLM_NAME"
  fi
  return $ok
}
step "compose files" compose_checks

# --- 3. Dockerfiles -----------------------------------------------------------------------------------------------
step "Dockerfiles" node "$here/dockerfiles.mjs"

# --- 4. Kubernetes ------------------------------------------------------------------------------------------------
k8s_checks() {
  ensure_node_modules || return 1
  node "$here/k8s.mjs"
}
step "Kubernetes manifests" k8s_checks

# --- 5. Grafana ---------------------------------------------------------------------------------------------------
grafana_checks() {
  ensure_node_modules || return 1
  node "$here/grafana.mjs"
}
step "Grafana dashboard" grafana_checks

# --- 6. Redis -----------------------------------------------------------------------------------------------------
step "redis.conf on redis-server" bash deploy/redis/check-redis-conf.sh

echo
if ((failed > 0)); then
  echo "deploy validation failed: ${failed_names[*]}" >&2
fi
echo "deploy validation: $passed passed, $failed failed"
((failed == 0))
