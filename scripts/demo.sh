#!/usr/bin/env bash
# The quick-start demo on a fresh machine: sets up (Docker engine, pnpm, dependencies), builds, runs
# examples/quickstart against a throwaway OpenSSH server, and stops what it started.
cd "$(dirname "$0")/.."
source scripts/ensure-env.sh
trap env_cleanup EXIT
env_prepare
env_quiet pnpm build
node -e "import('@sftp-connector/testkit').then(t => t.ensureTestbedImage({ log: l => console.error('[testbed] ' + l) }))"
pnpm --filter @sftp-connector/example-quickstart start
