#!/usr/bin/env bash
# Prepare everything the test stages and the demo need:
#   1. .venv with requirements.txt and tests/requirements.txt (reinstalled only
#      when one of the two files changes),
#   2. a copy of the checkout at
#      .build/collections/ansible_collections/alicloud/kvstore, because
#      ansible-test only accepts a collection under a path ending in
#      ansible_collections/NAMESPACE/NAME and resolves symlinks away,
#   3. tests/integration/integration_config.yml inside that copy,
#   4. the offline get-pip stand-in in ~/.ansible/test/cache (only when no
#      script is cached there yet).
# Environment: PYTHON (interpreter that creates .venv, default python3).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
python="${PYTHON:-python3}"
venv="$root/.venv"
collection="$root/.build/collections/ansible_collections/alicloud/kvstore"

cd "$root"

requirements_hash="$(cat requirements.txt tests/requirements.txt | sha256sum | cut -d' ' -f1)"
requirements_stamp="$venv/.requirements.sha256"

if [[ ! -x "$venv/bin/python" ]]; then
    echo "setup: creating $venv with $("$python" --version 2>&1)"
    "$python" -m venv "$venv"
fi

if [[ "$(cat "$requirements_stamp" 2>/dev/null)" != "$requirements_hash" ]]; then
    echo "setup: installing requirements.txt and tests/requirements.txt into $venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
        -r requirements.txt -r tests/requirements.txt
    echo "$requirements_hash" > "$requirements_stamp"
else
    echo "setup: $venv is up to date with the requirements files"
fi

echo "setup: staging the collection at ${collection#"$root"/}"
rm -rf "$collection"
mkdir -p "$collection"

# Anchored patterns name paths from the repository root; the rest match at any
# depth. Built collection tarballs are only excluded at the root.
tar -C "$root" -cf - \
    --anchored --no-wildcards-match-slash \
    --exclude='./.git' \
    --exclude='./.venv*' \
    --exclude='./.build' \
    --exclude='./.ansible' \
    --exclude='./tests/output' \
    --exclude='./tests/integration/integration_config.yml' \
    --exclude='./*.tar.gz' \
    --no-anchored \
    --exclude='__pycache__' \
    --exclude='.pytest_cache' \
    --exclude='.ruff_cache' \
    --exclude='.mypy_cache' \
    --exclude='*.pyc' \
    . | tar -C "$collection" -xf -

# ansible-test passes this file to every integration target as extra vars.
# setup_emulator starts the emulator from the staged copy with the venv Python.
cat > "$collection/tests/integration/integration_config.yml" <<CONFIG
---
emulator_dir: $collection/tests/emulator
emulator_python: $venv/bin/python
emulator_work_root: $collection/tests/output/.tmp/emulator
CONFIG

"$venv/bin/python" tests/ci/install_get_pip_standin.py
