"""Command line behaviour: address line, binding, signals, bad input files."""

import collections
import re
import signal
import socket
import subprocess
import sys

import pytest
from alibabacloud_tea_openapi.exceptions import ServerException

from tests.emulator_tests.clients import TeaCaller, tea_client
from tests.emulator_tests.conftest import EXAMPLE_FLEET, REPOSITORY_ROOT

# Stands in for a started emulator where a client needs only its endpoint.
Target = collections.namedtuple("Target", "endpoint")


def run_emulator(*args):
    return subprocess.Popen(  # noqa: S603 (fixed command line)
        [sys.executable, "tests/emulator", *args],
        cwd=REPOSITORY_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_first_line_and_sigterm(emulator):
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", emulator.url)
    assert emulator.port > 0

    assert emulator.stop() == 0
    assert "stopped" in emulator.stderr_text()


def test_sigint_stops_cleanly():
    process = run_emulator("--state", str(EXAMPLE_FLEET))
    line = process.stdout.readline()
    assert line.startswith("listening on http://127.0.0.1:")

    process.send_signal(signal.SIGINT)

    assert process.wait(timeout=10) == 0
    stderr = process.stderr.read()
    assert "received signal 2" in stderr


def test_fixed_port_binding():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = run_emulator("--state", str(EXAMPLE_FLEET), "--port", str(port))
    try:
        assert (
            process.stdout.readline().strip() == f"listening on http://127.0.0.1:{port}"
        )
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=10)


def ipv6_loopback_available():
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


@pytest.mark.skipif(
    not ipv6_loopback_available(), reason="no IPv6 loopback on this machine"
)
def test_ipv6_host():
    process = run_emulator("--state", str(EXAMPLE_FLEET), "--host", "::1")
    try:
        line = process.stdout.readline().strip()
        assert re.fullmatch(r"listening on http://\[::1\]:\d+", line)
        endpoint = line.split("//", 1)[1]
        caller = TeaCaller(tea_client(Target(endpoint)))
        assert (
            caller.call("DescribeInstances", RegionId="cn-beijing")["TotalCount"] == 1
        )
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=10)


ACCOUNTS = "accounts: [{access_key_id: a, access_key_secret: b}]\n"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (ACCOUNTS + "settings: {speedy: true}\n", "unknown settings"),
        (ACCOUNTS + "settings: {tair_fields: maybe}\n", "tair_fields"),
        ("instances: []\n", "no accounts"),
        (ACCOUNTS + "instances: [{RegionId: cn-hangzhou}]\n", "InstanceId"),
        (ACCOUNTS + "instances: [{InstanceId: r-x, RegionId: mars-1}]\n", "RegionId"),
        (ACCOUNTS + "fleet: []\n", "unknown top-level keys"),
        (ACCOUNTS + "distributed_instances: [{Status: Normal}]\n", "GlobalInstanceId"),
        (
            ACCOUNTS + "instances: [{InstanceId: r-x, emulator: {slow: 1}}]\n",
            "unknown emulator keys",
        ),
    ],
)
def test_bad_state_file_rejected(tmp_path, content, message):
    state = tmp_path / "state.yml"
    state.write_text(content, encoding="utf-8")

    process = run_emulator("--state", str(state))
    stdout, stderr = process.communicate(timeout=20)

    assert process.returncode == 2
    assert stdout == ""
    assert message in stderr


def test_missing_state_file_rejected(tmp_path):
    process = run_emulator("--state", str(tmp_path / "absent.yml"))
    stdout, stderr = process.communicate(timeout=20)

    assert process.returncode == 2
    assert stdout == ""
    assert "absent.yml" in stderr


def test_example_faults_file_loads():
    faults = REPOSITORY_ROOT / "tests" / "emulator" / "examples" / "faults.yml"
    process = run_emulator("--state", str(EXAMPLE_FLEET), "--faults", str(faults))
    try:
        line = process.stdout.readline().strip()
        endpoint = line.split("//", 1)[1]
        caller = TeaCaller(tea_client(Target(endpoint)))
        with pytest.raises(ServerException) as raised:
            caller.call("DescribeInstances")
        assert (raised.value.code, raised.value.status_code) == (
            "ServiceUnavailable",
            503,
        )
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=10)


@pytest.mark.parametrize("speed", ["0", "-5", "fast"])
def test_invalid_speed_rejected(speed):
    process = run_emulator("--state", str(EXAMPLE_FLEET), "--speed", speed)
    stdout, stderr = process.communicate(timeout=20)

    assert process.returncode == 2
    assert stdout == ""
    assert "--speed" in stderr
