#!/usr/bin/env bash
# Run test stages in the order given and print the seconds each one took.
#
# Usage: tests/ci/run_stages.sh STAGE...
# Stages: setup sanity units integration emulator lint, or the name of a
# script tests/ci/NAME.sh, which then runs from the repository root.
#
# The run stops at the first failing stage and exits non-zero; the timing
# table is printed in every case. A stage that finds nothing to test passes
# but is listed as "no tests" in the table, so a missing suite stays visible.
# Every stage except setup works on the staged copy of the collection that
# setup writes to .build/collections/ansible_collections/alicloud/kvstore.
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
venv="$root/.venv"
collections_root="$root/.build/collections"
collection="$collections_root/ansible_collections/alicloud/kvstore"
log_dir="$root/.build/logs"

export PATH="$venv/bin:$PATH"

# ansible-test looks for a version control root above the collection and
# would find the checkout's .git, in which .build/ is ignored, and then test
# no files at all. Naming the content root stops that search. The git ceiling
# keeps git commands started inside the copy, such as ansible-lint's file
# discovery, from reading the checkout's repository.
export ANSIBLE_TEST_CONTENT_ROOT="$collection"
export GIT_CEILING_DIRECTORIES="$collections_root"

# No test may reach a real account or the metadata service: drop credentials
# inherited from the caller and switch off the SDK's other credential sources.
for name in $(compgen -e); do
    case "$name" in
        ALIBABA_CLOUD_* | ALICLOUD_*) unset "$name" ;;
    esac
done
export ALIBABA_CLOUD_ECS_METADATA_DISABLED=true
export ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true
export no_proxy=127.0.0.1,localhost,::1
export NO_PROXY=127.0.0.1,localhost,::1

stage_names=()
stage_seconds=()
stage_results=()
stage_notes=()
# Set by a stage function that found nothing to test.
stage_note=""

print_timings() {
    local index passed=0 failed=0 skipped=0

    echo
    echo "=== test stages ==="
    printf '%-12s %9s  %-9s %s\n' stage seconds result note

    for index in "${!stage_names[@]}"; do
        printf '%-12s %9s  %-9s %s\n' "${stage_names[$index]}" "${stage_seconds[$index]}" \
            "${stage_results[$index]}" "${stage_notes[$index]}"

        case "${stage_results[$index]}" in
            ok) passed=$((passed + 1)) ;;
            failed) failed=$((failed + 1)) ;;
            *) skipped=$((skipped + 1)) ;;
        esac
    done

    echo "stages: $passed passed, $failed failed, $skipped skipped"
}

python_version() {
    "$venv/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])'
}

count_files() {
    # count_files DIR NAME_PATTERN: number of matching files under DIR.
    if [[ -d "$1" ]]; then
        find "$1" -type f -name "$2" -not -path '*/output/*' | wc -l
    else
        echo 0
    fi
}

stage_setup() {
    bash "$root/tests/ci/setup.sh"
}

stage_sanity() {
    local ignore_files rc

    cd "$collection" || return 1

    ignore_files="$(find tests/sanity -name 'ignore-*.txt' 2>/dev/null)"
    if [[ -n "$ignore_files" ]]; then
        echo "sanity: ignore files are not allowed, fix the findings instead: $ignore_files"
        return 1
    fi

    rm -rf tests/output/junit
    ansible-test sanity --local --python "$(python_version)" --color no --junit
    rc=$?

    "$venv/bin/python" "$root/tests/ci/sanity_summary.py" tests/output/junit || rc=1
    return "$rc"
}

stage_units() {
    local test_count

    cd "$collection" || return 1

    test_count="$(count_files tests/unit 'test_*.py')"
    if [[ "$test_count" -eq 0 ]]; then
        echo "units: no test_*.py files under tests/unit, nothing to run"
        stage_note="no test_*.py under tests/unit"
        return 0
    fi

    echo "units: $test_count test files under tests/unit"
    ansible-test units --local --python "$(python_version)" --color no
}

