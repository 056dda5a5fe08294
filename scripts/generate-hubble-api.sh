#!/bin/sh
# Regenerates Sources/HubbleAPI from proto/hubble (`make proto`). The generated code is committed: a normal build
# never runs protoc or a build plugin. Needs protoc with Google's well-known protos (Debian: protobuf-compiler
# libprotobuf-dev) and the two protoc plugins, built here from the very package versions Package.swift resolves
# (swift-protobuf's protoc-gen-swift, grpc-swift-protobuf's protoc-gen-grpc-swift-2) into a scratch folder outside
# the repository (PLUGIN_DIR, default /tmp/flowmap-protoc-plugins; a first build takes ~10 minutes on 2 cores).
set -eu
cd "$(dirname "$0")/.."
PLUGIN_DIR=${PLUGIN_DIR:-/tmp/flowmap-protoc-plugins}
WKT=${WKT:-/usr/include}
command -v protoc >/dev/null || { echo "protoc missing: apt-get install protobuf-compiler libprotobuf-dev" >&2; exit 2; }
[ -f "$WKT/google/protobuf/timestamp.proto" ] || { echo "$WKT/google/protobuf/*.proto missing: apt-get install libprotobuf-dev" >&2; exit 2; }
swift package resolve
build_plugin() {  # package checkout, product
  if [ ! -x "$PLUGIN_DIR/$2/release/$2" ]; then
    swift build -c release --package-path ".build/checkouts/$1" --scratch-path "$PLUGIN_DIR/$2" --product "$2"
  fi
}
build_plugin swift-protobuf protoc-gen-swift
build_plugin grpc-swift-protobuf protoc-gen-grpc-swift-2
OUT=Sources/HubbleAPI
rm -f "$OUT"/*.pb.swift "$OUT"/*.grpc.swift
PROTOS="flow/flow.proto relay/relay.proto observer/observer.proto peer/peer.proto"
(cd proto/hubble && protoc -I . -I "$WKT" \
  --plugin=protoc-gen-swift="$PLUGIN_DIR/protoc-gen-swift/release/protoc-gen-swift" \
  --swift_out=../../$OUT --swift_opt=Visibility=Public,FileNaming=PathToUnderscores \
  --plugin=protoc-gen-grpc-swift-2="$PLUGIN_DIR/protoc-gen-grpc-swift-2/release/protoc-gen-grpc-swift-2" \
  --grpc-swift-2_out=../../$OUT --grpc-swift-2_opt=Visibility=Public,FileNaming=PathToUnderscores,Client=true,Server=true \
  $PROTOS)
ls "$OUT"
