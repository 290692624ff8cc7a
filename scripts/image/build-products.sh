#!/usr/bin/env bash
# Builds every executable of the package in release mode and checks that each one starts.
# The Dockerfile's build stage runs this script, and so does CI outside Docker, so the image's
# build step is the one that is tested.
#
#   scripts/image/build-products.sh OUT_DIR
#
# OUT_DIR receives the stripped executables (gateway, router, batch-worker, inferctl: every
# executable target of Package.swift). Settings (environment):
#   SCRATCH_PATH       SwiftPM build directory (default .build-release)
#   SWIFT_BUILD_FLAGS  extra flags for `swift build` (default: none)
# The Swift runtime is linked statically (--static-swift-stdlib): the runtime image has no
# toolchain. One `swift build` builds every target: SwiftPM keeps only the last `--product` flag
# of a command line, so naming several products would build only one of them.
# Exit status: non-zero when the build fails, an executable is missing, or one does not start.
set -euo pipefail
cd "$(dirname "$0")/../.."

out="${1:?usage: build-products.sh OUT_DIR}"
scratch="${SCRATCH_PATH:-.build-release}"
read -r -a extra <<<"${SWIFT_BUILD_FLAGS:-}"
flags=(-c release --scratch-path "$scratch" --static-swift-stdlib "${extra[@]}")

# Every executable target is a product of the image.
products=()
while IFS= read -r name; do products+=("$name"); done < <(
    swift package --scratch-path "$scratch" dump-package | python3 -c '
import json, sys
for target in json.load(sys.stdin)["targets"]:
    if target["type"] == "executable":
        print(target["name"])
')
((${#products[@]} > 0)) || { echo "build-products: Package.swift declares no executable" >&2; exit 1; }

started=$(date +%s)
echo "build-products: swift build ${flags[*]} (${products[*]})"
swift build "${flags[@]}"
bin="$(swift build "${flags[@]}" --show-bin-path)"
echo "build-products: built in $(($(date +%s) - started)) s"

mkdir -p "$out"
status=0
for product in "${products[@]}"; do
    if [[ ! -x "$bin/$product" ]]; then
        echo "build-products: $product was not built ($bin/$product)" >&2
        status=1
        continue
    fi
    cp "$bin/$product" "$out/$product"
    if command -v strip >/dev/null; then strip "$out/$product"; fi
    # Starting with --help loads every shared library the executable links.
    if ! help="$("$out/$product" --help 2>&1)" || [[ -z "$help" ]]; then
        echo "build-products: $product --help failed:" >&2
        echo "$help" >&2
        status=1
        continue
    fi
    printf 'build-products: %-13s %6d KiB, --help ok\n' "$product" "$(($(stat -c %s "$out/$product") / 1024))"
done
exit "$status"
