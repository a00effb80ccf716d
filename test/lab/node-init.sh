#!/bin/bash
# PID 1 of a lab node, inside its own network, mount, UTS and PID namespaces:
#   node-init.sh NAME STATE_DIR EXTRA_SBIN SHARED_DIR
# Gives the node private /etc/corosync, /var/lib/{corosync,pacemaker}, logs, /run, /dev/shm,
# /etc/hosts and hostname (bind mounts in its own mount namespace: the host's table is untouched),
# starts corosync then pacemakerd, and on SIGTERM stops them in that order (a graceful node stop).
# SIGKILL to this process kills the whole node at once: that is a crash.
set -u
name=$1 d=$2 sbin=$3 shared=$4
hostname "$name"
mount --make-rprivate /
for pair in etc-corosync:/etc/corosync lib-corosync:/var/lib/corosync log-corosync:/var/log/corosync \
            lib-pacemaker:/var/lib/pacemaker log-pacemaker:/var/log/pacemaker \
            run:/run hosts:/etc/hosts hostname:/etc/hostname; do
  mount --bind "$d/${pair%%:*}" "${pair#*:}"
done
mount -t tmpfs -o mode=1777,size=256m tshalab-shm /dev/shm
# Lab-only programs (the fence agent) appear in /usr/sbin of this node alone.
mount -t overlay -o "lowerdir=$sbin:/usr/sbin" tshalab-sbin /usr/sbin
# /srv/shared: the "SAN volume" every node sees; /srv/node: this node's own files. A tmpfs on /srv
# holds the mount points, so nothing is created on the host's file systems.
mount -t tmpfs -o mode=0755,size=1m tshalab-srv /srv
mkdir -p /srv/shared /srv/node
mount --bind "$shared" /srv/shared
mount --bind "$d/srv-node" /srv/node
# Per-node folders a set-up asks for ("SOURCE TARGET" per line in $d/binds), e.g. /etc/rabbitmq for an
# agent that only knows the standard paths.
if [ -f "$d/binds" ]; then
  while read -r src dst; do [ -n "$src" ] && mount --bind "$src" "$dst"; done <"$d/binds"
fi
export PCMK_logfile=/var/log/pacemaker/pacemaker.log PCMK_logfacility=none HA_LOGFACILITY=none
corosync -f >/var/log/corosync/corosync.stdout 2>&1 &
corosync_pid=$!
for _ in $(seq 1 100); do corosync-cfgtool -s >/dev/null 2>&1 && break; sleep 0.1; done
pacemakerd >/var/log/pacemaker/pacemakerd.stdout 2>&1 &
pacemakerd_pid=$!
stop() {
  kill -TERM "$pacemakerd_pid" 2>/dev/null
  for _ in $(seq 1 600); do kill -0 "$pacemakerd_pid" 2>/dev/null || break; sleep 0.1; done
  kill -TERM "$corosync_pid" 2>/dev/null
  for _ in $(seq 1 100); do kill -0 "$corosync_pid" 2>/dev/null || break; sleep 0.1; done
  exit 0
}
# PID 1 ignores signals it has no handler for.
trap stop TERM
echo ready >"$d/run/node-ready"
# As PID 1, bash also reaps the node's orphans.
while :; do sleep 3600 & wait $!; done
