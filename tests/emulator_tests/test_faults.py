"""Faults from a faults file, as the SDK raises them."""

import logging
import time

import pytest
from alibabacloud_r_kvstore20150101 import models
from alibabacloud_tea_openapi.exceptions import (
    ClientException,
    ServerException,
    ThrottlingException,
)
from aliyunsdkcore.acs_exception.exceptions import (
    ServerException as CoreServerException,
)
from darabonba.exceptions import UnretryableException
from darabonba.runtime import RuntimeOptions

from tests.emulator.dispatch import RejectionLog
from tests.emulator_tests.clients import (
    CoreCaller,
    TeaCaller,
    instance_attribute,
    tea_client,
    wait_for,
)
from tests.emulator_tests.conftest import READ_ONLY_KEY_ID, READ_ONLY_KEY_SECRET

SEED = "r-bp1standard00001"


def start(emulator_factory, faults, **kwargs):
    emulator = emulator_factory(faults=faults, **kwargs)
    return emulator, TeaCaller(tea_client(emulator))


def start_caller(emulator_factory, faults, **kwargs):
    return start(emulator_factory, faults, **kwargs)[1]


def test_throttle_per_access_key(emulator_factory):
    faults = {"throttle": {"rate_per_second": 0.1, "burst": 2}}
    emulator, caller = start(emulator_factory, faults)
    caller.call("DescribeInstances")
    caller.call("DescribeInstances")

    with pytest.raises(ClientException) as raised:
        caller.call("DescribeInstances")

    assert raised.value.code == "Throttling.User"
    assert raised.value.status_code == 400
    assert not isinstance(raised.value, ThrottlingException)
    other_key = TeaCaller(tea_client(emulator, READ_ONLY_KEY_ID, READ_ONLY_KEY_SECRET))
    assert other_key.call("DescribeInstances")["TotalCount"] == 8
    assert emulator.log_entries()[2]["code"] == "Throttling.User"


def test_throttle_refills(emulator_factory):
    faults = {"throttle": {"rate_per_second": 1, "burst": 1, "code": "Throttling.Api"}}
    caller = start_caller(emulator_factory, faults)
    caller.call("DescribeInstances")
    with pytest.raises(ClientException) as raised:
        caller.call("DescribeInstances")
    assert raised.value.code == "Throttling.Api"

    time.sleep(1.1)

    assert caller.call("DescribeInstances")["TotalCount"] == 8


def test_throttle_retry_after_header(emulator_factory):
    faults = {"throttle": {"rate_per_second": 0.1, "burst": 1, "retry_after_ms": 1500}}
    caller = start_caller(emulator_factory, faults)
    caller.call("DescribeInstances")

    with pytest.raises(ThrottlingException) as raised:
        caller.call("DescribeInstances")

    assert raised.value.code == "Throttling.User"
    assert raised.value.status_code == 400
    assert raised.value.retry_after == 1500


def test_error_times_after(emulator_factory):
    faults = {
        "errors": [
            {
                "action": "*",
                "code": "ServiceUnavailable",
                "status": 503,
                "times": 2,
                "after": 1,
            }
        ]
    }
    emulator, caller = start(emulator_factory, faults)

    caller.call("DescribeInstances")
    for _attempt in range(2):
        with pytest.raises(ServerException) as raised:
            caller.call("DescribeInstanceAttribute", InstanceId=SEED)
        assert (raised.value.code, raised.value.status_code) == (
            "ServiceUnavailable",
            503,
        )
    caller.call("DescribeInstanceAttribute", InstanceId=SEED)

    statuses = [entry["status"] for entry in emulator.log_entries()]
    assert statuses == [200, 503, 503, 200]


def test_error_code_without_status(emulator_factory):
    faults = {
        "errors": [
            {
                "action": "CreateGlobalDistributeCache",
                "code": "InternalError",
                "times": -1,
            }
        ]
    }
    caller = start_caller(emulator_factory, faults)

    for _attempt in range(3):
        with pytest.raises(ServerException) as raised:
            caller.call("CreateGlobalDistributeCache", SeedSubInstanceId=SEED)
        assert (raised.value.code, raised.value.status_code) == ("InternalError", 500)
    assert "GlobalInstanceId" not in instance_attribute(caller.client, SEED)


