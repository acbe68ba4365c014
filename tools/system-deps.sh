#!/usr/bin/env bash
# Installs the Debian packages dangan needs, only those that are missing (idempotent).
# Usage: tools/system-deps.sh run|test|confusions|radicals|bench-ocr  (test also installs Debian's chromium for
# the real-browser tests, which drive it through Playwright; Playwright's own browser downloads
# are never used; Debian's postgresql, whose binaries the tests of [database] url run a
# throwaway server with; and AR PL UMing, a 明体 some OCR tests render with; confusions adds
# the fonts tools/confusions.py draws with; radicals the Unicode data file tools/radicals.py
# reads; bench-ocr the fonts bench/ocrset draws with)
set -euo pipefail

# OCR: Tesseract with simplified and traditional Chinese and orientation data; a CJK font
# for rendering sample scans.
want=(python3 python3-venv python3-pip tesseract-ocr tesseract-ocr-chi-sim tesseract-ocr-chi-tra
      tesseract-ocr-osd fonts-noto-cjk)
# PP-OCR (rapidocr-onnxruntime): OpenCV's wheel loads libGL.so.1 and GLib's libgthread
want+=(libgl1 libglib2.0-0)
case "${1:-run}" in
  run) ;;
  test) want+=(chromium postgresql fonts-arphic-uming) ;;
  confusions) want+=(fonts-arphic-ukai fonts-arphic-uming fonts-wqy-zenhei) ;;
  radicals) want+=(unicode-data) ;;
  bench-ocr) want+=(fonts-arphic-ukai fonts-arphic-uming fonts-wqy-zenhei fontconfig) ;;
  *) echo "usage: $0 run|test|confusions|radicals|bench-ocr" >&2; exit 2 ;;
esac

missing=()
for pkg in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
# A Python 3.11 that can make virtual environments is enough, wherever it came from.
if command -v python3.11 >/dev/null && python3.11 -c 'import venv, ensurepip' 2>/dev/null; then
  kept=()
  for pkg in "${missing[@]}"; do
    case "$pkg" in python3|python3-venv|python3-pip) ;; *) kept+=("$pkg") ;; esac
  done
  missing=("${kept[@]}")
fi
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "installing Debian packages: ${missing[*]}" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
