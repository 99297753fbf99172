#!/usr/bin/env bash
# Run the modules with no credentials anywhere: no options, no environment
# variables, an empty HOME, and CLI profiles and the ECS metadata service
# disabled. They must fail within seconds and name the credential sources
# they tried. They must send no request and connect only to loopback.
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
unset ALIBABA_CLOUD_ACCESS_KEY_ID ALIBABA_CLOUD_ACCESS_KEY_SECRET ALIBABA_CLOUD_SECURITY_TOKEN \
    ALICLOUD_ACCESS_KEY ALICLOUD_SECRET_KEY ALICLOUD_SECURITY_TOKEN ALIBABA_CLOUD_PROFILE \
    ALIBABA_CLOUD_CREDENTIALS_FILE ALIBABA_CLOUD_CREDENTIALS_URI ALIBABA_CLOUD_ROLE_ARN \
    ALIBABA_CLOUD_OIDC_TOKEN_FILE ALIBABA_CLOUD_OIDC_PROVIDER_ARN ALIBABA_CLOUD_ECS_METADATA

ansible-playbook -i localhost, start_emulator.yml -e "@$config" -e "emulator_facts_file=$facts"
trap 'ansible-playbook -i localhost, stop_emulator.yml -e "@$config" -e "emulator_facts_file=$facts"' EXIT

endpoint="$("$python" -c 'import json, sys; print(json.load(open(sys.argv[1]))["emulator_endpoint"])' "$facts")"
request_log="$("$python" -c 'import json, sys; print(json.load(open(sys.argv[1]))["emulator_request_log"])' "$facts")"
export ALIBABA_CLOUD_KVSTORE_ENDPOINT="$endpoint"
export ALIBABA_CLOUD_REGION_ID=cn-hangzhou

# Every Python process from here on records its connections and name lookups.
export PYTHONPATH="$PWD/files/connect_audit${PYTHONPATH:+:$PYTHONPATH}"
export KVSTORE_CONNECT_AUDIT_LOG="$work/connections.log"
: > "$KVSTORE_CONNECT_AUDIT_LOG"

fail() {
    echo "FAILED: $*"
    exit 1
}

# Run an ad-hoc module call. Its output goes to $work/$1.out and its exit code to $rc.
adhoc() {
    local name="$1"
    shift
    local started ended
    started="$(date +%s.%N)"
    rc=0
    ansible localhost -i localhost, -c local -e "ansible_python_interpreter=$python" "$@" > "$work/$name.out" 2>&1 || rc=$?
    ended="$(date +%s.%N)"
    elapsed="$(echo "$ended - $started" | bc)"
    echo "$name: exit code $rc after $elapsed s"
    cat "$work/$name.out"
}

adhoc no_credentials -m alicloud.kvstore.global_distribute_cache \
    -a "seed_sub_instance_id=r-bp1standard00001 wait_timeout=20 api_retries=1 connect_timeout=2 read_timeout=2"
[ "$rc" -ne 0 ] || fail "the conversion without credentials succeeded"
grep -qi 'credential' "$work/no_credentials.out" || fail "the message does not mention credentials"
# The message lists the sources the default chain tried.
grep -qi 'environment' "$work/no_credentials.out" || fail "the message does not name the environment variables as a source"
grep -qiE 'profile|credentials file|credentials\.ini' "$work/no_credentials.out" || fail "the message does not name the credentials file or profile"
grep -q 'ALIBABA_CLOUD_ACCESS_KEY_ID\|access_key_id' "$work/no_credentials.out" || fail "the message does not say how to set credentials"
# A busy controller needs a few seconds per ansible call; a default chain
# that tried the network would wait for connection timeouts on top.
[ "$(echo "$elapsed < 30" | bc)" -eq 1 ] || fail "the failure took $elapsed s; the default chain must fail fast"

adhoc no_credentials_info -m alicloud.kvstore.instance_info -a "instance_ids=r-bp1standard00001 api_retries=1"
[ "$rc" -ne 0 ] || fail "instance_info without credentials succeeded"
grep -qi 'credential' "$work/no_credentials_info.out" || fail "the instance_info message does not mention credentials"

adhoc missing_profile -m alicloud.kvstore.instance_info -a "instance_ids=r-bp1standard00001 profile=nosuchprofile api_retries=1"
[ "$rc" -ne 0 ] || fail "a profile that does not exist was accepted"
grep -q 'nosuchprofile' "$work/missing_profile.out" || fail "the message does not name the missing profile"

# No request reached the emulator: nothing was sent without credentials.
[ ! -s "$request_log" ] || fail "requests reached the emulator without credentials: $(cat "$request_log")"

# Control: with keys in the environment the same call reaches the emulator,
# which shows that the connection audit records connections.
ALIBABA_CLOUD_ACCESS_KEY_ID=LTAIemulatorkey0001 ALIBABA_CLOUD_ACCESS_KEY_SECRET=emulator-secret-0001 \
    adhoc environment_keys -m alicloud.kvstore.instance_info -a "instance_ids=r-bp1standard00001"
[ "$rc" -eq 0 ] || fail "instance_info with keys in the environment failed"
grep -q "127.0.0.1" "$KVSTORE_CONNECT_AUDIT_LOG" || fail "the connection audit recorded no connection to the emulator"

"$python" files/check_audit.py "$KVSTORE_CONNECT_AUDIT_LOG" || fail "a process reached a non-loopback address"
echo "connections recorded: $(wc -l < "$KVSTORE_CONNECT_AUDIT_LOG"), all loopback"
