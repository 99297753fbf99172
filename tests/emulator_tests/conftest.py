"""Fixtures that start the emulator as a subprocess and build SDK clients for it."""

import copy
import functools
import json
import os
import pathlib
import signal
import subprocess
import sys
import tempfile

import pytest
import yaml

REPOSITORY_ROOT = pathlib.Path(__file__).resolve().parents[2]
EXAMPLE_FLEET = REPOSITORY_ROOT / "tests" / "emulator" / "examples" / "fleet.yml"

ACCESS_KEY_ID = "LTAIemulatorkey0001"
ACCESS_KEY_SECRET = "emulator-secret-0001"
STS_KEY_ID = "STS.emulatorsts0002"
STS_KEY_SECRET = "emulator-sts-secret-0002"
STS_TOKEN = "emulator-sts-token-0002"
READ_ONLY_KEY_ID = "LTAIemulatorread003"
READ_ONLY_KEY_SECRET = "emulator-secret-0003"
SECRETS = (ACCESS_KEY_SECRET, STS_KEY_SECRET, STS_TOKEN, READ_ONLY_KEY_SECRET)

# Test fleets use durations of one emulated second; at this speed a transition
# takes 0.1 real seconds.
FAST_SPEED = 10
FAST_DURATIONS = {
    "convert": 1,
    "release_direct_connection": 1,
    "allocate_direct_connection": 1,
    "remove_sub_instance": 1,
}

# The SDKs read these at import time, so they are set before any SDK import.
ISOLATION_ENV = {
    "ALIBABA_CLOUD_ECS_METADATA_DISABLED": "true",
    "ALIBABA_CLOUD_CLI_PROFILE_DISABLED": "true",
    "no_proxy": "127.0.0.1,localhost",
    "NO_PROXY": "127.0.0.1,localhost",
}
os.environ.update(ISOLATION_ENV)
os.environ["HOME"] = tempfile.mkdtemp(prefix="emulator-tests-home-")
for proxy_variable in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
    os.environ.pop(proxy_variable, None)


class RunningEmulator:
    """A started emulator subprocess: its address, request log and stderr."""

    def __init__(self, process, url, request_log, stderr_path):
        self.process = process
        self.url = url
        self.endpoint = url.split("://", 1)[1]
        self.port = int(url.rsplit(":", 1)[1])
        self.request_log = request_log
        self.stderr_path = stderr_path

    def log_entries(self):
        """Return the request log records written so far."""
        with open(self.request_log, encoding="utf-8") as stream:
            return [json.loads(line) for line in stream if line.strip()]

    def stderr_text(self):
        """Return what the emulator has logged to stderr so far."""
        return pathlib.Path(self.stderr_path).read_text(encoding="utf-8")

    def stop(self):
        """Stop the emulator with SIGTERM and return its exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


@functools.lru_cache(maxsize=None)
def _example_fleet():
    with open(EXAMPLE_FLEET, encoding="utf-8") as stream:
        return yaml.safe_load(stream)


def build_state(
    settings=None, instances=None, accounts=None, durations=None, replace_accounts=False
):
    """Return the example fleet with overrides.

    Extra ``instances`` and ``accounts`` are appended; with ``replace_accounts``
    the given accounts replace those of the example fleet.
    """
    state = copy.deepcopy(_example_fleet())
    state["settings"]["durations"] = dict(FAST_DURATIONS, **(durations or {}))
    state["settings"].update(settings or {})
    state["instances"].extend(instances or [])
    if replace_accounts:
        state["accounts"] = list(accounts)
    else:
        state["accounts"].extend(accounts or [])
    return state


def start_emulator(directory, state, faults=None, speed=FAST_SPEED, extra_args=()):
    """Start ``python tests/emulator`` on port 0 and wait for its address line."""
    directory = pathlib.Path(directory)
    state_path = directory / "state.yml"
    # JSON is valid YAML and much faster to write and read than YAML.
    state_path.write_text(json.dumps(state), encoding="utf-8")
    request_log = directory / "requests.jsonl"
    stderr_path = directory / "emulator.stderr"
    command = [
        sys.executable,
        "tests/emulator",
        "--state",
        str(state_path),
        "--port",
        "0",
        "--request-log",
        str(request_log),
        "--speed",
        str(speed),
    ]
    if faults is not None:
        faults_path = directory / "faults.yml"
        faults_path.write_text(json.dumps(faults), encoding="utf-8")
        command += ["--faults", str(faults_path)]
    command += list(extra_args)

    with open(stderr_path, "w", encoding="utf-8") as stderr:
        process = subprocess.Popen(  # noqa: S603 (fixed command line)
            command,
            cwd=REPOSITORY_ROOT,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
    first_line = process.stdout.readline().strip()
    if not first_line.startswith("listening on http://"):
        process.kill()
        process.wait()
        message = pathlib.Path(stderr_path).read_text(encoding="utf-8")
        raise RuntimeError(f"emulator did not start: {first_line!r} {message}")
    return RunningEmulator(
        process, first_line.split(" ", 2)[2], request_log, stderr_path
    )


@pytest.fixture
def emulator_factory(tmp_path):
    """Start emulators with a given state (and faults); all stop after the test."""
    started = []

    def factory(
        settings=None, instances=None, faults=None, speed=FAST_SPEED, **state_overrides
    ):
        directory = tmp_path / f"emulator{len(started)}"
        directory.mkdir()
        state = build_state(settings, instances, **state_overrides)
        emulator = start_emulator(directory, state, faults, speed)
        started.append(emulator)
        return emulator

    yield factory
    for emulator in started:
        emulator.process.send_signal(signal.SIGTERM)
    for emulator in started:
        emulator.stop()


@pytest.fixture
def emulator(emulator_factory):
    """An emulator serving the example fleet with fast transitions."""
    return emulator_factory()


@pytest.fixture(scope="module")
def shared_emulator(tmp_path_factory):
    """An example-fleet emulator shared by the read-only tests of one module."""
    emulator = start_emulator(tmp_path_factory.mktemp("shared"), build_state())
    yield emulator
    emulator.stop()
