#!/usr/bin/env bash
# Shows the installed ocf:tsha:mysql managing a private MariaDB the way Pacemaker would drive it:
# validate, start, monitor at both depths, a hung server caught, a crash reported, stop.
# Everything lives in a temporary directory that is removed at the end.
set -euo pipefail
agent=${OCF_ROOT:-/usr/lib/ocf}/resource.d/tsha/mysql
dir=$(mktemp -d /tmp/tsha-demo-XXXXXX)
chmod 755 "$dir"
cleanup() {
  [ -s "$dir/run/mysqld.pid" ] && kill -CONT "$(cat "$dir/run/mysqld.pid")" 2>/dev/null || true
  OCF_RESKEY_CRM_meta_timeout=30000 "$agent" stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT
mkdir -p "$dir/run"
chown mysql:mysql "$dir/run"
printf '[mysqld]\nskip-networking\ninnodb_buffer_pool_size=16M\nperformance_schema=OFF\n' >"$dir/my.cnf"

export OCF_ROOT=${OCF_ROOT:-/usr/lib/ocf} OCF_RESOURCE_INSTANCE=demo_db OCF_RA_VERSION_MAJOR=1 OCF_RA_VERSION_MINOR=1
export OCF_RESKEY_binary=/usr/sbin/mariadbd OCF_RESKEY_config=$dir/my.cnf OCF_RESKEY_datadir=$dir/data \
  OCF_RESKEY_pid=$dir/run/mysqld.pid OCF_RESKEY_socket=$dir/run/mysqld.sock OCF_RESKEY_log=$dir/error.log \
  OCF_RESKEY_enable_creation=true OCF_RESKEY_CRM_meta_timeout=120000

# script(1) gives the agent a terminal, so it ends each action with its one-line verdict.
step() {
  printf '\n$ %s\n' "$*"
  script -qec "$*" /dev/null | tr -d '\r' || true
}

echo "ocf:tsha:mysql demo in $dir (agent: $agent)"
step "$agent validate-all"
step "$agent start"
step "OCF_RESKEY_CRM_meta_interval=20000 $agent monitor"
step "OCF_RESKEY_CRM_meta_interval=20000 OCF_CHECK_LEVEL=10 $agent monitor"
pid=$(cat "$dir/run/mysqld.pid")
printf '\n# freeze mysqld (kill -STOP %s): a hung server must fail the monitor, not hang it\n' "$pid"
kill -STOP "$pid"
step "OCF_RESKEY_CRM_meta_interval=20000 OCF_RESKEY_CRM_meta_timeout=20000 $agent monitor"
kill -CONT "$pid"
printf '\n# crash mysqld (kill -9 %s)\n' "$pid"
kill -9 "$pid"
sleep 0.3
step "OCF_RESKEY_CRM_meta_interval=0 $agent monitor"
step "OCF_RESKEY_CRM_meta_interval=20000 $agent monitor"
step "$agent stop"
step "$agent start"
step "$agent stop"
step "OCF_RESKEY_max_slave_lag=abc $agent validate-all"