def test_error_status_without_code(emulator_factory):
    faults = {
        "errors": [
            {"action": "Describe*", "status": 503, "message": "Try again later."}
        ]
    }
    caller = start_caller(emulator_factory, faults)

    with pytest.raises(ServerException) as raised:
        caller.call("DescribeInstances")

    assert (raised.value.code, raised.value.status_code) == ("ServiceUnavailable", 503)
    assert raised.value.data["Message"] == "Try again later."


def test_error_html_body(emulator_factory):
    faults = {
        "errors": [
            {"action": "DescribeInstances", "status": 502, "body": "html", "times": 2}
        ]
    }
    emulator, caller = start(emulator_factory, faults)

    with pytest.raises(UnretryableException) as raised:
        caller.call("DescribeInstances")
    assert isinstance(raised.value.inner_exception, RuntimeError)
    with pytest.raises(CoreServerException) as core_raised:
        CoreCaller(emulator).call("DescribeInstances")

    assert core_raised.value.get_http_status() == 502
    assert emulator.log_entries()[0]["status"] == 502


def test_drop_connection_skips_action(emulator_factory):
    faults = {
        "errors": [{"action": "CreateGlobalDistributeCache", "drop_connection": True}]
    }
    emulator, caller = start(emulator_factory, faults)

    with pytest.raises(UnretryableException) as raised:
        caller.call(
            "CreateGlobalDistributeCache",
            SeedSubInstanceId=SEED,
            EffectiveTime="Immediately",
        )

    assert "closed connection" in str(raised.value) or "aborted" in str(raised.value)
    seed = instance_attribute(caller.client, SEED)
    assert seed["InstanceStatus"] == "Normal"
    assert "GlobalInstanceId" not in seed
    first = emulator.log_entries()[0]
    assert (first["status"], first["code"]) == (0, None)


def test_drop_connection_then_normal(emulator_factory):
    faults = {
        "errors": [
            {"action": "DescribeInstanceAttribute", "drop_connection": True, "times": 1}
        ]
    }
    caller = start_caller(emulator_factory, faults)

    with pytest.raises(UnretryableException):
        caller.call("DescribeInstanceAttribute", InstanceId=SEED)

    assert instance_attribute(caller.client, SEED)["InstanceId"] == SEED


def test_latency_read_timeout(emulator_factory):
    faults = {"latency": [{"action": "DescribeDBInstanceNetInfo", "seconds": 1.5}]}
    caller = start_caller(emulator_factory, faults)
    request = models.DescribeDBInstanceNetInfoRequest(instance_id=SEED)

    with pytest.raises(UnretryableException) as raised:
        caller.client.describe_dbinstance_net_info_with_options(
            request, RuntimeOptions(read_timeout=300)
        )
    assert "timed out" in str(raised.value).lower()

    started = time.monotonic()
    caller.call("DescribeInstanceAttribute", InstanceId=SEED)
    assert time.monotonic() - started < 1.5
    started = time.monotonic()
    caller.call("DescribeDBInstanceNetInfo", InstanceId=SEED)
    assert time.monotonic() - started >= 1.5


def test_latency_counted_calls(emulator_factory):
    faults = {
        "latency": [
            {"action": "DescribeInstances", "seconds": 1.5, "times": 1, "after": 1}
        ]
    }
    caller = start_caller(emulator_factory, faults)
    durations = []

    for _attempt in range(3):
        started = time.monotonic()
        caller.call("DescribeInstances")
        durations.append(time.monotonic() - started)

    assert durations[0] < 1.5
    assert durations[1] >= 1.5
    assert durations[2] < 1.5


def test_lost_response_applies_action(emulator_factory):
    faults = {"lost_responses": [{"action": "CreateGlobalDistributeCache", "times": 1}]}
    emulator, caller = start(emulator_factory, faults, durations={"convert": 600})

    with pytest.raises(UnretryableException):
        caller.call(
            "CreateGlobalDistributeCache",
            SeedSubInstanceId=SEED,
            EffectiveTime="Immediately",
        )

    seed = instance_attribute(caller.client, SEED)
    assert seed["GlobalInstanceId"].startswith("gr-")
    assert seed["InstanceStatus"] == "Changing"
    with pytest.raises(ClientException) as raised:
        caller.call(
            "CreateGlobalDistributeCache",
            SeedSubInstanceId=SEED,
            EffectiveTime="Immediately",
        )
    assert (raised.value.code, raised.value.status_code) == ("TaskHasExist", 400)
    assert emulator.log_entries()[0]["status"] == 200


