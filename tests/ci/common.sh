# shellcheck shell=bash
# Helpers shared by the scripts in tests/ci/. Source it from bash after
# setting `set -euo pipefail`.
#
# Every run here talks to the API emulator on 127.0.0.1 only, with a
# temporary HOME, the SDK's metadata and CLI-profile credential sources off,
# and no proxy for loopback.

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="${VENV:-$REPO_ROOT/.venv}"
VENV_PYTHON="$VENV/bin/python"

log() {
    printf '[%s] %s\n' "$(basename "$0")" "$*" >&2
}

die() {
    log "FAILED: $*"
    exit 1
}

# Create a work directory that is removed when the script exits, and point
# HOME at a fresh folder inside it. Sets WORK_DIR.
make_work_dir() {
    WORK_DIR="$(mktemp -d "${TMPDIR:-/tmp}/kvstore-$(basename "$0" .sh).XXXXXX")"
    mkdir -p "$WORK_DIR/home"
    trap cleanup EXIT
}

cleanup() {
    stop_emulator
    if [[ -n "${KEEP_WORK_DIR:-}" ]]; then
        log "work directory kept: $WORK_DIR"
    elif [[ -n "${WORK_DIR:-}" ]]; then
        rm -rf "$WORK_DIR"
    fi
}

# Export the isolation variables and drop every credential variable that the
# caller's shell may carry, so only what a test sets reaches the modules.
isolate_environment() {
    local name
    for name in $(compgen -e); do
        case "$name" in
            ALIBABA_CLOUD_* | ALICLOUD_* | ANSIBLE_* | AWX_*) unset "$name" ;;
        esac
    done
    export HOME="$WORK_DIR/home"
    export ALIBABA_CLOUD_ECS_METADATA_DISABLED=true
    export ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true
    export no_proxy=127.0.0.1,localhost
    export NO_PROXY=127.0.0.1,localhost
    unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY
    export PATH="$VENV/bin:$PATH"
}

# start_emulator [SPEED]: start the emulator on a copy of the example fleet.
# Sets EMULATOR_ENDPOINT (http://127.0.0.1:PORT), EMULATOR_LOG (request log)
# and EMULATOR_PID.
start_emulator() {
    local speed="${1:-60}" state="$WORK_DIR/emulator-state.yml" out="$WORK_DIR/emulator.out"
    cp "$REPO_ROOT/tests/emulator/examples/fleet.yml" "$state"
    EMULATOR_LOG="$WORK_DIR/requests.jsonl"
    (cd "$REPO_ROOT" && exec "$VENV_PYTHON" tests/emulator --state "$state" --host 127.0.0.1 --port 0 \
        --request-log "$EMULATOR_LOG" --speed "$speed" >"$out" 2>"$WORK_DIR/emulator.err") &
    EMULATOR_PID=$!

    local waited=0 first_line=""
    while [[ "$first_line" != "listening on http://"* ]]; do
        if ! kill -0 "$EMULATOR_PID" 2>/dev/null; then
            cat "$WORK_DIR/emulator.err" >&2
            die "the emulator exited before it was listening"
        fi
        if ((waited >= 300)); then
            die "the emulator did not print its address within 30 s"
        fi
        sleep 0.1
        waited=$((waited + 1))
        first_line="$(head -n 1 "$out" 2>/dev/null || true)"
    done
    EMULATOR_ENDPOINT="${first_line#listening on }"
    log "emulator $EMULATOR_ENDPOINT (pid $EMULATOR_PID)"
}

# use_emulator_credentials: export the access key of the emulator account
# that may call every action (tests/emulator/examples/fleet.yml).
use_emulator_credentials() {
    export ALIBABA_CLOUD_ACCESS_KEY_ID=LTAIemulatorkey0001
    export ALIBABA_CLOUD_ACCESS_KEY_SECRET=emulator-secret-0001
}

