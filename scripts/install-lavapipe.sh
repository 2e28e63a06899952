#!/usr/bin/env bash
# Installs the Vulkan loader (libvulkan1) and Mesa's lavapipe software Vulkan driver from
# bookworm-backports, so onnxruntime-node's WebGPU execution provider (Dawn, Vulkan backend)
# finds an adapter on a machine without a GPU. bookworm's own Mesa 22 is rejected by Dawn;
# backports carries Mesa 25.x. Debian 12 (bookworm) only; run as root (CI does).
# Usage: scripts/install-lavapipe.sh        (idempotent; prints the installed versions)
set -euo pipefail

if ! grep -qs '^ID=debian' /etc/os-release || ! grep -qs 'VERSION_CODENAME=bookworm' /etc/os-release; then
  echo "install-lavapipe: expects Debian 12 (bookworm); found: $(grep -s PRETTY_NAME /etc/os-release || echo unknown)" >&2
  exit 2
fi
SUDO=''
if [ "$(id -u)" -ne 0 ]; then SUDO='sudo'; fi

list=/etc/apt/sources.list.d/bookworm-backports.list
if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  echo 'deb http://deb.debian.org/debian bookworm-backports main' | $SUDO tee "$list" >/dev/null
fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
  -t bookworm-backports libvulkan1 mesa-vulkan-drivers
dpkg-query -W -f='${Package} ${Version}\n' libvulkan1 mesa-vulkan-drivers
