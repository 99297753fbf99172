#!/usr/bin/env bash
# Run the integration suite under the oldest ansible-core releases that
# meta/runtime.yml admits (requires_ansible ">=2.17.0"): 2.17 and 2.18, each
# in its own virtualenv (.venv-2.17, .venv-2.18 at the repository root) with
# the SDK pins of tests/requirements.txt. ansible-lint 26.10 does not accept
# ansible-core 2.17, so these virtualenvs hold only ansible-core and the SDK.
#
# Usage: tests/ci/older_cores.sh [ANSIBLE-TEST ARGUMENTS, e.g. TARGET...]
#   CORES="2.17" tests/ci/older_cores.sh     # one release only
#   OLDER_CORES_SERIAL=1                     # one release after the other
#   OLDER_CORES_TARGETS="instance_info role_distributed_instance"
#                                            # targets when none are given
# Without targets, ansible-test runs every integration target.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

CORES="${CORES:-2.17 2.18}"
if (($# == 0)) && [[ -n "${OLDER_CORES_TARGETS:-}" ]]; then
    # A space-separated list of target names.
    read -r -a older_cores_targets <<<"$OLDER_CORES_TARGETS"
    set -- "${older_cores_targets[@]}"
fi

make_work_dir
isolate_environment

python_version="$("$VENV_PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"

# Each release works on its own copy of the staged collection that
# tests/ci/setup.sh writes (ansible-test needs a path ending in
# ansible_collections/NS/NAME, and the copy carries the
# integration_config.yml that setup_emulator reads), with the paths in that
# config moved to the copy. The emulator itself keeps running on the main
# virtualenv's Python.
"$REPO_ROOT/tests/ci/setup.sh" >&2
staged="$REPO_ROOT/.build/collections/ansible_collections/alicloud/kvstore"
[[ -f "$staged/tests/integration/integration_config.yml" ]] ||
    die "setup.sh wrote no integration_config.yml in $staged"

# stage_copy SERIES: copy the staged collection for one release and print the
# path of the copy.
stage_copy() {
    local stage="$WORK_DIR/$1/ansible_collections/alicloud/kvstore"
    mkdir -p "$(dirname "$stage")"
    cp -a "$staged" "$stage"
    rm -rf "$stage/tests/output"
    sed -i "s|$staged|$stage|g" "$stage/tests/integration/integration_config.yml"
    echo "$stage"
}

# Stop emulators that a failing target left running in a copy.
stop_leftover_emulators() {
    local pid_file pid
    for pid_file in "$1"/tests/output/.tmp/emulator/*/emulator.pid; do
        [[ -f "$pid_file" ]] || continue
        pid="$(cat "$pid_file")"
        if kill -0 "$pid" 2>/dev/null; then
            log "WARNING: emulator pid $pid was still running, stopping it"
            kill "$pid" 2>/dev/null || true
        fi
    done
}

# run_series SERIES VENV [TARGET...]: run the suite for one release in its
# copy and write its exit status to WORK_DIR/SERIES.status.
run_series() {
    local series="$1" venv="$2" stage status=0
    shift 2
    stage="$(stage_copy "$series")"
    # ansible-test keeps an SSH key and caches under HOME, so side-by-side runs
    # need a HOME each; the copy keeps setup.sh's offline get-pip stand-in.
    cp -a "$HOME" "$WORK_DIR/$series-home"
    # As in run_stages.sh: name the content root so ansible-test does not
    # find the checkout's .git above the copy.
    (cd "$stage" && HOME="$WORK_DIR/$series-home" ANSIBLE_TEST_CONTENT_ROOT="$stage" \
        GIT_CEILING_DIRECTORIES="$WORK_DIR/$series" \
        PATH="$venv/bin:$PATH" "$venv/bin/ansible-test" integration --local \
        --python "$python_version" --color no "$@") || status=$?
    stop_leftover_emulators "$stage"
    echo "$status" >"$WORK_DIR/$series.status"
}

# The releases run side by side to save wall-clock time, each in its own copy
# and HOME. OLDER_CORES_SERIAL=1 runs them one after the other.
declare -A venvs started
for series in $CORES; do
    venvs[$series]="$(prepare_core_venv "$series")"
done

pids=()
for series in $CORES; do
    version="$("${venvs[$series]}/bin/ansible" --version)"
    log "integration under ${version%%$'\n'*}, output in the log below when done"
    started[$series]=$SECONDS
    if [[ -n "${OLDER_CORES_SERIAL:-}" ]]; then
        run_series "$series" "${venvs[$series]}" "$@" >"$WORK_DIR/$series.log" 2>&1
        echo "$((SECONDS - started[$series]))" >"$WORK_DIR/$series.seconds"
    else
        (
            run_series "$series" "${venvs[$series]}" "$@" >"$WORK_DIR/$series.log" 2>&1
            echo "$((SECONDS - started[$series]))" >"$WORK_DIR/$series.seconds"
        ) &
        pids+=($!)
    fi
done
for pid in "${pids[@]}"; do
    wait "$pid" || true
done

failed=0
passed=0
for series in $CORES; do
    echo "=== ansible-core ${CORE_PINS[$series]} ==="
    cat "$WORK_DIR/$series.log"
    status="$(cat "$WORK_DIR/$series.status" 2>/dev/null || echo 1)"
    elapsed="$(cat "$WORK_DIR/$series.seconds" 2>/dev/null || echo '?')"
    if [[ "$status" == 0 ]]; then
        log "ansible-core ${CORE_PINS[$series]}: integration passed in ${elapsed} s"
        passed=$((passed + 1))
    else
        log "ansible-core ${CORE_PINS[$series]}: integration failed (exit $status) after ${elapsed} s"
        failed=$((failed + 1))
    fi
done

echo "older-cores: $passed passed, $failed failed"
((failed == 0))
