"""Response bodies, error bodies, headers and logs as the SDK and operators see them."""

import inspect
import re

import pytest
import yaml
from alibabacloud_r_kvstore20150101 import models
from alibabacloud_tea_openapi.exceptions import ClientException

from tests.emulator_tests.clients import (
    instance_attribute,
    raw_call,
    tea_client,
    wait_for,
)
from tests.emulator_tests.conftest import EXAMPLE_FLEET, SECRETS

FLEET_IDS = (
    "r-2zebeijing000001",
    "r-bp1busy000000001",
    "r-bp1cloudnative001",
    "r-bp1clusterdirect1",
    "r-bp1clusterplain01",
    "r-bp1member0000001",
    "r-bp1rediscommunity",
    "r-bp1standard00001",
)

# Fields the real service returns only for special instances: cloud boxes,
# disk-based storage, multi-zone or read/write-split setups, released
# instances, and fields whose meaning no document gives.
CONDITIONAL_FIELDS = {
    "CloudType",
    "DestroyTime",
    "QuotaCount",
    "RealInstanceClass",
    "ReplicaId",
    "SecondaryZoneId",
    "ShardClass",
    "Storage",
    "StorageType",
    "UsedCount",
    "WorkspaceId",
    "GlobalInstanceId",
    "ReplacateId",
}


def model_wire_keys(model_class):
    """Return every wire key that a model's ``from_map`` reads."""
    return set(
        re.findall(r"m\.get\('([A-Za-z.]+)'\)", inspect.getsource(model_class.from_map))
    )


def assert_round_trip(model_class, body):
    assert model_class().from_map(body).to_map() == body


@pytest.fixture
def client(shared_emulator):
    return tea_client(shared_emulator)


@pytest.fixture
def fresh_client(emulator):
    return tea_client(emulator)


def test_describe_bodies_round_trip(client):
    for instance_id in FLEET_IDS:
        query = {"InstanceId": instance_id}
        body = raw_call(client, "DescribeInstanceAttribute", query)["body"]
        assert_round_trip(models.DescribeInstanceAttributeResponseBody, body)
        body = raw_call(client, "DescribeDBInstanceNetInfo", query)["body"]
        assert_round_trip(models.DescribeDBInstanceNetInfoResponseBody, body)

    body = raw_call(client, "DescribeInstances", {"PageSize": 50})["body"]
    assert body["TotalCount"] == len(FLEET_IDS)
    assert_round_trip(models.DescribeInstancesResponseBody, body)

    body = raw_call(client, "DescribeGlobalDistributeCache", {})["body"]
    assert_round_trip(models.DescribeGlobalDistributeCacheResponseBody, body)


def test_change_bodies_round_trip(fresh_client):
    client = fresh_client
    cases = [
        (
            "ReleaseDirectConnection",
            {"InstanceId": "r-bp1clusterdirect1"},
            models.ReleaseDirectConnectionResponseBody,
        ),
        (
            "AllocateDirectConnection",
            {"InstanceId": "r-bp1clusterplain01"},
            models.AllocateDirectConnectionResponseBody,
        ),
        (
            "CreateGlobalDistributeCache",
            {"SeedSubInstanceId": "r-bp1standard00001", "EffectiveTime": "Immediately"},
            models.CreateGlobalDistributeCacheResponseBody,
        ),
        (
            "RemoveSubInstance",
            {"InstanceId": "r-bp1member0000001"},
            models.RemoveSubInstanceResponseBody,
        ),
    ]
    for action, query, model_class in cases:
        body = raw_call(client, action, query)["body"]
        assert_round_trip(model_class, body)
        assert body["RequestId"]


@pytest.mark.parametrize("instance_id", FLEET_IDS)
def test_attribute_has_every_model_field(client, instance_id):
    model_class = (
        models.DescribeInstanceAttributeResponseBodyInstancesDBInstanceAttribute
    )
    expected = model_wire_keys(model_class) - CONDITIONAL_FIELDS

    item = instance_attribute(client, instance_id)

    assert expected - set(item) == set()
    assert "EditionType" not in item


@pytest.mark.parametrize("instance_id", FLEET_IDS)
def test_kvstore_instance_has_every_model_field(client, instance_id):
    model_class = models.DescribeInstancesResponseBodyInstancesKVStoreInstance
    expected = model_wire_keys(model_class) - CONDITIONAL_FIELDS
    request = models.DescribeInstancesRequest(instance_ids=instance_id)

    body = client.describe_instances(request).body.to_map()

    item = body["Instances"]["KVStoreInstance"][0]
    assert expected - set(item) == set()


def test_example_fleet_spells_out_first_instance(client):
    with open(EXAMPLE_FLEET, encoding="utf-8") as stream:
        written = yaml.safe_load(stream)["instances"][0]
    model_class = (
        models.DescribeInstanceAttributeResponseBodyInstancesDBInstanceAttribute
    )

    expected = model_wire_keys(model_class) - CONDITIONAL_FIELDS

    assert expected - set(written) == set()


def test_net_info_item_has_every_model_field(client):
    model_class = (
        models.DescribeDBInstanceNetInfoResponseBodyNetInfoItemsInstanceNetInfo
    )
    request = models.DescribeDBInstanceNetInfoRequest(instance_id="r-bp1clusterdirect1")

    body = client.describe_dbinstance_net_info(request).body.to_map()

    for item in body["NetInfoItems"]["InstanceNetInfo"]:
        assert set(item) == model_wire_keys(model_class)
    assert body["InstanceNetworkType"] == "VPC"


