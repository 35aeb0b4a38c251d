#!/usr/bin/env bash
# Make sure a Chromium is available for PDF export and the browser tests.
# Order: $REVIEWKIT_CHROMIUM, then chromium / chromium-browser / google-chrome on PATH,
# then (as root on Debian/Ubuntu) `apt-get install chromium`; otherwise say what to install.
set -euo pipefail
if [ -n "${REVIEWKIT_CHROMIUM:-}" ]; then
  if [ -x "$REVIEWKIT_CHROMIUM" ]; then exit 0; fi
  echo "REVIEWKIT_CHROMIUM=$REVIEWKIT_CHROMIUM is not an executable file" >&2; exit 1
fi
for name in chromium chromium-browser google-chrome google-chrome-stable; do
  if command -v "$name" >/dev/null 2>&1; then exit 0; fi
done
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium (needed for the PDF report and the browser tests)…" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium fonts-dejavu-core fonts-liberation >/dev/null
  command -v chromium >/dev/null && exit 0
fi
cat >&2 <<'MSG'
reviewkit needs Chromium for the PDF report and the browser tests, and none was found.
Install it, then rerun:
  Debian/Ubuntu:  sudo apt-get install chromium
  Fedora:         sudo dnf install chromium
  macOS:          brew install --cask chromium
or point REVIEWKIT_CHROMIUM at an existing Chrome/Chromium binary.
MSG
exit 1