# Kill emulators that an integration target started but did not stop, and
# report them, so that one failing target leaves no process behind.
stop_leftover_emulators() {
    local pid_file pid

    for pid_file in "$collection"/tests/output/.tmp/emulator/*/emulator.pid; do
        [[ -f "$pid_file" ]] || continue
        pid="$(cat "$pid_file")"

        # ps shows an exited emulator that no process reaped as a zombie (Z).
        if [[ "$(ps -o stat= -p "$pid" 2>/dev/null)" =~ ^[^Z] ]]; then
            echo "integration: WARNING: emulator pid $pid was still running, stopping it ($pid_file)"
            kill "$pid" 2>/dev/null || true
        fi

        rm -f "$pid_file"
    done
}

stage_integration() {
    local targets rc selected=() target_list=()

    cd "$collection" || return 1

    if [[ ! -d tests/integration/targets ]]; then
        echo "integration: tests/integration/targets does not exist, nothing to run"
        stage_note="no integration targets"
        return 0
    fi

    # Targets named setup_* or prepare_* are hidden: ansible-test runs them
    # only for the targets that depend on them. INTEGRATION_TARGETS (names
    # separated by spaces) narrows the run.
    read -r -a selected <<<"${INTEGRATION_TARGETS:-}"
    targets="$(ansible-test integration --list-targets "${selected[@]}" 2>/dev/null)"
    if [[ -z "$targets" ]]; then
        echo "integration: no runnable targets under tests/integration/targets"
        stage_note="no integration targets"
        return 0
    fi

    echo "integration: targets: ${targets//$'\n'/ }"
    mapfile -t target_list <<<"$targets"
    ansible-test integration --local --python "$(python_version)" --color no "${target_list[@]}"
    rc=$?

    stop_leftover_emulators
    return "$rc"
}

stage_emulator() {
    local test_count rc

    cd "$collection" || return 1

    test_count="$(count_files tests/emulator_tests 'test_*.py')"
    if [[ "$test_count" -eq 0 ]]; then
        echo "emulator: no test_*.py files under tests/emulator_tests, nothing to run"
        stage_note="no test_*.py under tests/emulator_tests"
        return 0
    fi

    "$venv/bin/pytest" -p no:cacheprovider tests/emulator_tests
    rc=$?

    # Exit code 5 means pytest collected no tests from the files it found.
    if [[ "$rc" -eq 5 ]]; then
        echo "emulator: pytest collected no tests from tests/emulator_tests"
        return 1
    fi

    return "$rc"
}

stage_lint() {
    local paths=() options=() path

    cd "$collection" || return 1

    for path in roles playbooks; do
        if [[ -n "$(find "$path" -type f \( -name '*.yml' -o -name '*.yaml' \) 2>/dev/null)" ]]; then
            paths+=("$path/")
        fi
    done

    if [[ "${#paths[@]}" -eq 0 ]]; then
        echo "lint: no YAML files under roles/ or playbooks/, nothing to lint"
        stage_note="nothing under roles/ or playbooks/"
        return 0
    fi

    # Colour codes only clutter a CI log.
    if [[ -n "${CI:-}" ]]; then
        options+=(--nocolor)
    fi

    echo "lint: ansible-lint on ${paths[*]}"
    ANSIBLE_COLLECTIONS_PATH="$collections_root" \
        ansible-lint --offline --profile production "${options[@]}" "${paths[@]}"
}

run_script_stage() {
    cd "$root" && bash "$root/tests/ci/$1.sh"
}

run_stage() {
    local name="$1" started rc elapsed
    local -a command

    if declare -F "stage_$name" >/dev/null; then
        command=("stage_$name")
    elif [[ -f "$root/tests/ci/$name.sh" ]]; then
        command=(run_script_stage "$name")
    else
        echo "unknown stage: $name (known: setup sanity units integration emulator lint," \
            "or a script tests/ci/$name.sh)"
        return 2
    fi

    echo
    echo "=== stage $name ==="
    mkdir -p "$log_dir"
    stage_note=""
    started="$EPOCHREALTIME"

    # Each stage runs in a subshell, so its cd does not leak into the next
    # one. Its output goes to the terminal and to .build/logs/STAGE.log.
    (
        "${command[@]}"
        rc=$?
        echo "$stage_note" > "$log_dir/$name.note"
        exit "$rc"
    ) 2>&1 | tee "$log_dir/$name.log"
    rc="${PIPESTATUS[0]}"

    elapsed="$(awk -v start="$started" -v end="$EPOCHREALTIME" 'BEGIN { printf "%.1f", end - start }')"
    stage_names+=("$name")
    stage_seconds+=("$elapsed")
    stage_notes+=("$(cat "$log_dir/$name.note" 2>/dev/null)")

    if [[ "$rc" -ne 0 ]]; then
        stage_results+=("failed")
    elif [[ -n "${stage_notes[-1]}" ]]; then
        stage_results+=("no tests")
    else
        stage_results+=("ok")
    fi

    return "$rc"
}

if [[ "$#" -eq 0 ]]; then
    echo "usage: $0 STAGE... (stages: setup sanity units integration emulator lint," \
        "or NAME for a script tests/ci/NAME.sh)"
    exit 2
fi

trap print_timings EXIT

for stage in "$@"; do
    if ! run_stage "$stage"; then
        echo
        echo "stage $stage failed; later stages were not run"
        exit 1
    fi
done
