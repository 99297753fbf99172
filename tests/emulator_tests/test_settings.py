"""Effect of each state file setting on the responses the SDK receives."""

import time

import pytest
from alibabacloud_tea_openapi.exceptions import ClientException

from tests.emulator_tests.clients import (
    TeaCaller,
    instance_attribute,
    tea_client,
    wait_for,
)

SEED = "r-bp1standard00001"


def caller_for(
    emulator_factory, settings=None, durations=None, speed=10, instances=None
):
    emulator = emulator_factory(
        settings=settings, durations=durations, speed=speed, instances=instances
    )
    return TeaCaller(tea_client(emulator))


def convert(caller, instance_id=SEED, effective_time="Immediately"):
    params = {"SeedSubInstanceId": instance_id}
    if effective_time:
        params["EffectiveTime"] = effective_time
    return caller.call("CreateGlobalDistributeCache", **params)


def status(caller, instance_id=SEED):
    return instance_attribute(caller.client, instance_id)["InstanceStatus"]


def distributed(caller, global_instance_id):
    body = caller.call(
        "DescribeGlobalDistributeCache", GlobalInstanceId=global_instance_id
    )
    return body["GlobalDistributeCaches"]


def test_converting_status_shown_while_pending(emulator_factory):
    caller = caller_for(
        emulator_factory, {"converting_status": "Transforming"}, {"convert": 600}
    )

    created = convert(caller)

    assert status(caller) == "Transforming"
    cache = distributed(caller, created["GlobalInstanceId"])[0]
    assert cache["Status"] == "Creating"
    assert cache["SubInstances"][0]["InstanceStatus"] == "Transforming"


def test_conversion_finishes_normal(emulator_factory):
    caller = caller_for(emulator_factory)

    created = convert(caller)

    wait_for(lambda: status(caller) == "Normal")
    assert (
        instance_attribute(caller.client, SEED)["GlobalInstanceId"]
        == created["GlobalInstanceId"]
    )
    assert distributed(caller, created["GlobalInstanceId"])[0]["Status"] == "Normal"


def test_global_id_visible_immediately(emulator_factory):
    caller = caller_for(
        emulator_factory, {"global_id_visible": "immediately"}, {"convert": 600}
    )

    created = convert(caller)

    assert (
        instance_attribute(caller.client, SEED)["GlobalInstanceId"]
        == created["GlobalInstanceId"]
    )


def test_global_id_hidden_until_done(emulator_factory):
    caller = caller_for(
        emulator_factory, {"global_id_visible": "when_done"}, {"convert": 600}
    )

    created = convert(caller)

    assert "GlobalInstanceId" not in instance_attribute(caller.client, SEED)
    listing = caller.call("DescribeInstances", InstanceIds=SEED)
    assert "GlobalInstanceId" not in listing["Instances"]["KVStoreInstance"][0]
    assert distributed(caller, created["GlobalInstanceId"])[0]["Status"] == "Creating"


def test_global_id_shown_when_done(emulator_factory):
    caller = caller_for(emulator_factory, {"global_id_visible": "when_done"})

    created = convert(caller)

    wait_for(lambda: "GlobalInstanceId" in instance_attribute(caller.client, SEED))
    assert (
        instance_attribute(caller.client, SEED)["GlobalInstanceId"]
        == created["GlobalInstanceId"]
    )


def test_maintain_time_before_window(emulator_factory):
    caller = caller_for(emulator_factory, {"maintain_window_in": 100000})

    created = convert(caller, effective_time=None)

    assert status(caller) == "Normal"
    assert distributed(caller, created["GlobalInstanceId"])[0]["Status"] == "Creating"


def test_maintain_time_runs_in_window(emulator_factory):
    # At speed 10 the window opens one real second after the start.
    caller = caller_for(emulator_factory, {"maintain_window_in": 10}, {"convert": 600})

    convert(caller, effective_time="MaintainTime")

    wait_for(lambda: status(caller) == "Changing", timeout=5)