stop_emulator() {
    if [[ -n "${EMULATOR_PID:-}" ]] && kill -0 "$EMULATOR_PID" 2>/dev/null; then
        kill "$EMULATOR_PID"
        wait "$EMULATOR_PID" 2>/dev/null || true
    fi
    EMULATOR_PID=
}

# build_collection OUTPUT_DIR: build the Galaxy tarball and print its path.
build_collection() {
    local output_dir="$1" tarballs
    mkdir -p "$output_dir"
    (cd "$REPO_ROOT" && "$VENV/bin/ansible-galaxy" collection build --force --output-path "$output_dir" >&2)
    tarballs=("$output_dir"/alicloud-kvstore-*.tar.gz)
    [[ ${#tarballs[@]} -eq 1 && -f "${tarballs[0]}" ]] ||
        die "expected one alicloud-kvstore tarball in $output_dir, found: ${tarballs[*]}"
    echo "${tarballs[0]}"
}

# install_collection TARBALL COLLECTIONS_PATH: install a tarball without
# reaching Galaxy (the collection has no collection dependencies).
install_collection() {
    ANSIBLE_COLLECTIONS_PATH="$2" "$VENV/bin/ansible-galaxy" collection install --offline --force -p "$2" "$1" >&2
}

# Latest patch releases on PyPI of the older ansible-core series that
# meta/runtime.yml admits.
declare -A CORE_PINS=([2.17]=2.17.14 [2.18]=2.18.19)

# prepare_core_venv SERIES: create or reuse .venv-SERIES with that
# ansible-core and the SDK pins of tests/requirements.txt (no ansible-lint:
# ansible-lint 26.10 does not accept ansible-core 2.17). Prints its path.
prepare_core_venv() {
    local series="$1" venv="$REPO_ROOT/.venv-$1" pins stamp base_python
    [[ -n "${CORE_PINS[$series]:-}" ]] || die "no pin for ansible-core $series (known: ${!CORE_PINS[*]})"
    pins="$(printf 'ansible-core==%s\n' "${CORE_PINS[$series]}"
        grep -E '^(alibabacloud-|darabonba-core|aliyun-python-sdk-core|PyYAML)' "$REPO_ROOT/tests/requirements.txt")"
    stamp="$venv/.kvstore-pins"
    if [[ -x "$venv/bin/ansible-playbook" && -f "$stamp" && "$(cat "$stamp")" == "$pins" ]]; then
        log "reusing $venv"
    else
        log "creating $venv with ansible-core ${CORE_PINS[$series]}"
        # The interpreter behind the main virtualenv (the same Python version).
        base_python="$("$VENV_PYTHON" -c 'import sys; print(getattr(sys, "_base_executable", sys.executable))')"
        rm -rf "$venv"
        "$base_python" -m venv "$venv"
        printf '%s\n' "$pins" >"$venv/requirements.txt"
        "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$venv/requirements.txt" >&2
        printf '%s' "$pins" >"$stamp"
    fi
    echo "$venv"
}

# count_writes LOG: number of requests in the emulator's request log whose
# action is not a Describe* read.
count_writes() {
    if [[ ! -s "$1" ]]; then
        echo 0
        return
    fi
    "$VENV_PYTHON" - "$1" <<'PY'
import json
import sys

with open(sys.argv[1], encoding="utf-8") as handle:
    actions = [json.loads(line)["action"] for line in handle if line.strip()]
print(sum(1 for action in actions if not action.startswith("Describe")))
PY
}

# assert_no_secret PATH...: fail when a secret of the emulator accounts, a
# request signature or an Authorization header appears in the files.
assert_no_secret() {
    local pattern='emulator-secret-000[0-9]|emulator-sts-secret-000[0-9]|emulator-sts-token-000[0-9]|ACS3-HMAC-SHA256 Credential|[?&]Signature='
    if grep -rEl "$pattern" "$@" >/dev/null 2>&1; then
        grep -rEl "$pattern" "$@" >&2
        die "a secret or signature appears in the files listed above"
    fi
}
