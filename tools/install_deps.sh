#!/usr/bin/env bash
# Installs what meshgate needs to build, test and run its demo on Debian 12, and nothing that is
# already there: apt-get update runs only when a package is missing. Idempotent; run as root
# (or as a user with sudo). Then installs the npm packages of test/node/ and examples/demo/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

packages=(
  g++ cmake ninja-build pkg-config ccache clang libclang-rt-14-dev clang-format
  libnghttp2-dev libevent-dev libssl-dev libyaml-cpp-dev libjemalloc-dev
  libgrpc++-dev libprotobuf-dev protobuf-compiler protobuf-compiler-grpc
  libabsl-dev libfmt-dev libre2-dev libgtest-dev libgmock-dev libbenchmark-dev
  nghttp2-client openssl chromium
)
# Node.js may come from elsewhere than Debian (the machine's is 20.x): only install Debian's
# packages when the commands are missing.
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)
# tools/check_layers.py needs a Python 3, Debian's or another.
command -v python3 >/dev/null 2>&1 || packages+=(python3)

missing=()
for pkg in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done

if ((${#missing[@]} > 0)); then
  sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    if command -v sudo >/dev/null 2>&1; then
      sudo=(sudo)
    else
      echo "install_deps.sh: missing packages (${missing[*]}) and not root, no sudo" >&2
      exit 1
    fi
  fi
  echo "install_deps.sh: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# npm ci when the lockfile is newer than the installed tree; npm install when there is none.
for dir in test/node examples/demo; do
  [[ -f $dir/package.json ]] || continue
  installed=$dir/node_modules/.package-lock.json
  if [[ -f $dir/package-lock.json ]]; then
    if [[ ! -f $installed || $dir/package-lock.json -nt $installed || $dir/package.json -nt $installed ]]; then
      echo "install_deps.sh: npm ci in $dir"
      (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    fi
  else
    echo "install_deps.sh: npm install in $dir"
    (cd "$dir" && npm install --no-audit --no-fund --loglevel=error)
  fi
done
