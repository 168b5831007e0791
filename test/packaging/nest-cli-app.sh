#!/usr/bin/env bash
# A new app made by the real Nest CLI, outside the repository, on the packed library: installs
# the tarball, scaffolds with the collection (`nest g -c nestjs-flux …`), builds with `nest build`,
# runs the generated specs with the app's own Vitest and starts the app on the memory store.
# Uses the `node` on PATH (CI runs it on Node 24). Needs the npm registry. Every step is bounded.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
here="$repo/test/packaging/nest-cli-app"
work="$(mktemp -d "${TMPDIR:-/tmp}/flux-nest-cli-XXXXXX")"
app_pid=""
cleanup() {
  if [ -n "$app_pid" ]; then kill "$app_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
step() { printf '\n== %s\n' "$*"; }
bounded() { timeout --kill-after=10 "$@"; }
fail() {
  echo "nest-cli-app: $*" >&2
  exit 1
}

step "node $(node --version), npm $(npm --version)"

step "npm pack (prepack builds the library)"
(cd "$repo" && bounded 300 npm pack --pack-destination "$work" --silent) >"$work/pack.out"
tarball="$work/$(tail -n 1 "$work/pack.out")"
[ -f "$tarball" ] || fail "npm pack wrote no tarball ($(cat "$work/pack.out"))"

step "nest new demo-app (@nestjs/cli@12 from the registry)"
cd "$work"
bounded 600 npx --yes @nestjs/cli@12 new demo-app --skip-git --package-manager npm </dev/null
cd demo-app

step "npm install the tarball"
bounded 300 npm install "$tarball" --no-audit --no-fund
for peer in typeorm mysql2 prom-client @nestjs/terminus @nestjs/cqrs; do
  [ ! -e "node_modules/$peer" ] || fail "installing nestjs-flux brought the optional peer $peer"
done

step "nest g -c nestjs-flux aggregate / event / projection"
bounded 120 npx nest g -c nestjs-flux aggregate account
bounded 120 npx nest g -c nestjs-flux event account/account-debited
bounded 120 npx nest g -c nestjs-flux projection balances
for file in account/account.aggregate.ts account/account.aggregate.spec.ts account/account.module.ts \
  account/account.service.ts account/events/account-created.event.ts \
  account/events/account-debited.event.ts balances/balances.projection.ts \
  balances/balances.projection.spec.ts; do
  [ -f "src/$file" ] || fail "the schematics did not write src/$file"
done
grep -q "account-debited.event.js" src/account/events/index.ts || fail "events/index.ts lacks the new event"

step "import FluxModule and the account feature into the app"
cp "$here/app.module.ts.template" src/app.module.ts
cp "$here/account.controller.ts.template" src/account/account.controller.ts

step "nest build"
bounded 300 npx nest build
[ -f dist/main.js ] || fail "nest build wrote no dist/main.js"

step "the generated specs, with the app's own Vitest"
bounded 300 npx vitest run src/account/account.aggregate.spec.ts src/balances/balances.projection.spec.ts

step "start the app on the memory store and talk to it"
port="$(node "$here/free-port.mjs")"
PORT="$port" node dist/main.js >"$work/app.log" 2>&1 &
app_pid=$!
if ! bounded 90 node "$here/check-app.mjs" "http://127.0.0.1:$port"; then
  cat "$work/app.log" >&2
  fail "the app did not answer as expected"
fi
echo "nest-cli-app: passed"
