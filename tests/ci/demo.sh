#!/usr/bin/env bash
# Convert an instance of the example fleet into a distributed instance on the
# API emulator with the collection's playbook, then run the playbook again to
# show that nothing changes the second time.
#
# Environment: SEED (instance to convert, default r-bp1clusterdirect1),
# SPEED (emulator time factor, default 60). The role polls every 2 s, not its
# default 10 s, because the sped-up transitions take only a few seconds.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
venv="$root/.venv"
collections_root="$root/.build/collections"
collection="$collections_root/ansible_collections/alicloud/kvstore"
request_log="$root/.build/demo-requests.jsonl"
seed="${SEED:-r-bp1clusterdirect1}"
speed="${SPEED:-60}"
started="$EPOCHREALTIME"

bash "$root/tests/ci/setup.sh"

work_dir="$(mktemp -d "${TMPDIR:-/tmp}/kvstore-demo.XXXXXX")"
emulator_pid=""

cleanup() {
    if [[ -n "$emulator_pid" ]] && kill -0 "$emulator_pid" 2>/dev/null; then
        kill "$emulator_pid"
        wait "$emulator_pid" 2>/dev/null || true
        echo "demo: emulator stopped"
    fi
    rm -rf "$work_dir"
}
trap cleanup EXIT

rm -f "$request_log"
(
    cd "$collection"
    exec "$venv/bin/python" tests/emulator --state tests/emulator/examples/fleet.yml \
        --host 127.0.0.1 --port 0 --speed "$speed" --request-log "$request_log" \
        >"$work_dir/emulator.out" 2>"$work_dir/emulator.err" </dev/null
) &
emulator_pid=$!

for _ in $(seq 300); do
    if grep -q '^listening on http://' "$work_dir/emulator.out" 2>/dev/null; then
        break
    fi

    if ! kill -0 "$emulator_pid" 2>/dev/null; then
        cat "$work_dir/emulator.err" >&2
        echo "demo: the emulator exited before it printed its address" >&2
        exit 1
    fi

    sleep 0.1
done

endpoint="$(head -n 1 "$work_dir/emulator.out" | sed -n 's/^listening on \(http:\/\/[^ ]*\).*/\1/p')"
if [[ -z "$endpoint" ]]; then
    cat "$work_dir/emulator.err" >&2
    echo "demo: the emulator printed no 'listening on' line within 30 s" >&2
    exit 1
fi
echo "demo: emulator listening on $endpoint (pid $emulator_pid, speed $speed, request log ${request_log#"$root"/})"

# Only the emulator's example account reaches the playbook: credentials of the
# caller's shell are dropped, HOME is empty and the SDK's metadata and CLI
# profile credential sources are off.
for name in $(compgen -e); do
    case "$name" in
        ALIBABA_CLOUD_* | ALICLOUD_* | ANSIBLE_*) unset "$name" ;;
    esac
done
mkdir -p "$work_dir/home"
export HOME="$work_dir/home"
export ALIBABA_CLOUD_ECS_METADATA_DISABLED=true
export ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true
export no_proxy=127.0.0.1,localhost,::1
export NO_PROXY=127.0.0.1,localhost,::1
export ALIBABA_CLOUD_KVSTORE_ENDPOINT="$endpoint"
export ALIBABA_CLOUD_ACCESS_KEY_ID=LTAIemulatorkey0001
export ALIBABA_CLOUD_ACCESS_KEY_SECRET=emulator-secret-0001
export ALIBABA_CLOUD_REGION_ID=cn-hangzhou
export ANSIBLE_COLLECTIONS_PATH="$collections_root"
export ANSIBLE_LOCALHOST_WARNING=false
export ANSIBLE_INVENTORY_UNPARSED_WARNING=false
export ANSIBLE_FORCE_COLOR="${ANSIBLE_FORCE_COLOR:-false}"

run_playbook() {
    "$venv/bin/ansible-playbook" alicloud.kvstore.convert \
        -e "seed_sub_instance_id=$seed" -e release_direct_connection=true \
        -e distributed_instance_poll_interval=2 \
        2>&1 | tee "$work_dir/$1.log"
    return "${PIPESTATUS[0]}"
}

count_requests() {
    if [[ -f "$request_log" ]]; then
        wc -l <"$request_log"
    else
        echo 0
    fi
}

echo
echo "=== demo: first run, converts $seed ==="
run_playbook first

requests_before="$(count_requests)"

echo
echo "=== demo: second run, expects changed=0 ==="
run_playbook second

if ! grep -Eq '^localhost +: .*changed=0 ' "$work_dir/second.log"; then
    echo "demo: the second run changed something; expected changed=0 in its PLAY RECAP" >&2
    exit 1
fi

# The playbook prints distributed_instance_facts at its end.
global_instance_id="$(grep -m 1 -Eo '"global_instance_id": "gr-[^"]+"' "$work_dir/second.log" | cut -d'"' -f4 || true)"
if ! grep -q '"distributed_instance_facts": {' "$work_dir/second.log" || [[ -z "$global_instance_id" ]]; then
    echo "demo: the second run printed no distributed_instance_facts with a gr- global_instance_id" >&2
    exit 1
fi

requests_after="$(count_requests)"
elapsed="$(awk -v start="$started" -v end="$EPOCHREALTIME" 'BEGIN { printf "%.0f", end - start }')"
echo
echo "demo: $seed is the first child of $global_instance_id;" \
    "$requests_before API requests in the first run," \
    "$((requests_after - requests_before)) in the second; finished in $elapsed s"
