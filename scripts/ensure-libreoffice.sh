#!/usr/bin/env bash
# Make sure a headless LibreOffice Writer is available: the tests open the DOCX report with it
# (DOCX -> PDF) to prove Word-compatible software reads it without a repair prompt.
# Order: $REVIEWKIT_SOFFICE, then soffice / libreoffice on PATH, then (as root on Debian/Ubuntu)
# `apt-get install --no-install-recommends libreoffice-writer-nogui`; otherwise say what to install.
set -euo pipefail
if [ -n "${REVIEWKIT_SOFFICE:-}" ]; then
  if [ -x "$REVIEWKIT_SOFFICE" ]; then exit 0; fi
  echo "REVIEWKIT_SOFFICE=$REVIEWKIT_SOFFICE is not an executable file" >&2; exit 1
fi
for name in soffice libreoffice; do
  if command -v "$name" >/dev/null 2>&1; then exit 0; fi
done
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's libreoffice-writer-nogui (the tests open the DOCX report with it)…" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends libreoffice-writer-nogui fonts-dejavu-core fonts-liberation >/dev/null
  command -v soffice >/dev/null && exit 0
fi
cat >&2 <<'MSG'
The DOCX tests need LibreOffice Writer (headless), and none was found.
Install it, then rerun:
  Debian/Ubuntu:  sudo apt-get install --no-install-recommends libreoffice-writer-nogui
  Fedora:         sudo dnf install libreoffice-writer
  macOS:          brew install --cask libreoffice
or point REVIEWKIT_SOFFICE at an existing soffice binary.
MSG
exit 1
