#!/usr/bin/env bash
# Install the front-end packages from the npm registry and copy the files the pages use
# into civicgrid/static/vendor/. Run by bin/setup; safe to run again.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dest="$here/../civicgrid/static/vendor"
cd "$here"
if [ ! -d node_modules/leaflet ] || [ package.json -nt node_modules ]; then
  if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --loglevel=error; else npm install --no-audit --no-fund --loglevel=error; fi
  touch node_modules
fi
mkdir -p "$dest/leaflet/images"
cp node_modules/htmx.org/dist/htmx.min.js "$dest/htmx.min.js"
cp node_modules/echarts/dist/echarts.min.js "$dest/echarts.min.js"
cp node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css "$dest/leaflet/"
cp node_modules/leaflet/dist/images/*.png "$dest/leaflet/images/"
