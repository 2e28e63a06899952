#!/usr/bin/env bash
# Runs the GPU check from .gpu-bundle/ (scripts/gpu-check/bundle.sh) on a machine with no
# network: unpacks Node and onnxruntime-node to a temp folder, brings the Vulkan loader when
# the system has none, points the loader at the NVIDIA driver's ICD file when it is not
# registered, asks the loader which driver it loads, then runs the check. Writes the report to
# $OUT/gpu-check.md when OUT is set (the device runner's output folder).
# Usage (repo root): bash .gpu-bundle/run.sh            env: GPU_CHECK_QUICK=1 GPU_CHECK_SIZES=...
set -euo pipefail
bundle=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/gpu-check.XXXXXX)
xz -dc "$bundle/node.xz" >"$work/node" && chmod +x "$work/node"
tar -C "$work" -xJf "$bundle/ort.tar.xz" && mkdir -p "$work/node_modules" && mv "$work"/onnxruntime-* "$work/node_modules/"
cp "$bundle/check.mjs" "$work/"

echo "== GPU"; nvidia-smi -L 2>/dev/null || echo "nvidia-smi: not found (no NVIDIA driver?)"
if ! ldconfig -p 2>/dev/null | grep -q 'libvulkan.so.1'; then
  echo "== no system Vulkan loader: using the bundled libvulkan1"
  dpkg -x "$bundle"/debs/libvulkan1_*.deb "$work/vk"
  export LD_LIBRARY_PATH="$work/vk/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi
icd_dirs="/etc/vulkan/icd.d /usr/share/vulkan/icd.d /usr/local/share/vulkan/icd.d"
if ! grep -lqs nvidia $(for d in $icd_dirs; do ls "$d"/*.json 2>/dev/null; done) /dev/null; then
  if [ -f /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json ]; then
    export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
  elif lib=$(ldconfig -p | grep -o '/[^ ]*libGLX_nvidia.so.0' | head -1) && [ -n "$lib" ]; then
    printf '{"file_format_version":"1.0.0","ICD":{"library_path":"%s","api_version":"1.3.0"}}\n' "$lib" >"$work/nvidia_icd.json"
    export VK_DRIVER_FILES="$work/nvidia_icd.json"
  fi
fi
echo "== Vulkan drivers the loader loads (VK_LOADER_DEBUG=driver)"
(cd "$work" && VK_LOADER_DEBUG=driver GPU_CHECK_PROBE=1 ./node check.mjs 2>&1 >/dev/null |
  grep -iE 'Found ICD manifest|loading.*(nvidia|lvp)|libGLX_nvidia|libvulkan_lvp' | sort -u | head -20) || true
echo "== check"
out="${OUT:-$work}/gpu-check.md"
(cd "$work" && GPU_CHECK_OUT="$out" ./node check.mjs 2>&1 | grep -v 'artificially reduced')
echo "report: $out"