def test_immediately_ignores_window(emulator_factory):
    caller = caller_for(
        emulator_factory, {"maintain_window_in": 100000}, {"convert": 600}
    )

    convert(caller, effective_time="Immediately")

    assert status(caller) == "Changing"


@pytest.mark.parametrize(
    ("setting", "code", "http_status"),
    [
        (None, "TaskHasExist", 400),
        (
            "OperationDenied.KVstoreInstanceStatus",
            "OperationDenied.KVstoreInstanceStatus",
            400,
        ),
        ({"code": "Conflict.Task", "status": 409}, "Conflict.Task", 409),
    ],
)
def test_repeat_create_code(emulator_factory, setting, code, http_status):
    settings = {"repeat_create_code": setting} if setting else None
    caller = caller_for(emulator_factory, settings, {"convert": 600})
    convert(caller)

    with pytest.raises(ClientException) as raised:
        convert(caller)

    assert raised.value.code == code
    assert raised.value.status_code == http_status


def test_repeat_create_while_window_pending(emulator_factory):
    caller = caller_for(emulator_factory, {"maintain_window_in": 100000})
    convert(caller, effective_time="MaintainTime")

    with pytest.raises(ClientException) as raised:
        convert(caller, effective_time="Immediately")

    assert (raised.value.code, raised.value.status_code) == ("TaskHasExist", 400)


@pytest.mark.parametrize(
    ("mode", "remains"), [("delete_gdc", False), ("keep_empty", True)]
)
def test_remove_last_child(emulator_factory, mode, remains):
    caller = caller_for(emulator_factory, {"remove_last_child": mode})

    caller.call("RemoveSubInstance", InstanceId="r-bp1member0000001")
    wait_for(lambda: status(caller, "r-bp1member0000001") == "Normal")

    caches = distributed(caller, "gr-bp1existing00001")
    assert bool(caches) is remains
    if remains:
        assert caches[0]["SubInstances"] == []
    assert "GlobalInstanceId" not in instance_attribute(
        caller.client, "r-bp1member0000001"
    )


def test_remove_shows_changing(emulator_factory):
    caller = caller_for(emulator_factory, durations={"remove_sub_instance": 600})

    caller.call("RemoveSubInstance", InstanceId="r-bp1member0000001")

    cache = distributed(caller, "gr-bp1existing00001")[0]
    assert cache["Status"] == "Changing"
    assert cache["SubInstances"][0]["InstanceStatus"] == "Changing"
    assert status(caller, "r-bp1member0000001") == "Changing"


@pytest.mark.parametrize("visible", ["immediately", "when_done"])
def test_remove_while_converting_rejected(emulator_factory, visible):
    settings = {"global_id_visible": visible}
    caller = caller_for(emulator_factory, settings, durations={"convert": 600})
    convert(caller)

    with pytest.raises(ClientException) as raised:
        caller.call("RemoveSubInstance", InstanceId=SEED)

    assert (raised.value.code, raised.value.status_code) == ("TaskHasExist", 400)


@pytest.mark.parametrize(
    ("mode", "instance_type", "edition_type"),
    [
        ("both", "Tair", "Enterprise"),
        ("instance_type_only", "Tair", None),
        ("edition_type_only", "Redis", "Enterprise"),
    ],
)
def test_tair_fields(emulator_factory, mode, instance_type, edition_type):
    caller = caller_for(emulator_factory, {"tair_fields": mode})

    listing = caller.call(
        "DescribeInstances", InstanceIds=f"{SEED},r-bp1rediscommunity"
    )
    items = {
        item["InstanceId"]: item for item in listing["Instances"]["KVStoreInstance"]
    }

    assert items[SEED]["InstanceType"] == instance_type
    assert items[SEED].get("EditionType") == edition_type
    assert items["r-bp1rediscommunity"]["InstanceType"] == "Redis"
    assert instance_attribute(caller.client, SEED)["InstanceType"] == instance_type
    filtered = caller.call("DescribeInstances", InstanceType=instance_type, PageSize=50)
    assert SEED in [
        item["InstanceId"] for item in filtered["Instances"]["KVStoreInstance"]
    ]


