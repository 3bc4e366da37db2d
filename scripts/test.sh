#!/usr/bin/env bash
# The whole test suite on a fresh machine: sets up (Docker engine, pnpm, dependencies), builds, runs
# every test against the real testbed, stops what it started. Last line: "N passed, N failed".
cd "$(dirname "$0")/.."
source scripts/ensure-env.sh
trap env_cleanup EXIT
env_prepare
env_quiet pnpm build
pnpm typecheck
# Formatting and lint (Biome): a finding fails the run, as a type error does.
pnpm lint
rm -f .vitest-results.json
set +e
pnpm exec vitest run --reporter=default --reporter=json --outputFile.json=.vitest-results.json "$@"
rc=$?
# The benchmark harness runs once on small sizes so it cannot rot (it asserts nothing about speed).
if [ "${SKIP_BENCH:-}" != "1" ]; then
  pnpm --silent --filter @sftp-connector/bench bench -- --quick >/dev/null || { echo "[bench] the quick benchmark run failed" >&2; rc=1; }
fi
# Advisories of production dependencies (high or critical fail the run; an unreachable audit endpoint is reported, not hidden).
node scripts/audit-prod.mjs || rc=1
set -e
env_cleanup
node scripts/print-test-count.mjs .vitest-results.json || rc=1
exit $rc
