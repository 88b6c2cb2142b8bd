# Shared by scripts/run and scripts/test (sourced): Debian packages and the build.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# What building hrms needs.
BUILD_PACKAGES=(cmake ninja-build pkg-config g++ libboost1.81-dev libboost-json1.81-dev
  libboost-url1.81-dev libsoci-dev libsqlite3-dev libpq-dev libsodium-dev libssl-dev
  libspdlog-dev libfmt-dev libcli11-dev libtoml11-dev libmagic-dev libicu-dev zlib1g-dev curl
  libcurl4-openssl-dev libkainjow-mustache-dev libhpdf-dev libxlsxwriter-dev fonts-dejavu-core)
# What testing it needs on top: a real PostgreSQL 15, GoogleTest, the Python end-to-end suite,
# promtool (from prometheus) to check /metrics, sqlite3 for inspection, Chromium for the browser
# tests (driven by Playwright from web/node_modules; no browser is downloaded).
TEST_PACKAGES=(libgtest-dev libgmock-dev libbenchmark-dev postgresql-15 postgresql-client-15
  python3-pytest python3-pytest-xdist python3-requests python3-websocket python3-jsonschema
  python3-yaml python3-aiosmtpd python3-cryptography prometheus sqlite3 procps python3-openpyxl
  poppler-utils chromium)

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

# ensure_node: Node.js (>= 20.19, what Vite and @redocly/cli need) and npm, for web/. Debian's
# packages when there is no node at all; an older node is reported, not replaced.
ensure_node() {
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    ensure_packages nodejs npm
  fi
  node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' || {
    echo "error: web/ needs Node.js >= 20.19 (found $(node --version)); install a newer nodejs" >&2
    return 1
  }
}

# web_deps: web/node_modules exactly as web/package-lock.json says.
web_deps() {
  (cd "$ROOT/web" && npm ci --no-audit --no-fund --loglevel=error) >&2
}

# web_build: the web interface into web/dist (type-checked against docs/openapi.yaml first),
# which the server finds by default (HRMS_WEB_DIR).
web_build() {
  (cd "$ROOT/web" && npm run --silent build) >&2
}

# build PRESET: configure once, then build.
build() {
  local preset=$1
  cd "$ROOT"
  [ -f "build/$preset/build.ninja" ] || cmake --preset "$preset" >&2
  cmake --build --preset "$preset" >&2
}
