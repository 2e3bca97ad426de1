#!/usr/bin/env bash
# Installs what the browser tests and benchmarks need, from the package registries only:
# Debian's Chromium (driven by Playwright through executable_path, no browser download)
# and axe-core from npm (injected into pages by the accessibility audit).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${CHROMIUM_PATH:-}" ] && ! [ -x /usr/bin/chromium ]; then
  echo ">> Installation de Chromium (paquet Debian)"
  if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update -qq || true
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
fi
# The widget's pictograms are emoji: without a colour emoji font the screenshots show boxes.
if [ -z "${CHROMIUM_PATH:-}" ] && ! [ -d /usr/share/fonts/truetype/noto ] && command -v apt-get >/dev/null; then
  echo ">> Installation de la police d'emoji (paquet Debian)"
  if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq fonts-noto-color-emoji >/dev/null || true
fi
if ! [ -f node_modules/axe-core/axe.min.js ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo ">> Installation d'axe-core (npm)"
  npm ci --no-audit --no-fund --silent
fi
