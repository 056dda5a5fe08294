#!/bin/sh
# Regenerates Sources/HubbleAPI from proto/hubble (`make proto`). The generated code is committed: a normal build
# never runs protoc or a build plugin. Needs protoc with Google's well-known protos (Debian: protobuf-compiler
# libprotobuf-dev) and the two protoc plugins, built here from the very package versions Package.swift resolves
# (swift-protobuf's protoc-gen-swift, grpc-swift-protobuf's protoc-gen-grpc-swift-2), cloned and built in a folder outside
# the repository (PLUGIN_DIR, default /tmp/flowmap-protoc-plugins; a first build takes ~10 minutes on 2 cores).
set -eu
cd "$(dirname "$0")/.."
PLUGIN_DIR=${PLUGIN_DIR:-/tmp/flowmap-protoc-plugins}
WKT=${WKT:-/usr/include}
command -v protoc >/dev/null || { echo "protoc missing: apt-get install protobuf-compiler libprotobuf-dev" >&2; exit 2; }
[ -f "$WKT/google/protobuf/timestamp.proto" ] || { echo "$WKT/google/protobuf/*.proto missing: apt-get install libprotobuf-dev" >&2; exit 2; }
build_plugin() {  # package, version, product: cloned into PLUGIN_DIR, built there
  if [ ! -x "$PLUGIN_DIR/$3/.build/release/$3" ]; then
    rm -rf "$PLUGIN_DIR/$3"
    git clone -q --depth 1 -b "$2" "https://github.com/$1" "$PLUGIN_DIR/$3"
    swift build -c release --package-path "$PLUGIN_DIR/$3" --product "$3"
  fi
}
# The versions Package.swift names (grpc-swift-protobuf is not a package dependency: see Package.swift).
build_plugin apple/swift-protobuf 1.39.0 protoc-gen-swift
build_plugin grpc/grpc-swift-protobuf 2.4.1 protoc-gen-grpc-swift-2
OUT=Sources/HubbleAPI
rm -f "$OUT"/*.pb.swift "$OUT"/*.grpc.swift
PROTOS="flow/flow.proto relay/relay.proto observer/observer.proto peer/peer.proto"
(cd proto/hubble && protoc -I . -I "$WKT" \
  --plugin=protoc-gen-swift="$PLUGIN_DIR/protoc-gen-swift/.build/release/protoc-gen-swift" \
  --swift_out=../../$OUT --swift_opt=Visibility=Public,FileNaming=PathToUnderscores \
  --plugin=protoc-gen-grpc-swift-2="$PLUGIN_DIR/protoc-gen-grpc-swift-2/.build/release/protoc-gen-grpc-swift-2" \
  --grpc-swift-2_out=../../$OUT \
  --grpc-swift-2_opt=Visibility=Public,FileNaming=PathToUnderscores,Client=true,Server=true,GRPCProtobufModuleName=HubbleCodec \
  $PROTOS)
ls "$OUT"
