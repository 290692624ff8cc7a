#!/usr/bin/env bash
# `make proto`: regenerates the Swift code of Protos/ into Sources/KServeGRPC/Generated/ with
# Debian's protoc and the swift-protobuf and grpc-swift-protobuf plugins. The plugins are built once
# into .build-protoc (about ten minutes on two cores) unless PROTOC_GEN_SWIFT and
# PROTOC_GEN_GRPC_SWIFT name built ones. The output is committed: builds and CI never run this.
set -euo pipefail
cd "$(dirname "$0")/../.."

GRPC_SWIFT_PROTOBUF_VERSION=2.4.1
out=Sources/KServeGRPC/Generated
plugins=.build-protoc

command -v protoc >/dev/null || apt-get install -y --no-install-recommends protobuf-compiler
if [ -z "${PROTOC_GEN_SWIFT:-}" ] || [ -z "${PROTOC_GEN_GRPC_SWIFT:-}" ]; then
  if [ ! -d "$plugins/grpc-swift-protobuf" ]; then
    git clone -q --branch "$GRPC_SWIFT_PROTOBUF_VERSION" https://github.com/grpc/grpc-swift-protobuf \
      "$plugins/grpc-swift-protobuf"
  fi
  swift build --package-path "$plugins/grpc-swift-protobuf" --product protoc-gen-grpc-swift-2
  swift build --package-path "$plugins/grpc-swift-protobuf" --product protoc-gen-swift
  bin=$(swift build --package-path "$plugins/grpc-swift-protobuf" --show-bin-path)
  PROTOC_GEN_SWIFT="$bin/protoc-gen-swift"
  PROTOC_GEN_GRPC_SWIFT="$bin/protoc-gen-grpc-swift-2"
fi

protos=(inference/grpc_service.proto inference/model_config.proto grpc/health/v1/health.proto)
rm -rf "$out"
mkdir -p "$out"
protoc -I Protos \
  --plugin=protoc-gen-swift="$PROTOC_GEN_SWIFT" \
  --swift_out="$out" --swift_opt=Visibility=Public --swift_opt=FileNaming=PathToUnderscores \
  "${protos[@]}"
protoc -I Protos \
  --plugin=protoc-gen-grpc-swift="$PROTOC_GEN_GRPC_SWIFT" \
  --grpc-swift_out="$out" --grpc-swift_opt=Visibility=Public,Client=true,Server=true \
  --grpc-swift_opt=FileNaming=PathToUnderscores \
  inference/grpc_service.proto grpc/health/v1/health.proto
ls "$out"
