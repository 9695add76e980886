# Sourced by scripts/demo and scripts/test: make .venv and install mgov into it when needed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="${PYTHON:-python3}"
if ! command -v "$PY" >/dev/null; then
  echo "mgov needs Python >= 3.11 ($PY not found)" >&2; exit 1
fi
"$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
  echo "mgov needs Python >= 3.11; $PY is $("$PY" --version)" >&2; exit 1; }
if [ ! -x .venv/bin/python ]; then
  if ! "$PY" -m venv .venv 2>/dev/null; then
    # Debian splits venv out of python3; install it when we can.
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null
      rm -rf .venv && "$PY" -m venv .venv
    else
      echo "cannot create .venv: install python3-venv" >&2; exit 1
    fi
  fi
fi
# Reinstall only when the project definition changed since the last install.
stamp=.venv/.mgov-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install -q --disable-pip-version-check -e ".[test]"
  touch "$stamp"
fi
export PATH="$ROOT/.venv/bin:$PATH"
