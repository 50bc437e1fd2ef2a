#!/usr/bin/env bash
# Mutation testing with Stryker 10 (npm run test:mutation [-- <stryker options>]).
#
# Stryker 10 refuses Node < 22. When the `node` on PATH is older, a Node 24 from the npm registry is
# installed once into .tmp/node24 (gitignored) and put first on PATH for Stryker and the vitest it runs.
#
#   npm run test:mutation                                        # the whole scope of stryker.config.js
#   npm run test:mutation -- --mutate src/simulation/validate.ts # one file (or a comma-separated list)
#   npm run test:mutation -- --mutate src/simulation/validate.ts --force   # ignore the incremental file
#
# Incremental mode: each --mutate scope keeps its own file under reports/mutation/incremental/, so a
# run of one file does not throw away the results of the full scope; a re-run tests only the mutants
# whose code or covering tests changed.
set -euo pipefail
cd "$(dirname "$0")/.."

NODE_DIR=.tmp/node24
major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$major" -lt 22 ]; then
  if ! "$NODE_DIR/node_modules/.bin/node" --version >/dev/null 2>&1; then
    echo "mutation: Node $(node --version 2>/dev/null || echo none) is too old for Stryker 10; installing node@24 into $NODE_DIR" >&2
    mkdir -p "$NODE_DIR"
    [ -f "$NODE_DIR/package.json" ] || (cd "$NODE_DIR" && npm init -y >/dev/null)
    (cd "$NODE_DIR" && npm install --no-audit --no-fund node@24 >&2)
    if ! "$NODE_DIR/node_modules/.bin/node" --version >/dev/null 2>&1; then
      echo "mutation: no working node in $NODE_DIR after npm install node@24 (were install scripts blocked?)" >&2
      exit 1
    fi
  fi
  export PATH="$PWD/$NODE_DIR/node_modules/.bin:$PATH"
fi

# The incremental file follows the --mutate scope (file names flattened into one slug).
scope=all
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case "${args[$i]}" in
    --mutate | -m) scope="${args[$((i + 1))]:-all}" ;;
    --mutate=*) scope="${args[$i]#--mutate=}" ;;
  esac
done
slug=$(printf '%s' "$scope" | sed -e 's#^src/##' -e 's#[^A-Za-z0-9._-]\+#_#g')
# Long lists: a readable head plus a hash of the whole scope, so two scopes never share a file.
if [ "${#slug}" -gt 80 ]; then slug="${slug:0:60}-$(printf '%s' "$scope" | sha1sum | cut -c1-10)"; fi
mkdir -p reports/mutation/incremental

echo "mutation: $(node --version), scope $scope, incremental file reports/mutation/incremental/$slug.json" >&2
exec node node_modules/@stryker-mutator/core/bin/stryker.js run stryker.config.js \
  --incrementalFile "reports/mutation/incremental/$slug.json" "$@"
