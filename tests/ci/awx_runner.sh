#!/usr/bin/env bash
# Run the AWX tests in tests/awx/: the consistency checks of the AWX files,
# then the example AWX project through ansible-runner the way AWX runs a job,
# against the emulator on 127.0.0.1. The jobs run twice: under the main
# virtualenv's ansible-core (2.19) and under the ansible-core of the example
# execution environment (2.18, in .venv-2.18).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

EE_CORE_SERIES=2.18

make_work_dir
isolate_environment
cd "$REPO_ROOT"

core_version() {
    local output
    output="$("$1/bin/ansible" --version)"
    echo "${output%%$'\n'*}"
}

log "AWX files and jobs under $(core_version "$VENV")"
"$VENV_PYTHON" -m pytest -p no:cacheprovider -q --basetemp "$WORK_DIR/pytest-main" tests/awx "$@"

ee_venv="$(prepare_core_venv "$EE_CORE_SERIES")"
log "AWX jobs under $(core_version "$ee_venv")"
KVSTORE_ANSIBLE_BIN="$ee_venv/bin" "$VENV_PYTHON" -m pytest -p no:cacheprovider -q \
    --basetemp "$WORK_DIR/pytest-ee" tests/awx/test_runner_job.py "$@"
