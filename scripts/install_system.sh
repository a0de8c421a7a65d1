#!/usr/bin/env bash
# Installs the Debian packages the full test suite needs (idempotent; needs root or sudo):
#   python3.11 + venv  (only if missing), chromium (browser tests), poppler-utils (PDF tests),
#   gdal-bin (ogrinfo/ogr2ogr: a second GDAL as OGC API client in tests/test_ogc.py)
#   postgresql + postgresql-15-postgis-3 (the PostGIS store's tests start a throwaway
#   cluster of their own; the packaged cluster is not started)
set -euo pipefail
need=()
command -v python3.11 >/dev/null 2>&1 || need+=(python3.11 python3.11-venv)
{ command -v chromium >/dev/null 2>&1 || [ -x /usr/lib/chromium/chromium ]; } || need+=(chromium)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
command -v ogr2ogr >/dev/null 2>&1 || need+=(gdal-bin)
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || need+=(postgresql)
compgen -G "/usr/share/postgresql/*/extension/postgis.control" >/dev/null || need+=(postgresql-15-postgis-3)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "apt-get install ${need[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
