#!/usr/bin/env bash
# Installs Debian's python3-jinja2: the template tests render their corpus with the real Jinja2 (as NetBox sets it up)
# and require our engine's output to match. Idempotent; run as root on Debian 12.
set -euo pipefail

if /usr/bin/python3 -c "import jinja2" 2>/dev/null; then
  echo "== jinja2 present: $(/usr/bin/python3 -c 'import jinja2; print(jinja2.__version__)')"
  exit 0
fi

echo "== installing python3-jinja2"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends python3 python3-jinja2
/usr/bin/python3 -c 'import jinja2; print("jinja2", jinja2.__version__)'
