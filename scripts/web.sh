# Sourced by the scripts: installs the locked npm packages of a folder (web/ or e2e/) when they
# are missing or older than the lock file. Nothing is fetched at run time; this is build time.
npm_install() {
  local dir=$1
  command -v npm > /dev/null || { echo "npm is required (Node.js 20+): install Node.js first." >&2; return 1; }
  if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules" ]; then
    (cd "$dir" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error) || return 1
    touch "$dir/node_modules"
  fi
}
