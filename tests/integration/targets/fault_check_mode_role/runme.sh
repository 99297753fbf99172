#!/usr/bin/env bash
# Run the role with ansible-playbook --check, the way operators preview a
# conversion. The role reads ansible_check_mode, which only --check sets
# (check_mode on a task or block leaves it false).
set -eu

export ANSIBLE_ROLES_PATH=..
export ANSIBLE_NOCOLOR=1
config=../../integration_config.yml
work="$(mktemp -d)"
facts="$work/emulator.json"

mkdir "$work/home"
export HOME="$work/home"
export ALIBABA_CLOUD_ECS_METADATA_DISABLED=true
export ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true
export no_proxy=127.0.0.1,localhost NO_PROXY=127.0.0.1,localhost

ansible-playbook -i localhost, start_emulator.yml -e "@$config" -e "emulator_facts_file=$facts"
trap 'ansible-playbook -i localhost, stop_emulator.yml -e "@$config" -e "emulator_facts_file=$facts"' EXIT

ansible-playbook --check --diff -i localhost, role_check.yml -e "emulator_facts_file=$facts"