def test_tair_fields_keep_conversion_rules(emulator_factory):
    caller = caller_for(
        emulator_factory, {"tair_fields": "edition_type_only"}, {"convert": 600}
    )

    assert convert(caller)["InstanceId"] == SEED


def test_refusal_codes_custom(emulator_factory):
    codes = {
        "not_tair": "Custom.NotTair",
        "community": "Custom.Community",
        "cloud_native": {"code": "Custom.CloudNative", "status": 403},
        "busy": "Custom.Busy",
        "already_member": "Custom.Member",
    }
    extra = [
        {
            "InstanceId": "r-bp1memcache000001",
            "InstanceType": "Memcache",
            "EditionType": "Enterprise",
        }
    ]
    caller = caller_for(
        emulator_factory, {"refusal_codes": codes}, speed=1, instances=extra
    )
    expected = {
        "r-bp1memcache000001": ("Custom.NotTair", 400),
        "r-bp1rediscommunity": ("Custom.Community", 400),
        "r-bp1cloudnative001": ("Custom.CloudNative", 403),
        "r-bp1busy000000001": ("Custom.Busy", 400),
        "r-bp1member0000001": ("Custom.Member", 400),
    }

    for instance_id, (code, http_status) in expected.items():
        with pytest.raises(ClientException) as raised:
            convert(caller, instance_id)
        assert (raised.value.code, raised.value.status_code) == (code, http_status), (
            instance_id
        )


def test_durations_per_action(emulator_factory):
    durations = {"release_direct_connection": 600, "allocate_direct_connection": 1}
    caller = caller_for(emulator_factory, durations=durations)

    caller.call("ReleaseDirectConnection", InstanceId="r-bp1clusterdirect1")
    caller.call(
        "AllocateDirectConnection",
        InstanceId="r-bp1clusterplain01",
        ConnectionString="catalogdirect",
    )
    wait_for(lambda: status(caller, "r-bp1clusterplain01") == "Normal")
    time.sleep(0.2)

    assert status(caller, "r-bp1clusterdirect1") == "Changing"
    net = caller.call("DescribeDBInstanceNetInfo", InstanceId="r-bp1clusterplain01")
    hosts = [
        item["ConnectionString"]
        for item in net["NetInfoItems"]["InstanceNetInfo"]
        if item["DirectConnection"]
    ]
    assert hosts == ["catalogdirect.redis.rds.aliyuncs.com"]


def test_connection_string_in_use_rejected(emulator_factory):
    caller = caller_for(emulator_factory)
    caller.call(
        "AllocateDirectConnection",
        InstanceId="r-bp1clusterplain01",
        ConnectionString="shareddirect1",
    )
    caller.call("ReleaseDirectConnection", InstanceId="r-bp1clusterdirect1")
    wait_for(lambda: status(caller, "r-bp1clusterplain01") == "Normal")
    wait_for(lambda: status(caller, "r-bp1clusterdirect1") == "Normal")

    with pytest.raises(ClientException) as raised:
        caller.call(
            "AllocateDirectConnection",
            InstanceId="r-bp1clusterdirect1",
            ConnectionString="shareddirect1",
        )

    assert (raised.value.code, raised.value.status_code) == (
        "ConnectionStringAlreadyExists",
        400,
    )


def test_pending_connection_string_reserved(emulator_factory):
    caller = caller_for(emulator_factory, durations={"allocate_direct_connection": 600})
    caller.call("ReleaseDirectConnection", InstanceId="r-bp1clusterdirect1")
    caller.call(
        "AllocateDirectConnection",
        InstanceId="r-bp1clusterplain01",
        ConnectionString="shareddirect2",
    )
    wait_for(lambda: status(caller, "r-bp1clusterdirect1") == "Normal")

    with pytest.raises(ClientException) as raised:
        caller.call(
            "AllocateDirectConnection",
            InstanceId="r-bp1clusterdirect1",
            ConnectionString="shareddirect2",
        )

    assert (raised.value.code, raised.value.status_code) == (
        "ConnectionStringAlreadyExists",
        400,
    )
