#!/usr/bin/env bash
# Checks deploy/redis/redis.conf and entrypoint.sh against a real redis-server (no Docker needed):
# starts it on a free loopback port in a temp dir, then checks that
#   - the app user can run every command the gateway uses (including MULTI/EXEC and Lua via EVAL/EVALSHA),
#   - dangerous commands (FLUSHALL, FLUSHDB, KEYS, CONFIG, DEBUG, SHUTDOWN, also from inside Lua) are refused,
#   - unauthenticated clients, the default user and a wrong password are refused,
#   - AOF (everysec) and noeviction are in force (read with the admin user).
# Needs redis-server and redis-cli (Debian: apt-get install -y redis-server). Exits non-zero on any failure.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
server="${REDIS_SERVER:-$(command -v redis-server || echo /usr/bin/redis-server)}"
cli="${REDIS_CLI:-$(command -v redis-cli || echo /usr/bin/redis-cli)}"
for bin in "$server" "$cli"; do
  if [[ ! -x "$bin" ]]; then
    echo "check-redis-conf: $bin not found (Debian/Ubuntu: apt-get install -y redis-server)" >&2
    exit 1
  fi
done

tmp="$(mktemp -d)"
pid=""
cleanup() {
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

app_user=app
# shellcheck disable=SC2016 # a literal $ on purpose: the password must survive hashing and redis-cli untouched
app_pass='app pass with spaces, "quotes" & $igns'
admin_pass='admin-secret'

# start_redis [port]: starts redis-server through entrypoint.sh on the port (else a random free one) in $tmp.
start_redis() {
  local wanted="${1:-}" candidate
  port=""
  for _ in 1 2 3 4 5 6 7 8; do
    candidate="${wanted:-$((20000 + RANDOM % 30000))}"
    if [[ -z "$wanted" ]] && "$cli" -h 127.0.0.1 -p "$candidate" ping >/dev/null 2>&1; then continue; fi
    REDIS_PASSWORD="$app_pass" REDIS_USER="$app_user" REDIS_ADMIN_PASSWORD="$admin_pass" \
      REDIS_MAXMEMORY=64mb REDIS_ACL_FILE="$tmp/users.acl" REDIS_SERVER="$server" \
      sh "$here/entrypoint.sh" --port "$candidate" --bind 127.0.0.1 --dir "$tmp" >>"$tmp/redis.log" 2>&1 &
    pid=$!
    for _ in $(seq 1 50); do
      if ! kill -0 "$pid" 2>/dev/null; then break; fi
      if "$cli" -h 127.0.0.1 -p "$candidate" ping 2>/dev/null | grep -q NOAUTH; then port="$candidate"; break; fi
      sleep 0.1
    done
    [[ -n "$port" ]] && return 0
    kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; pid=""
  done
  echo "check-redis-conf: redis-server did not start with redis.conf:" >&2
  cat "$tmp/redis.log" >&2
  exit 1
}
stop_redis() {
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  pid=""
}
start_redis

failures=0
pass() { echo "  ok   $*"; }
fail() { echo "  FAIL $*" >&2; failures=$((failures + 1)); }

# Runs one command as the given user; prints the reply. Password via REDISCLI_AUTH keeps it off the command line.
as_user() { # user password args...
  local u="$1" p="$2"; shift 2
  REDISCLI_AUTH="$p" "$cli" -h 127.0.0.1 -p "$port" --user "$u" "$@" 2>&1
}
app() { as_user "$app_user" "$app_pass" "$@"; }
admin() { as_user admin "$admin_pass" "$@"; }
is_error() { grep -qE '^(\(error\) )?(ERR|NOPERM|NOAUTH|WRONGPASS|WRONGTYPE|NOSCRIPT|EXECABORT|DENIED|READONLY|OOM)' <<<"$1"; }

expect_ok() { # description args...
  local what="$1"; shift
  local out; out="$(app "$@")" || true
  if is_error "$out"; then fail "$what: $out"; else pass "$what"; fi
}
expect_denied() { # description args...
  local what="$1"; shift
  local out; out="$(app "$@")" || true
  # NOPERM from the ACL; Lua reports "can't run this command"; DEBUG is also off by default (enable-debug-command).
  if grep -qE "NOPERM|can't run this command|command not allowed" <<<"$out"; then
    pass "$what refused"
  else
    fail "$what was not refused: $out"
  fi
}

echo "redis-server $("$server" --version | sed -n 's/.*v=\([^ ]*\).*/\1/p') on 127.0.0.1:$port ($tmp)"
echo "app user ($app_user): commands the gateway uses"
expect_ok PING PING
expect_ok SELECT SELECT 0
expect_ok SET SET t:k v
expect_ok GET GET t:k
expect_ok EXISTS EXISTS t:k
expect_ok EXPIRE EXPIRE t:k 60
expect_ok PEXPIRE PEXPIRE t:k 60000
expect_ok DEL DEL t:k
expect_ok INCR INCR t:n
expect_ok INCRBY INCRBY t:n 5
expect_ok HSET HSET t:h f v
expect_ok HGET HGET t:h f
expect_ok HGETALL HGETALL t:h
expect_ok RPUSH RPUSH t:l a b a
expect_ok LRANGE LRANGE t:l 0 -1
expect_ok LLEN LLEN t:l
expect_ok LREM LREM t:l 0 a
expect_ok ZADD ZADD t:z 1 m
expect_ok ZRANGE ZRANGE t:z 0 -1 WITHSCORES
expect_ok ZREM ZREM t:z m
expect_ok SADD SADD t:s m
expect_ok SMEMBERS SMEMBERS t:s
expect_ok SREM SREM t:s m
expect_ok SCAN SCAN 0 MATCH 't:*' COUNT 100
script="return redis.call('INCR', KEYS[1])"
sha="$(printf '%s' "$script" | sha1sum | cut -d' ' -f1)"
expect_ok EVAL EVAL "$script" 1 t:lua
expect_ok EVALSHA EVALSHA "$sha" 1 t:lua
expect_ok "SCRIPT LOAD" SCRIPT LOAD "$script"

# MULTI/EXEC and an explicit AUTH need one connection: feed the commands on stdin.
out="$(printf 'AUTH %s "%s"\nMULTI\nINCR t:tx\nINCR t:tx\nEXEC\n' "$app_user" "${app_pass//\"/\\\"}" \
  | "$cli" -h 127.0.0.1 -p "$port" 2>&1)" || true
if is_error "$out" || ! grep -qx 'OK' <<<"$out" || ! grep -qx 'QUEUED' <<<"$out"; then
  fail "AUTH + MULTI/EXEC: $out"
else
  pass "AUTH + MULTI/EXEC"
fi

echo "app user: dangerous commands"
expect_denied FLUSHALL FLUSHALL
expect_denied FLUSHDB FLUSHDB
expect_denied KEYS KEYS '*'
expect_denied "CONFIG GET" CONFIG GET maxmemory
expect_denied "CONFIG SET" CONFIG SET appendonly no
expect_denied DEBUG DEBUG SLEEP 0
expect_denied SHUTDOWN SHUTDOWN NOSAVE
expect_denied "ACL SETUSER" ACL SETUSER x on
expect_denied MONITOR MONITOR
expect_denied "SCRIPT FLUSH" SCRIPT FLUSH
expect_denied "FLUSHALL from Lua" EVAL "return redis.call('FLUSHALL')" 0
expect_denied "PUBLISH (no channels)" PUBLISH chan msg

echo "authentication"
out="$("$cli" -h 127.0.0.1 -p "$port" GET t:n 2>&1)" || true
if grep -q NOAUTH <<<"$out"; then pass "unauthenticated client refused"; else fail "unauthenticated GET: $out"; fi
out="$(as_user default "$app_pass" PING)" || true
if grep -qE 'WRONGPASS|NOAUTH|ERR' <<<"$out"; then pass "default user disabled"; else fail "default user: $out"; fi
out="$(as_user "$app_user" wrong-password PING)" || true
if grep -qE 'WRONGPASS|NOAUTH|ERR' <<<"$out"; then pass "wrong password refused"; else fail "wrong password: $out"; fi
if grep -q "$app_pass" "$tmp/users.acl" || grep -q "$admin_pass" "$tmp/users.acl"; then
  fail "the generated ACL file holds a clear-text password"
else
  pass "ACL file holds hashes only"
fi

echo "settings (admin user)"
check_setting() { # name expected
  local got; got="$(admin CONFIG GET "$1" | sed -n 2p)" || true
  if [[ "$got" == "$2" ]]; then pass "$1 = $2"; else fail "$1 is '$got', expected '$2'"; fi
}
check_setting appendonly yes
check_setting appendfsync everysec
check_setting maxmemory-policy noeviction
check_setting maxmemory 67108864
for cmd in "DEBUG SLEEP 0" "FLUSHALL" "CONFIG GET maxmemory" "KEYS t:x"; do
  # shellcheck disable=SC2086 # split the command into words on purpose
  out="$(admin ACL DRYRUN "$app_user" $cmd)" || true
  if grep -q "no permissions" <<<"$out"; then pass "ACL DRYRUN: $cmd denied to $app_user"; else fail "ACL DRYRUN $cmd: $out"; fi
done
out="$(admin ACL GETUSER default)" || true
if grep -qx nopass <<<"$out"; then fail "default user has nopass"; else pass "default user has no nopass flag"; fi
if ls "$tmp"/appendonlydir/*.aof >/dev/null 2>&1 || ls "$tmp"/*.aof >/dev/null 2>&1; then
  pass "AOF file written"
else
  fail "no AOF file in $tmp"
fi

echo "append-only file replay"
# A Lua script's writes reach the AOF inside MULTI/EXEC; they must come back after a restart.
app EVAL "redis.call('SET', KEYS[1], ARGV[1]) return 1" 1 t:aof kept-across-restart >/dev/null
app SET t:plain kept >/dev/null
printf 'MULTI\nSET t:multi kept\nEXEC\n' | app >/dev/null
stop_redis
start_redis "$port"
if [[ "$(app GET t:aof)" == kept-across-restart ]]; then pass "a script's write survives a restart"; else fail "script write lost after restart: $(app GET t:aof)"; fi
if [[ "$(app GET t:plain)" == kept ]]; then pass "a plain write survives a restart"; else fail "plain write lost after restart"; fi
if [[ "$(app GET t:multi)" == kept ]]; then pass "a MULTI/EXEC write survives a restart"; else fail "MULTI/EXEC write lost after restart"; fi

if ((failures > 0)); then
  echo "check-redis-conf: $failures check(s) failed" >&2
  exit 1
fi
echo "check-redis-conf: all checks passed"
