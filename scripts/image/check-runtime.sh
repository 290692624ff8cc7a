#!/usr/bin/env bash
# Proves the image's runtime stage without a container engine: a Debian root file system made
# with debootstrap from the Dockerfile's runtime base (bookworm, minbase: what the -slim image is
# made of) plus exactly the packages its runtime stage installs; the built executables copied
# in; each one started in it with chroot as the image's user (every shared library resolves,
# `--help` answers), and the router serving /v2/health/live (and /v2/health/ready when a Triton
# is given) on loopback. A library missing from the Dockerfile fails here, not at a user's.
#
#   scripts/image/check-runtime.sh BIN_DIR      (BIN_DIR: output of build-products.sh)
#
# Settings (environment):
#   ROOTFS_CACHE   where root file systems are kept between runs, one per suite and package
#                  list (default .build-image; git-ignored)
#   DEBIAN_MIRROR  default http://deb.debian.org/debian
#   TRITON_URL     a Triton HTTP endpoint on this machine for the router's readiness check
#                  (default: TRITON_A_URL of .stack/env when the local stack is up)
# Needs root (debootstrap, chroot, mounting /proc into the root file system, as every container
# runtime does: Swift reads a program's arguments from /proc/self/cmdline, so without it
# `--help` would start the service instead). In a Docker container that means --privileged.
# Exit status: non-zero on the first failed check.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$PWD"

bin_dir="${1:?usage: check-runtime.sh BIN_DIR}"
bin_dir="$(cd "$bin_dir" && pwd)"
cache="${ROOTFS_CACHE:-$ROOT/.build-image}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
log() { printf 'check-runtime: %s\n' "$*"; }
die() { printf 'check-runtime: %s\n' "$*" >&2; exit 1; }
[[ $EUID -eq 0 ]] || die "needs root (debootstrap and chroot)"

{ read -r suite; read -r packages; } < <(python3 scripts/image/runtime_packages.py Dockerfile)
[[ -n "$suite" && -n "$packages" ]] || die "cannot read the runtime stage of the Dockerfile"
key="$(printf '%s %s\n' "$suite" "$packages" | sha256sum | cut -c1-16)"
rootfs="$cache/rootfs-$suite-$key"
log "runtime stage: debian:$suite-slim + $packages"

# ---------------------------------------------------------------- root file system (cached)
started=$(date +%s)
if [[ ! -f "$rootfs/.complete" ]]; then
    if ! command -v debootstrap >/dev/null; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends debootstrap >/dev/null \
            || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends debootstrap >/dev/null; }
    fi
    rm -rf "$rootfs" "$rootfs.tmp"
    mkdir -p "$cache"
    log "debootstrap $suite (minbase) into ${rootfs#"$ROOT"/}"
    if ! debootstrap --variant=minbase --include="${packages// /,}" "$suite" "$rootfs.tmp" "$mirror" \
        >"$cache/debootstrap.log" 2>&1; then
        tail -20 "$cache/debootstrap.log" >&2
        die "debootstrap failed (log: ${cache#"$ROOT"/}/debootstrap.log)"
    fi
    # The image's user, as the Dockerfile creates it.
    chroot "$rootfs.tmp" groupadd --system --gid 10001 app
    chroot "$rootfs.tmp" useradd --system --uid 10001 --gid app --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin app 2>>"$cache/debootstrap.log"
    touch "$rootfs.tmp/.complete"
    mv "$rootfs.tmp" "$rootfs"
    log "root file system made in $(($(date +%s) - started)) s"
else
    log "root file system cached (${rootfs#"$ROOT"/})"
fi
for package in $packages; do
    chroot "$rootfs" dpkg-query -W -f='${Status}\n' "$package" 2>/dev/null | grep -q '^install ok installed$' \
        || die "package $package is not installed in the root file system"
done

