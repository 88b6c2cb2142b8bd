# Shared by scripts/run and scripts/test (sourced): Debian packages and the build.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# What building hrms needs.
BUILD_PACKAGES=(cmake ninja-build pkg-config g++ libboost1.81-dev libboost-json1.81-dev
  libboost-url1.81-dev libsoci-dev libsqlite3-dev libpq-dev libsodium-dev libssl-dev
  libspdlog-dev libfmt-dev libcli11-dev libtoml11-dev libmagic-dev curl)
# What testing it needs on top: a real PostgreSQL 15, GoogleTest, the Python end-to-end suite,
# promtool (from prometheus) to check /metrics, sqlite3 for inspection.
TEST_PACKAGES=(libgtest-dev libgmock-dev libbenchmark-dev postgresql-15 postgresql-client-15
  python3-pytest python3-requests python3-websocket prometheus sqlite3 procps)

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# ensure_packages PKG...: apt-get install only what is not installed yet.
ensure_packages() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "installing: ${missing[*]}" >&2
  as_root apt-get update -qq
  # No daemons are started by package installs: tests start their own servers.
  as_root env DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 \
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

# build PRESET: configure once, then build.
build() {
  local preset=$1
  cd "$ROOT"
  [ -f "build/$preset/build.ninja" ] || cmake --preset "$preset" >&2
  cmake --build --preset "$preset" >&2
}
