#!/usr/bin/env bash
# Build the Galaxy tarball, check what it ships, install it into a temporary
# collections path, and run the conversion ad hoc from that installed copy
# against the emulator, with the credentials only in the environment.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

make_work_dir
isolate_environment

log "building the collection"
tarball="$(build_collection "$WORK_DIR/dist")"
log "built $(basename "$tarball")"

# The tarball ships the execution environment and AWX files and leaves out
# the tests and the emulator.
tar -tzf "$tarball" >"$WORK_DIR/contents.txt"
for expected in MANIFEST.json FILES.json README.md requirements.txt meta/runtime.yml \
    meta/execution-environment.yml examples/ee/execution-environment.yml \
    examples/ee/requirements.yml examples/awx_project/convert.yml \
    examples/awx_project/collections/requirements.yml examples/awx/configure_awx.yml \
    extensions/awx/credential_type.yml changelogs/changelog.yaml \
    plugins/modules/global_distribute_cache.py playbooks/convert.yml; do
    grep -qx "$expected" "$WORK_DIR/contents.txt" || die "the tarball lacks $expected"
done
if grep -E '^(tests|\.venv|\.ci|\.build|\.git)(/|$)' "$WORK_DIR/contents.txt"; then
    die "the tarball contains the paths listed above"
fi
if grep -E '(^|/)emulator(/|$)' "$WORK_DIR/contents.txt"; then
    die "the tarball contains the emulator"
fi
log "tarball contents: $(wc -l <"$WORK_DIR/contents.txt") entries, no tests or emulator"

collections_path="$WORK_DIR/collections"
install_collection "$tarball" "$collections_path"
installed="$collections_path/ansible_collections/alicloud/kvstore"
[[ -f "$installed/MANIFEST.json" ]] || die "no installed collection at $installed"

start_emulator 60

# Run from the work directory with only the installed copy on the path, so
# the source tree cannot be picked up instead.
export ANSIBLE_COLLECTIONS_PATH="$collections_path"
export ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false
# The tree callback writes each host's module result as JSON to a file.
export ANSIBLE_LOAD_CALLBACK_PLUGINS=1
export ANSIBLE_CALLBACKS_ENABLED=ansible.builtin.tree
export ANSIBLE_LOCALHOST_WARNING=false
use_emulator_credentials
export ALIBABA_CLOUD_REGION_ID=cn-hangzhou
export ALIBABA_CLOUD_KVSTORE_ENDPOINT="$EMULATOR_ENDPOINT"
cd "$WORK_DIR"

"$VENV/bin/ansible-doc" --json alicloud.kvstore.global_distribute_cache >"$WORK_DIR/doc.json" ||
    die "ansible-doc cannot read the installed module"
module_path="$("$VENV_PYTHON" -c 'import json, sys; print(next(iter(json.load(open(sys.argv[1])).values()))["doc"]["filename"])' "$WORK_DIR/doc.json")"
case "$module_path" in
    "$installed"/*) log "module loaded from $module_path" ;;
    *) die "ansible-doc found the module at $module_path, not in $installed" ;;
esac

# run_adhoc NAME: run the ad-hoc conversion. Its output goes to NAME.out and
# NAME.err, the module result to NAME/localhost.
run_adhoc() {
    local status=0
    ANSIBLE_CALLBACK_TREE_DIR="$WORK_DIR/$1" "$VENV/bin/ansible" localhost \
        -m alicloud.kvstore.global_distribute_cache -a 'seed_sub_instance_id=r-bp1standard00001' \
        >"$WORK_DIR/$1.out" 2>"$WORK_DIR/$1.err" || status=$?
    if ((status != 0)); then
        cat "$WORK_DIR/$1.out" "$WORK_DIR/$1.err" >&2
        die "ad-hoc run '$1' exited with $status"
    fi
}

# read_result NAME KEY: print one key of the module result of the run NAME.
read_result() {
    "$VENV_PYTHON" - "$WORK_DIR/$1/localhost" "$2" <<'PY'
import json
import sys

with open(sys.argv[1], encoding="utf-8") as handle:
    result = json.load(handle)
print(json.dumps(result.get(sys.argv[2])))
PY
}

run_adhoc first
changed="$(read_result first changed)"
global_id="$(read_result first global_instance_id)"
[[ "$changed" == true ]] || die "first run: changed is $changed, expected true"
[[ "$global_id" == '"gr-'* ]] || die "first run: global_instance_id is $global_id, expected a gr- id"
grep -q '"action": *"CreateGlobalDistributeCache"' "$EMULATOR_LOG" ||
    die "the request log has no CreateGlobalDistributeCache"
log "first run: changed=$changed global_instance_id=$global_id"

writes_before="$(count_writes "$EMULATOR_LOG")"
run_adhoc second
changed="$(read_result second changed)"
[[ "$changed" == false ]] || die "second run: changed is $changed, expected false"
[[ "$(read_result second global_instance_id)" == "$global_id" ]] ||
    die "second run returned another global_instance_id"
writes_after="$(count_writes "$EMULATOR_LOG")"
((writes_after == writes_before)) || die "second run made $((writes_after - writes_before)) writes"
log "second run: changed=false, no write"

assert_no_secret "$WORK_DIR"/first* "$WORK_DIR"/second*
echo "build-install-run: 4 passed, 0 failed"
