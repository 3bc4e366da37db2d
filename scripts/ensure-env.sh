# Sourced by scripts/test.sh and scripts/demo.sh: makes a fresh Debian machine ready (Docker engine,
# debootstrap, pnpm, dependencies) and remembers what it started so `env_cleanup` can stop it.
# Everything it starts listens on 127.0.0.1 only (the engine runs without a bridge or iptables).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
ENV_STARTED_DOCKERD=""
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo -n"; fi

env_log() { printf '[setup] %s\n' "$*" >&2; }

env_apt_install() {
  local missing=()
  command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
  command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
  if [ ${#missing[@]} -gt 0 ]; then
    env_log "installing ${missing[*]} with apt-get"
    $SUDO apt-get update -qq >/dev/null
    $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

env_docker_answers() { timeout 5 docker info >/dev/null 2>&1; }

env_start_docker() {
  if env_docker_answers; then return; fi
  env_log "starting the Docker engine (no bridge, no iptables)"
  $SUDO sh -c 'nohup dockerd --bridge=none --iptables=false --ip6tables=false >/tmp/sftp-connector-dockerd.log 2>&1 & echo $! >/tmp/sftp-connector-dockerd.pid'
  ENV_STARTED_DOCKERD="$(cat /tmp/sftp-connector-dockerd.pid)"
  for _ in $(seq 1 60); do env_docker_answers && return; sleep 1; done
  env_log "the Docker engine did not answer within 60 s; its log:"; tail -20 /tmp/sftp-connector-dockerd.log >&2 || true
  return 1
}

env_install_pnpm() {
  local want
  want="$(node -p "require('./package.json').packageManager.split('@')[1]")"
  if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null)" != "$want" ]; then
    env_log "installing pnpm $want from the npm registry"
    $SUDO npm install -g --silent "pnpm@$want" >/dev/null 2>&1
  fi
  env_log "installing dependencies (frozen lockfile)"
  pnpm install --frozen-lockfile
}

env_cleanup() {
  if [ -n "$ENV_STARTED_DOCKERD" ]; then
    env_log "stopping the Docker engine this script started"
    $SUDO kill "$ENV_STARTED_DOCKERD" 2>/dev/null || true
    for _ in $(seq 1 30); do kill -0 "$ENV_STARTED_DOCKERD" 2>/dev/null || break; sleep 1; done
    ENV_STARTED_DOCKERD=""
  fi
}

env_prepare() {
  env_apt_install
  env_start_docker
  env_install_pnpm
}

# Runs a command quietly, printing its output only when it fails.
env_quiet() {
  local out
  if ! out="$("$@" 2>&1)"; then printf '%s\n' "$out" >&2; env_log "failed: $*"; return 1; fi
}