# ---------------------------------------------------------------- the executables in it
checks_started=$(date +%s)
proc_mounted=0
router_pid=""
cleanup() {
    if [[ -n "$router_pid" ]]; then
        kill "$router_pid" 2>/dev/null || true
        wait "$router_pid" 2>/dev/null || true
    fi
    if ((proc_mounted == 1)); then umount "$rootfs/proc" || true; fi
}
trap cleanup EXIT
if ! mountpoint -q "$rootfs/proc"; then
    mount -t proc proc "$rootfs/proc" \
        || die "cannot mount /proc in the root file system (needs CAP_SYS_ADMIN; in Docker: --privileged)"
    proc_mounted=1
fi
mkdir -p "$rootfs/app/config" "$rootfs/app/docs" "$rootfs/usr/local/bin"
cp "$ROOT"/config/*.yaml "$rootfs/app/config/"
cp "$ROOT/docs/openapi.yaml" "$rootfs/app/docs/openapi.yaml"
install -m 0755 deploy/docker/healthcheck.sh "$rootfs/usr/local/bin/healthcheck"
executables=()
for exe in "$bin_dir"/*; do
    [[ -f "$exe" && -x "$exe" ]] || continue
    install -m 0755 "$exe" "$rootfs/usr/local/bin/"
    executables+=("$(basename "$exe")")
done
((${#executables[@]} > 0)) || die "no executables in $bin_dir"
as_app=("$(command -v chroot)" --userspec=10001:10001 "$rootfs")
for exe in "${executables[@]}"; do
    missing="$(chroot "$rootfs" ldd "/usr/local/bin/$exe" | grep 'not found' || true)"
    [[ -z "$missing" ]] || die "$exe: shared libraries missing from the runtime stage: $missing"
    help="$(cd / && env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/app \
        timeout 30 "${as_app[@]}" "/usr/local/bin/$exe" --help 2>&1)" \
        || die "$exe --help failed in the runtime root file system: $(tail -5 <<<"$help")"
    grep -q '^USAGE:' <<<"$help" || die "$exe --help printed no usage: $(tail -5 <<<"$help")"
    log "$exe: every library resolves, --help answers"
done

# The router serves health on loopback, as the image's user, with the image's config.
if [[ " ${executables[*]} " == *" router "* ]]; then
    if [[ -z "${TRITON_URL:-}" && -f .stack/env ]]; then
        TRITON_URL="$(set +u; . .stack/env >/dev/null 2>&1; echo "${TRITON_A_URL:-}")"
    fi
    port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    # With no Triton given, a backend nobody listens on: the router is live, not ready.
    backend="${TRITON_URL:-http://127.0.0.1:9}"
    token="$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/app LOG_FORMAT=json \
        ROUTER_LISTEN_HOST=127.0.0.1 ROUTER_LISTEN_PORT="$port" ROUTER_BACKENDS="triton=$backend" \
        ROUTER_ROUTES_FILE=/app/config/routes.yaml ROUTER_ADMIN_TOKEN="$token" \
        "${as_app[@]}" /usr/local/bin/router --config /app/config/router.yaml \
        >"$cache/router.log" 2>&1 &
    router_pid=$!
    live=0
    for _ in $(seq 1 150); do
        if curl -fs -o /dev/null --max-time 1 "http://127.0.0.1:$port/v2/health/live"; then live=1; break; fi
        kill -0 "$router_pid" 2>/dev/null || break
        sleep 0.2
    done
    if ((live == 0)); then
        tail -20 "$cache/router.log" >&2
        die "the router did not serve /v2/health/live in the runtime root file system"
    fi
    log "router: /v2/health/live answers on 127.0.0.1:$port"
    if [[ -n "${TRITON_URL:-}" ]]; then
        ready=0
        for _ in $(seq 1 150); do
            if curl -fs -o /dev/null --max-time 1 "http://127.0.0.1:$port/v2/health/ready"; then ready=1; break; fi
            sleep 0.2
        done
        ((ready == 1)) || { tail -20 "$cache/router.log" >&2; die "the router never became ready against $TRITON_URL"; }
        log "router: /v2/health/ready answers against the Triton at $TRITON_URL (libcurl works)"
    else
        log "router: no Triton given (TRITON_URL), readiness not checked"
    fi
fi
cleanup
trap - EXIT
log "checks took $(($(date +%s) - checks_started)) s; total $(($(date +%s) - started)) s"
