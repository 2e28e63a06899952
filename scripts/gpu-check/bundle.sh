#!/usr/bin/env bash
# Builds .gpu-bundle/ (about 45 MB, git-ignored): everything scripts/gpu-check/run.sh needs on
# a GPU machine without network or npm: the check bundled into one file, the pinned Node
# binary, onnxruntime-node's JS and native libraries (WebGPU provider included), and Debian's
# libvulkan1 package for machines without the Vulkan loader. Run it in a checkout after
# `scripts/node.sh 24 npm ci`; needs xz and apt-get (Debian/Ubuntu) for the loader package.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=.gpu-bundle
rm -rf "$out" && mkdir -p "$out/debs"
node_bin=$(scripts/node.sh 24 node -p 'process.execPath')
scripts/node.sh 24 npx esbuild scripts/gpu-check/check.ts --bundle --platform=node --format=esm \
  --conditions=source --external:onnxruntime-node --log-level=warning \
  --banner:js="import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" \
  --outfile="$out/check.mjs"
xz -T2 -6 -c "$node_bin" >"$out/node.xz"
tar -C node_modules -cJf "$out/ort.tar.xz" onnxruntime-common \
  onnxruntime-node/package.json onnxruntime-node/dist onnxruntime-node/bin/napi-v6/linux/x64
(cd "$out/debs" && apt-get download libvulkan1 >/dev/null)
cp scripts/gpu-check/run.sh "$out/run.sh"
du -sh "$out" && ls -l "$out" "$out/debs"