def test_wire_types_follow_models(client):
    item = instance_attribute(client, "r-bp1clusterdirect1")
    assert isinstance(item["Port"], int)
    assert isinstance(item["HasRenewChangeOrder"], str)
    assert isinstance(item["IsOrderCompleted"], bool)

    net = raw_call(
        client, "DescribeDBInstanceNetInfo", {"InstanceId": "r-bp1clusterdirect1"}
    )["body"]
    first = net["NetInfoItems"]["InstanceNetInfo"][0]
    assert isinstance(first["Port"], str)
    assert isinstance(first["DirectConnection"], int)

    listing = raw_call(
        client, "DescribeInstances", {"InstanceIds": "r-bp1clusterdirect1"}
    )["body"]
    kvstore = listing["Instances"]["KVStoreInstance"][0]
    assert isinstance(kvstore["HasRenewChangeOrder"], bool)
    assert isinstance(kvstore["ReadOnlyCount"], str)


def test_member_shows_global_instance_id(client):
    item = instance_attribute(client, "r-bp1member0000001")

    assert item["GlobalInstanceId"] == "gr-bp1existing00001"


def test_busy_instance_hides_emulator_key(emulator_factory):
    client = tea_client(emulator_factory(speed=1))

    listing = raw_call(
        client, "DescribeInstances", {"InstanceIds": "r-bp1busy000000001"}
    )["body"]

    item = listing["Instances"]["KVStoreInstance"][0]
    assert "emulator" not in item
    assert item["InstanceStatus"] == "Changing"


def test_busy_instance_turns_normal(emulator_factory):
    client = tea_client(emulator_factory(speed=100))

    def is_normal():
        item = instance_attribute(client, "r-bp1busy000000001")
        return item["InstanceStatus"] == "Normal"

    # normal_after is 30 emulated seconds: 0.3 real seconds at speed 100.
    wait_for(is_normal, timeout=3)


def test_error_body_fields(client):
    with pytest.raises(Exception) as raised:
        raw_call(
            client, "DescribeInstanceAttribute", {"InstanceId": "r-bp1doesnotexist1"}
        )

    error = raised.value
    assert error.code == "InvalidInstanceId.NotFound"
    assert error.status_code == 404
    assert set(error.data) == {"RequestId", "HostId", "Code", "Message", "statusCode"}
    assert error.request_id == error.data["RequestId"]
    assert "r-bp1doesnotexist1" in error.data["Message"]


def test_request_id_header_matches_body(client):
    response = raw_call(client, "DescribeInstances", {})

    assert response["headers"]["x-acs-request-id"] == response["body"]["RequestId"]
    assert response["statusCode"] == 200


def test_request_log_records_every_request(emulator, fresh_client):
    client = fresh_client
    raw_call(client, "DescribeInstanceAttribute", {"InstanceId": "r-bp1standard00001"})
    with pytest.raises(ClientException):
        raw_call(
            client, "DescribeInstanceAttribute", {"InstanceId": "r-bp1doesnotexist1"}
        )
    v2_client = tea_client(emulator, signature_algorithm="v2")
    raw_call(v2_client, "DescribeInstances", {"PageSize": 10})

    entries = emulator.log_entries()

    assert len(entries) == 3
    for entry in entries:
        assert set(entry) == {
            "time",
            "action",
            "params",
            "access_key_id",
            "status",
            "code",
            "request_id",
        }
        assert entry["access_key_id"] == "LTAIemulatorkey0001"
        assert entry["time"].endswith("Z")
    assert entries[0]["params"] == {"InstanceId": "r-bp1standard00001"}
    assert entries[0]["status"] == 200
    assert entries[0]["code"] is None
    assert entries[1]["status"] == 404
    assert entries[1]["code"] == "InvalidInstanceId.NotFound"
    assert entries[2]["action"] == "DescribeInstances"
    assert entries[2]["params"] == {"PageSize": "10"}


def test_logs_never_contain_secrets(emulator):
    for secret in ("emulator-secret-0001", "bad-secret"):
        client = tea_client(emulator, secret=secret)
        v2_client = tea_client(emulator, secret=secret, signature_algorithm="v2")
        for each in (client, v2_client):
            try:
                raw_call(each, "DescribeInstances", {})
            except Exception as error:  # noqa: BLE001 (the wrong secret is rejected)
                assert secret not in str(error.data)
    sts = tea_client(
        emulator,
        "STS.emulatorsts0002",
        "bad-secret",
        security_token="emulator-sts-token-0002",
        signature_algorithm="v2",
    )
    with pytest.raises(Exception) as raised:
        raw_call(sts, "DescribeInstances", {})
    assert "emulator-sts-token-0002" not in str(raised.value.data)

    emulator.stop()
    logged = (
        emulator.stderr_text() + open(emulator.request_log, encoding="utf-8").read()
    )
    for secret in SECRETS + ("bad-secret",):
        assert secret not in logged
    for entry in emulator.log_entries():
        assert not {"Signature", "SecurityToken", "AccessKeyId"} & set(entry["params"])


def test_stderr_logs_start_rejection_stop(emulator, fresh_client):
    client = fresh_client
    with pytest.raises(ClientException):
        raw_call(
            client, "DescribeInstanceAttribute", {"InstanceId": "r-bp1doesnotexist1"}
        )

    assert emulator.stop() == 0
    text = emulator.stderr_text()
    assert "started on http://127.0.0.1:" in text
    assert "8 instances" in text
    assert "3 accounts" in text
    rejection = "rejected DescribeInstanceAttribute from access key LTAIemulatorkey0001"
    assert f"{rejection}: InvalidInstanceId.NotFound (HTTP 404)" in text
    assert "stopped" in text
