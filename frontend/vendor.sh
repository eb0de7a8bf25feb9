#!/usr/bin/env bash
# Install the front-end packages from the npm registry and copy the files the pages use
# into civicgrid/static/vendor/. Run by bin/setup; safe to run again.
#
# A copied file that names a source map (//# sourceMappingURL=x.map, /*# … */ in CSS) gets
# its map copied beside it: the production static storage (ManifestStaticFilesStorage)
# rewrites that reference and refuses to collect the static files when the map is missing.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dest="$here/../civicgrid/static/vendor"
cd "$here"
if [ ! -d node_modules/leaflet ] || [ package.json -nt node_modules ]; then
  if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --loglevel=error; else npm install --no-audit --no-fund --loglevel=error; fi
  touch node_modules
fi

# vendor SOURCE DEST_DIR: copy SOURCE into DEST_DIR, and the source map it names, if any.
vendor() {
  local src="$1" dir="$2" map
  cp "$src" "$dir/"
  map="$(grep -ao 'sourceMappingURL=[^ *"]*' "$src" | tail -n 1 | sed 's/^sourceMappingURL=//' || true)"
  case "$map" in
    "" | data:* | http:* | https:* | /*) return 0 ;;
  esac
  if [ ! -f "$(dirname "$src")/$map" ]; then
    echo "vendor.sh: $src names the source map $map, which the package does not ship" >&2
    exit 1
  fi
  mkdir -p "$dir/$(dirname "$map")"
  cp "$(dirname "$src")/$map" "$dir/$map"
}

mkdir -p "$dest/leaflet/images"
vendor node_modules/htmx.org/dist/htmx.min.js "$dest"
vendor node_modules/echarts/dist/echarts.min.js "$dest"
vendor node_modules/leaflet/dist/leaflet.js "$dest/leaflet"
vendor node_modules/leaflet/dist/leaflet.css "$dest/leaflet"
cp node_modules/leaflet/dist/images/*.png "$dest/leaflet/images/"
