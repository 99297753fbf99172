# Entry points for people and CI. The work is done by the scripts in tests/ci/;
# every target first runs tests/ci/setup.sh (virtualenv, staged collection,
# offline pip bootstrap for ansible-test), which is quick when nothing changed.
#
#   make demo    run the conversion playbook twice against the emulator
#   make test    the whole suite: sanity, units, integration, emulator tests,
#                ansible-lint; prints the seconds each stage took
#   make sanity | units | integration | emulator-test | lint
#                one stage of the suite
#   make bench   the benchmark (tests/bench/run.py)
#   make clean   remove .build/ (the staged collection, logs, demo output)
#
# Variables: PYTHON (creates .venv, default python3), SEED (instance that
# `make demo` converts, default r-bp1clusterdirect1), SPEED (emulator time
# factor for the demo, default 60), TARGETS (integration targets that
# `make integration` runs, separated by spaces; default all).

PYTHON ?= python3
SEED ?= r-bp1clusterdirect1
SPEED ?= 60

export PYTHON

# Checks that run a script tests/ci/NAME.sh go by NAME, for example
# build_install_run or ee_create; `make test` runs them after the core stages.
SCRIPT_STAGES := docs awx_runner ee_create build_install_run awx_lint older_cores
STAGES := setup sanity units integration emulator lint $(SCRIPT_STAGES)

.PHONY: help setup test sanity units integration emulator-test lint demo bench clean

help:
	@awk '/^$$/ { exit } { sub(/^# ?/, ""); print }' Makefile

setup:
	@bash tests/ci/setup.sh

test:
	@bash tests/ci/run_stages.sh $(STAGES)

sanity:
	@bash tests/ci/run_stages.sh setup sanity

units:
	@bash tests/ci/run_stages.sh setup units

integration:
	@INTEGRATION_TARGETS="$(TARGETS)" bash tests/ci/run_stages.sh setup integration

emulator-test:
	@bash tests/ci/run_stages.sh setup emulator

lint:
	@bash tests/ci/run_stages.sh setup lint

demo:
	@SEED="$(SEED)" SPEED="$(SPEED)" bash tests/ci/demo.sh

bench: setup
	@.venv/bin/python tests/bench/run.py

clean:
	rm -rf .build
