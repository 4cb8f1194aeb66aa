#!/usr/bin/env bash
# Installs Debian's Chromium, which the console tests drive headless through Playwright (Playwright's own browser
# download cannot run here). Idempotent; run as root on Debian 12.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  echo "== chromium present: $(/usr/bin/chromium --version 2>/dev/null || echo unknown version)"
  exit 0
fi

echo "== installing chromium"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends chromium fonts-dejavu-core
/usr/bin/chromium --version
