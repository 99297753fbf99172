#!/usr/bin/env bash
# Lint the AWX set-up playbook (examples/awx/configure_awx.yml, which uses
# awx.awx) and the example AWX project's playbook with ansible-lint, then
# check the awx.awx task arguments against the modules' documented options.
#
# Galaxy is not reachable from the test machines, but awx.awx ships inside
# the `ansible` community package on PyPI. That package is installed into its
# own virtualenv (.venv-awx) so it does not shadow the collections of the
# main one. ansible 12.x is the release built on ansible-core 2.19.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

make_work_dir
isolate_environment

AWX_VENV="$REPO_ROOT/.venv-awx"
pins="$(printf '%s\n' ansible==12.3.0 ansible-core==2.19.14 ansible-lint==26.10.1)"
stamp="$AWX_VENV/.kvstore-pins"
if [[ -x "$AWX_VENV/bin/ansible-lint" && -f "$stamp" && "$(cat "$stamp")" == "$pins" ]]; then
    log "reusing $AWX_VENV"
else
    log "creating $AWX_VENV"
    base_python="$("$VENV_PYTHON" -c 'import sys; print(getattr(sys, "_base_executable", sys.executable))')"
    rm -rf "$AWX_VENV"
    "$base_python" -m venv "$AWX_VENV"
    printf '%s\n' "$pins" >"$WORK_DIR/pins.txt"
    "$AWX_VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$WORK_DIR/pins.txt" >&2
    printf '%s' "$pins" >"$stamp"
fi

# Only the virtualenv's own ansible_collections (from the ansible package)
# should resolve awx.awx.
"$AWX_VENV/bin/ansible-galaxy" collection list awx.awx >&2 ||
    die "awx.awx is not installed in $AWX_VENV"

# alicloud.kvstore must resolve for examples/awx_project/convert.yml, which
# imports alicloud.kvstore.convert: install the built tarball for the run.
tarball="$(build_collection "$WORK_DIR/dist")"
install_collection "$tarball" "$WORK_DIR/collections"
export ANSIBLE_COLLECTIONS_PATH="$WORK_DIR/collections"

export PATH="$AWX_VENV/bin:$PATH"
cd "$REPO_ROOT"
"$AWX_VENV/bin/ansible-lint" --offline --profile production \
    -c "$REPO_ROOT/tests/ci/ansible-lint-awx.yml" \
    examples/awx/configure_awx.yml examples/awx_project/convert.yml

# ansible-lint cannot validate awx.awx arguments (see the script's docstring).
"$AWX_VENV/bin/python" "$REPO_ROOT/tests/ci/check_awx_args.py"
echo "awx-lint: 2 passed, 0 failed"
