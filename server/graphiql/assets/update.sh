#!/usr/bin/env bash
# Re-fetch the third-party GraphiQL assets from the npm registry.
#
# Usage (from anywhere):  server/graphiql/assets/update.sh [GRAPHIQL_VER] [REACT_VER]
# Defaults are the versions currently committed (see VERSIONS.md).
# Only needs node/npm and access to the npm registry; no bundler, no CDN.
# After running it, update the versions and checksums in VERSIONS.md
# (the script prints them) and run `go test ./server/graphiql/`.
set -euo pipefail

GRAPHIQL_VER="${1:-3.9.0}"
REACT_VER="${2:-18.3.1}"

dest="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cd "$work"
npm pack --silent "graphiql@${GRAPHIQL_VER}" "react@${REACT_VER}" "react-dom@${REACT_VER}" >/dev/null
mkdir -p graphiql react react-dom
tar -xzf "graphiql-${GRAPHIQL_VER}.tgz"  -C graphiql
tar -xzf "react-${REACT_VER}.tgz"        -C react
tar -xzf "react-dom-${REACT_VER}.tgz"    -C react-dom

cp graphiql/package/graphiql.min.js             "$dest/graphiql.min.js"
cp graphiql/package/graphiql.min.css            "$dest/graphiql.min.css"
cp graphiql/package/LICENSE                     "$dest/LICENSE.graphiql"
cp react/package/umd/react.production.min.js    "$dest/react.production.min.js"
cp react/package/LICENSE                        "$dest/LICENSE.react"
cp react-dom/package/umd/react-dom.production.min.js "$dest/react-dom.production.min.js"
cp react-dom/package/LICENSE                    "$dest/LICENSE.react-dom"

echo "npm tarball integrity:"
for p in "graphiql@${GRAPHIQL_VER}" "react@${REACT_VER}" "react-dom@${REACT_VER}"; do
  printf '  %-22s %s\n' "$p" "$(npm view "$p" dist.integrity)"
done
echo "sha256 of copied files:"
(cd "$dest" && sha256sum graphiql.min.js graphiql.min.css react.production.min.js react-dom.production.min.js)
