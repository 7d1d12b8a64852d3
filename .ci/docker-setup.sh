#!/usr/bin/env bash
# Docker for the tests and for `make lab`: install Debian's docker.io if it is missing, start dockerd
# if no engine answers, build the local base image if it is not there. Idempotent: a second call
# does nothing and takes about a second.
#
# Never fails the build: where Docker cannot be had (not root, no privileges to start dockerd, no
# package mirror), it says why and exits 0, and the Docker tests skip with a visible reason.
#
# No image can be pulled here: the base image is made offline-from-registries with debootstrap
# (Debian's package mirror) and `docker import` (see ../shared/DESIGN.md, "This machine").
#
# With --if-running (what `make lab` does): nothing is installed or started; only where a Docker
# engine already answers is the base image built when missing (without Docker, steps run on the host).
#
# Environment:
#   ORCHEST_BASE_IMAGE   the image to build (default orchest-jlab/base-py:bookworm)
#   DOCKER_SETUP_LOG_DIR where dockerd's and the build's logs go (default /var/log/orchest-jlab)
#   DEBIAN_MIRROR        debootstrap's mirror (default http://deb.debian.org/debian)
set -uo pipefail

IMAGE=${ORCHEST_BASE_IMAGE:-orchest-jlab/base-py:bookworm}
LOG_DIR=${DOCKER_SETUP_LOG_DIR:-/var/log/orchest-jlab}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
SUITE=bookworm

say() { echo "docker-setup: $*"; }
skip() { say "SKIPPED: $* (the Docker tests will be skipped, and steps run on the host)"; exit 0; }
now() { date +%s.%N; }
took() { printf "%.1f s" "$(echo "$(now) - $1" | bc 2>/dev/null || echo 0)"; }
# bc may be missing on a minimal machine: fall back to python for the arithmetic.
if ! command -v bc >/dev/null 2>&1; then
  took() { python3 -c "import sys,time; print(f'{time.time() - float(sys.argv[1]):.1f} s')" "$1"; }
fi

engine_up() { timeout 20 docker info >/dev/null 2>&1; }

install_packages() {
  local missing=()
  command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
  command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" -eq 0 ] || { say "not root: cannot install ${missing[*]}"; return 1; }
  command -v apt-get >/dev/null 2>&1 || { say "no apt-get: cannot install ${missing[*]}"; return 1; }
  local start; start=$(now)
  export DEBIAN_FRONTEND=noninteractive
  if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >"$LOG_DIR/apt.log" 2>&1; }; then
    say "apt-get install ${missing[*]} failed; see $LOG_DIR/apt.log"
    return 1
  fi
  say "installed ${missing[*]} in $(took "$start")"
}

start_engine() {
  engine_up && { say "a Docker engine is running"; return 0; }
  command -v dockerd >/dev/null 2>&1 || { say "dockerd is not installed"; return 1; }
  [ "$(id -u)" -eq 0 ] || { say "not root: cannot start dockerd"; return 1; }
  local start; start=$(now)
  # A pid file left by a dockerd that was killed would stop the new one.
  if [ -f /var/run/docker.pid ] && ! kill -0 "$(cat /var/run/docker.pid)" 2>/dev/null; then
    rm -f /var/run/docker.pid
  fi
  setsid nohup dockerd >>"$LOG_DIR/dockerd.log" 2>&1 </dev/null &
  local pid=$!
  for _ in $(seq 1 120); do
    engine_up && { say "started dockerd (pid $pid, log $LOG_DIR/dockerd.log) in $(took "$start")"; return 0; }
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  say "dockerd did not come up; the end of $LOG_DIR/dockerd.log:"
  tail -n 15 "$LOG_DIR/dockerd.log" | sed 's/^/    /'
  kill "$pid" 2>/dev/null
  return 1
}

ROOTFS=""
cleanup() {
  if [ -n "$ROOTFS" ] && [ -d "$ROOTFS" ]; then
    umount "$ROOTFS/proc" 2>/dev/null
    rm -rf --one-file-system "$ROOTFS"
  fi
}
trap cleanup EXIT

build_base_image() {
  if docker image inspect "$IMAGE" >/dev/null 2>&1; then
    say "base image $IMAGE is there"
    return 0
  fi
  command -v debootstrap >/dev/null 2>&1 || { say "debootstrap is not installed"; return 1; }
  local start; start=$(now)
  ROOTFS=$(mktemp -d /var/tmp/orchest-base.XXXXXX)
  local log="$LOG_DIR/base-image.log"
  : >"$log"
  # python3-ipykernel fails inside debootstrap's --include, so it comes after, in a chroot.
  if ! debootstrap --variant=minbase --include=python3,python3-venv,python3-pip "$SUITE" "$ROOTFS" "$MIRROR" >>"$log" 2>&1; then
    say "debootstrap failed; see $log"; return 1
  fi
  say "debootstrap $SUITE in $(took "$start")"
  cp /etc/resolv.conf "$ROOTFS/etc/resolv.conf" 2>/dev/null
  mount -t proc proc "$ROOTFS/proc" || { say "cannot mount proc in the chroot"; return 1; }
  if ! chroot "$ROOTFS" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends python3-ipykernel >>"$log" 2>&1; then
    say "installing python3-ipykernel in the chroot failed; see $log"; return 1
  fi
  chroot "$ROOTFS" apt-get clean >>"$log" 2>&1
  umount "$ROOTFS/proc"
  rm -rf "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/var/cache/apt/*.bin "$ROOTFS/etc/resolv.conf"
  # Like Orchest's base images, `pip install` in a setup script installs into the image's Python.
  rm -f "$ROOTFS"/usr/lib/python3*/EXTERNALLY-MANAGED
  if ! tar -C "$ROOTFS" -c . | docker import \
      --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      --change 'ENV LANG=C.UTF-8' \
      --change 'CMD ["/bin/bash"]' \
      --message "orchest-jlab base image: debootstrap $SUITE minbase + python3 ipykernel" \
      - "$IMAGE" >>"$log" 2>&1; then
    say "docker import failed; see $log"; return 1
  fi
  say "built base image $IMAGE in $(took "$start") ($(docker image inspect -f '{{.Size}}' "$IMAGE" | awk '{printf "%d MB", $1/1e6}'))"
}

mkdir -p "$LOG_DIR" 2>/dev/null || LOG_DIR=$(mktemp -d)
total=$(now)
if [ "${1:-}" = "--if-running" ]; then
  engine_up || { say "no Docker engine answers: steps run on the host (local backend)"; exit 0; }
  docker image inspect "$IMAGE" >/dev/null 2>&1 && { say "base image $IMAGE is there"; exit 0; }
  install_packages || { say "SKIPPED: cannot build the base image $IMAGE; environments based on it will not build"; exit 0; }
else
  install_packages || skip "Docker is not installed"
  start_engine || skip "no Docker engine could be started"
fi
build_base_image || skip "the base image $IMAGE could not be built"
say "ready in $(took "$total")"