def test_stuck_transition_never_finishes(emulator_factory):
    faults = {"stuck_transitions": [{"action": "ReleaseDirectConnection"}]}
    caller = start_caller(emulator_factory, faults, speed=100)

    caller.call("ReleaseDirectConnection", InstanceId="r-bp1clusterdirect1")
    time.sleep(0.3)

    assert (
        instance_attribute(caller.client, "r-bp1clusterdirect1")["InstanceStatus"]
        == "Changing"
    )
    net = caller.call("DescribeDBInstanceNetInfo", InstanceId="r-bp1clusterdirect1")
    assert [
        item["DirectConnection"] for item in net["NetInfoItems"]["InstanceNetInfo"]
    ] == [0, 1]
    caller.call(
        "CreateGlobalDistributeCache",
        SeedSubInstanceId=SEED,
        EffectiveTime="Immediately",
    )
    wait_for(
        lambda: instance_attribute(caller.client, SEED)["InstanceStatus"] == "Normal"
    )


def test_stuck_transition_by_instance(emulator_factory):
    faults = {
        "stuck_transitions": [
            {"action": "CreateGlobalDistributeCache", "instance_id": SEED}
        ]
    }
    caller = start_caller(emulator_factory, faults, speed=100)

    created = caller.call(
        "CreateGlobalDistributeCache",
        SeedSubInstanceId=SEED,
        EffectiveTime="Immediately",
    )
    caller.call(
        "CreateGlobalDistributeCache",
        SeedSubInstanceId="r-2zebeijing000001",
        EffectiveTime="Immediately",
    )
    time.sleep(0.3)

    assert instance_attribute(caller.client, SEED)["InstanceStatus"] == "Changing"
    assert (
        instance_attribute(caller.client, "r-2zebeijing000001")["InstanceStatus"]
        == "Normal"
    )
    cache = caller.call(
        "DescribeGlobalDistributeCache", GlobalInstanceId=created["GlobalInstanceId"]
    )
    assert cache["GlobalDistributeCaches"][0]["Status"] == "Creating"


def test_release_instance_after_seconds(emulator_factory):
    faults = {
        "release_instance": [
            {"instance_id": "r-bp1clusterplain01", "after_seconds": 3},
            {"instance_id": "r-bp1member0000001", "after_seconds": 3},
        ]
    }
    caller = start_caller(emulator_factory, faults)

    def released():
        try:
            caller.call("DescribeInstanceAttribute", InstanceId="r-bp1clusterplain01")
        except ClientException as error:
            return error
        return None

    error = wait_for(released, timeout=5)

    assert (error.code, error.status_code) == ("InvalidInstanceId.NotFound", 404)
    cache = caller.call(
        "DescribeGlobalDistributeCache", GlobalInstanceId="gr-bp1existing00001"
    )
    assert cache["GlobalDistributeCaches"][0]["SubInstances"] == []
    with pytest.raises(ClientException) as raised:
        caller.call("ReleaseDirectConnection", InstanceId="r-bp1clusterplain01")
    assert (raised.value.code, raised.value.status_code) == (
        "InvalidDbInstanceId.NotFound",
        404,
    )


def test_faults_file_rejects_unknown_keys(emulator_factory):
    with pytest.raises(RuntimeError) as raised:
        emulator_factory(
            faults={"errors": [{"action": "*", "code": "X", "sometimes": 1}]}
        )

    assert "unknown keys ['sometimes']" in str(raised.value)


def test_repeated_rejections_folded(caplog):
    rejections = RejectionLog()

    with caplog.at_level(logging.WARNING, logger="kvstore_emulator"):
        for _attempt in range(4):
            rejections.log(
                "DescribeInstances", "LTAIemulatorkey0001", "Throttling.User", 400
            )

    assert len(caplog.records) == 1
    assert "Throttling.User (HTTP 400)" in caplog.records[0].getMessage()
