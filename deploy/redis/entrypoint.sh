#!/bin/sh
# Starts redis-server with redis.conf (next to this script) and ACL users generated from the environment,
# because redis.conf cannot read environment variables.
#
#   REDIS_PASSWORD        required: password of the application user
#   REDIS_USER            application user name (default: app; "default" makes the default user the app user)
#   REDIS_ADMIN_PASSWORD  optional: enables user "admin" with every command (CONFIG, INFO, BGREWRITEAOF, ...)
#   REDIS_MAXMEMORY       optional: maxmemory (e.g. 512mb); with noeviction, writes fail when it is reached
#   REDIS_CONF            config file (default: redis.conf beside this script)
#   REDIS_ACL_FILE        where the generated ACL file goes (default: /tmp/redis-users.acl)
#   REDIS_SERVER          the redis-server binary (default: redis-server from PATH)
# Extra arguments are passed to redis-server (e.g. --port 6380 --dir /tmp/x).
#
# Passwords are written as SHA-256 hashes, never in clear text, and never appear on a command line.
set -eu

: "${REDIS_PASSWORD:?REDIS_PASSWORD must be set (password of the application user)}"
user="${REDIS_USER:-app}"
here="$(cd "$(dirname "$0")" && pwd)"
conf="${REDIS_CONF:-$here/redis.conf}"
acl="${REDIS_ACL_FILE:-/tmp/redis-users.acl}"

case "$user" in
  '' | *[!A-Za-z0-9_.-]*) echo "REDIS_USER must be letters, digits, '_', '.' or '-'" >&2; exit 2 ;;
esac
if [ "$user" = admin ]; then
  echo "REDIS_USER must not be 'admin' (reserved for REDIS_ADMIN_PASSWORD)" >&2; exit 2
fi

sha256() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }

# The application user: every key, no Pub/Sub channels, every command except the dangerous ones
# (@dangerous covers FLUSHALL, FLUSHDB, KEYS, CONFIG, DEBUG, SHUTDOWN, MONITOR, ACL, INFO, SAVE, REPLICAOF, ...;
# they are named again below to make the intent explicit). Lua (EVAL/EVALSHA, @scripting) stays allowed, and a
# script runs with these same permissions; flushing the script cache and Redis functions are denied.
app_rules="on #$(sha256 "$REDIS_PASSWORD") ~* resetchannels +@all -@dangerous"
app_rules="$app_rules -flushall -flushdb -keys -config -debug -shutdown -script|flush -function"

umask 077
{
  if [ "$user" = default ]; then
    echo "user default reset $app_rules"
  else
    # Disabled, and without the "nopass" flag, so nobody can use it.
    echo "user default reset off resetpass -@all"
    echo "user $user reset $app_rules"
  fi
  if [ -n "${REDIS_ADMIN_PASSWORD:-}" ]; then
    echo "user admin reset on #$(sha256 "$REDIS_ADMIN_PASSWORD") ~* &* +@all"
  fi
} > "$acl"

set -- "$conf" --aclfile "$acl" "$@"
if [ -n "${REDIS_MAXMEMORY:-}" ]; then
  set -- "$@" --maxmemory "$REDIS_MAXMEMORY"
fi
exec "${REDIS_SERVER:-redis-server}" "$@"
