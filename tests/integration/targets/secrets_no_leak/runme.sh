#!/usr/bin/env bash
# Run successful and failing module calls at -vvvv with log_path set and the
# credentials only in the controller's environment. Then scan stdout, stderr,
# the log file, the results, the request log and the emulator's own output
# for every secret and security token used.
# No `set -x`: it would print the secrets this test looks for.
set -eu

export ANSIBLE_ROLES_PATH=..
export ANSIBLE_NOCOLOR=1
config=../../integration_config.yml
work="$(mktemp -d)"
facts="$work/emulator.json"
python="$(sed -n 's/^emulator_python: *//p' "$config")"

mkdir "$work/home"
export HOME="$work/home"
export ALIBABA_CLOUD_ECS_METADATA_DISABLED=true
export ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true
export no_proxy=127.0.0.1,localhost NO_PROXY=127.0.0.1,localhost
export ANSIBLE_LOG_PATH="$work/ansible.log"

# Every secret value this test uses. None may appear in any scanned file.
secrets="$work/secrets.txt"
cat > "$secrets" <<SECRETS
emulator-sts-secret-0002
emulator-sts-token-0002
emulator-secret-0001
emulator-secret-0003
wrong-secret-value-0077
SECRETS
# Signing material that must not appear either.
signing="$work/signing.txt"
printf '%s\n' 'ACS3-HMAC-SHA256 Credential' 'x-acs-security-token' 'Signature=' 'SecurityToken=' > "$signing"

ansible-playbook -i localhost, start_emulator.yml -e "@$config" -e "emulator_facts_file=$facts" \
    -e "emulator_faults=$PWD/files/faults_secrets.yml"
trap 'ansible-playbook -i localhost, stop_emulator.yml -e "@$config" -e "emulator_facts_file=$facts"' EXIT

fail() {
    echo "FAILED: $*"
    exit 1
}

# Run secrets_play.yml at -vvvv. Its output goes to $work/$1.out and $work/$1.err.
run_play() {
    local name="$1"
    shift
    local rc=0
    ansible-playbook -vvvv -i localhost, secrets_play.yml -e "emulator_facts_file=$facts" \
        -e "results_file=$work/$name.results.json" "$@" > "$work/$name.out" 2> "$work/$name.err" || rc=$?
    echo "$name: exit code $rc, $(wc -l < "$work/$name.out") lines of output"
    [ -s "$work/$name.results.json" ] || fail "$name wrote no results; see the end of its output: $(tail -5 "$work/$name.out")"
}

# 1. An STS key pair in the environment, with successful and failing calls.
ALIBABA_CLOUD_ACCESS_KEY_ID=STS.emulatorsts0002 \
ALIBABA_CLOUD_ACCESS_KEY_SECRET=emulator-sts-secret-0002 \
ALIBABA_CLOUD_SECURITY_TOKEN=emulator-sts-token-0002 \
    run_play sts_environment
"$python" - "$work/sts_environment.results.json" <<'CHECK' || fail "the STS run did not convert"
import json, sys
results = json.load(open(sys.argv[1]))
assert not results["convert"].get("failed"), results["convert"].get("msg")
assert results["convert"]["global_instance_id"].startswith("gr-")
assert results["not_found"]["failed"] and results["refused"]["failed"]
CHECK

# 2. A wrong secret in the legacy environment names.
ALICLOUD_ACCESS_KEY=LTAIemulatorkey0001 ALICLOUD_SECRET_KEY=wrong-secret-value-0077 \
    run_play wrong_secret -e convert_seed=r-bp1clusterplain01
grep -q 'SignatureDoesNotMatch' "$work/wrong_secret.results.json" || fail "the wrong secret was not reported as SignatureDoesNotMatch"

# 3. A read-only key: every write is refused with Forbidden.RAM.
ALIBABA_CLOUD_ACCESS_KEY_ID=LTAIemulatorread003 ALIBABA_CLOUD_ACCESS_KEY_SECRET=emulator-secret-0003 \
    run_play read_only -e convert_seed=r-bp1clusterplain01
grep -q 'Forbidden.RAM' "$work/read_only.results.json" || fail "the read-only key was not reported as Forbidden.RAM"

# 4. The credentials in module_defaults from a vars file, not the environment.
cat > "$work/credentials.yml" <<VARS
credentials_vars:
  access_key_id: LTAIemulatorkey0001
  access_key_secret: emulator-secret-0001
VARS
run_play module_defaults -e "@$work/credentials.yml" -e convert_seed=r-bp1clusterplain01

# 5. No credentials at all, so the default chain fails with its own exception text.
run_play no_credentials -e convert_seed=r-bp1clusterplain01
grep -qi 'credential' "$work/no_credentials.results.json" || fail "the missing credentials were not reported"

request_log="$("$python" -c 'import json, sys; print(json.load(open(sys.argv[1]))["emulator_request_log"])' "$facts")"
emulator_dir="$("$python" -c 'import json, sys; print(json.load(open(sys.argv[1]))["emulator_work_dir"])' "$facts")"
scanned=("$work"/*.out "$work"/*.err "$work"/*.results.json "$ANSIBLE_LOG_PATH" "$request_log"
    "$emulator_dir/emulator.out" "$emulator_dir/emulator.err")

[ -s "$ANSIBLE_LOG_PATH" ] || fail "log_path was set but the log file is empty"
grep -q 'ESTABLISH LOCAL CONNECTION' "$work/sts_environment.out" || fail "the run was not at -vvvv"

# Print only file names and line numbers, never the matching lines.
leaks=0
for file in "${scanned[@]}"; do
    if grep -n -F -f "$secrets" "$file" | cut -d: -f1 | sed "s|^|secret in $file line |" | grep .; then
        leaks=1
    fi
    if grep -n -F -f "$signing" "$file" | cut -d: -f1 | sed "s|^|signing material in $file line |" | grep .; then
        leaks=1
    fi
done
[ "$leaks" -eq 0 ] || fail "secrets or signing material leaked"
echo "scanned ${#scanned[@]} files: no secret, token or signature"
