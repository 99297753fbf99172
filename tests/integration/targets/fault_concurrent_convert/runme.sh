#!/usr/bin/env bash
# Two ansible-playbook processes convert the same seed at the same time
# against one emulator: one conversion may be accepted, never two.
set -eu

export ANSIBLE_ROLES_PATH=..
export ANSIBLE_NOCOLOR=1
config=../../integration_config.yml
work="$(mktemp -d)"
facts="$work/emulator.json"

# Isolation: the modules also get these through the plays' environment.
mkdir "$work/home"
export HOME="$work/home"
export ALIBABA_CLOUD_ECS_METADATA_DISABLED=true
export ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true
export no_proxy=127.0.0.1,localhost NO_PROXY=127.0.0.1,localhost

ansible-playbook -i localhost, start_emulator.yml -e "@$config" \
    -e "emulator_facts_file=$facts" -e "emulator_faults=$PWD/files/faults_race.yml"
trap 'ansible-playbook -i localhost, stop_emulator.yml -e "@$config" -e "emulator_facts_file=$facts"' EXIT

# Run two plays that convert $2 with runner $1 (module or role), with the
# release of a direct connection set to $3, then check the outcome.
race() {
    local runner="$1" seed="$2" release="$3"
    local first="$work/$seed-first.json" second="$work/$seed-second.json"
    local common=(-i "localhost," convert.yml -e "emulator_facts_file=$facts"
        -e "runner=$runner" -e "seed=$seed" -e "release=$release")

    ansible-playbook "${common[@]}" -e "result_file=$first" > "$work/$seed-first.out" 2>&1 &
    local first_pid=$!
    ansible-playbook "${common[@]}" -e "result_file=$second" > "$work/$seed-second.out" 2>&1 &
    local second_pid=$!

    local first_rc=0 second_rc=0
    wait "$first_pid" || first_rc=$?
    wait "$second_pid" || second_rc=$?
    echo "race on $seed ($runner): exit codes $first_rc and $second_rc"
    cat "$work/$seed-first.out" "$work/$seed-second.out"

    ansible-playbook -i localhost, check_race.yml -e "emulator_facts_file=$facts" \
        -e "seed=$seed" -e "result_first=$first" -e "result_second=$second"
}

race module r-bp1standard00001 false
race role r-bp1clusterdirect1 true
