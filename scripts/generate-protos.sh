#!/usr/bin/env bash
# Regenerates the Swift code of the management API (Sources/CashewManagementRPC/Generated) from
# Sources/CashewManagementRPC/Protos/management.proto, nutshell's management protocol (cashu 0.21.0,
# cashu/mint/management_rpc/protos/management.proto), kept unchanged.
#
# The generated code is committed: CI never runs this (building the protoc plugins takes about ten minutes).
# Needs Debian's protobuf-compiler, and builds protoc-gen-swift (swift-protobuf) and protoc-gen-grpc-swift-2
# (grpc-swift-protobuf) in a scratch package outside the tree, at the versions Package.swift resolves.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
tools="${CASHEW_PROTOC_TOOLS:-/tmp/cashew-protoc-tools}"
command -v protoc >/dev/null || apt-get install -y -q protobuf-compiler
mkdir -p "$tools/Sources/Empty"
cat >"$tools/Package.swift" <<'SWIFT'
// swift-tools-version: 6.1
import PackageDescription
let package = Package(
    name: "CashewProtocTools",
    dependencies: [
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf.git", from: "2.4.1"),
    ],
    targets: [.target(name: "Empty")]
)
SWIFT
echo "// placeholder" >"$tools/Sources/Empty/Empty.swift"
(cd "$tools" && swift build -c release --product protoc-gen-swift && swift build -c release --product protoc-gen-grpc-swift-2)
bin="$(cd "$tools" && swift build -c release --show-bin-path)"
out="$root/Sources/CashewManagementRPC/Generated"
mkdir -p "$out"
protoc --proto_path="$root/Sources/CashewManagementRPC/Protos" \
    --plugin=protoc-gen-swift="$bin/protoc-gen-swift" --swift_out="$out" --swift_opt=Visibility=Internal \
    --plugin=protoc-gen-grpc-swift="$bin/protoc-gen-grpc-swift-2" --grpc-swift_out="$out" \
    --grpc-swift_opt=Visibility=Internal,Client=false,Server=true \
    management.proto
echo "generated into $out:"
ls "$out"
