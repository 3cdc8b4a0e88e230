#!/bin/sh
# The image's entrypoint (under tini): caps V8's heap at half the container's memory limit, then
# runs the command (`node dist/main.js`).
#
# Why: V8 sizes its heap from the memory it can see and lets garbage pile up until it nears that
# size. Where it sees the host's memory and not the container's limit, the container can be killed
# for memory that was only garbage (working off a 100,000-text backlog: 261 MB resident uncapped,
# 177 MB capped at 256 MB). Half leaves the other half for what is not heap: code, buffers, sockets,
# the pg and WebSocket clients.
#
# Left alone: a NODE_OPTIONS that already sets --max-old-space-size (the operator's choice), and a
# limit that is unset ("max"), unreadable, not a number or under 128 MiB (then V8 sizes the heap).
# MEMORY_LIMIT_FILE (a path without spaces) names the file to read instead of the cgroup's (the
# tests use it).
set -eu

already_set() {
  case " ${NODE_OPTIONS:-} " in
    *--max-old-space-size=* | *--max_old_space_size=*) return 0 ;;
    *) return 1 ;;
  esac
}

# The first readable of MEMORY_LIMIT_FILE, or else cgroup v2's file and then v1's.
memory_limit_bytes() {
  for file in ${MEMORY_LIMIT_FILE:-/sys/fs/cgroup/memory.max /sys/fs/cgroup/memory/memory.limit_in_bytes}; do
    if [ -r "$file" ]; then
      read -r value < "$file" || true
      printf '%s' "${value:-}"
      return 0
    fi
  done
}

if ! already_set; then
  limit=$(memory_limit_bytes)
  case "$limit" in
    '' | *[!0-9]*) ;; # unset, "max" or garbage: V8's own sizing
    *)
      # cgroup v1 reports "no limit" as a huge number; below 1 TiB it is a real limit.
      if [ "${#limit}" -le 13 ] && [ "$limit" -lt 1099511627776 ]; then
        heap_mb=$((limit / 1048576 / 2))
        if [ "$heap_mb" -ge 64 ]; then
          export NODE_OPTIONS="${NODE_OPTIONS:+$NODE_OPTIONS }--max-old-space-size=$heap_mb"
        fi
      fi
      ;;
  esac
fi

exec "$@"
