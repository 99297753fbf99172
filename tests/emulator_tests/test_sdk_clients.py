"""Every action through every client kind, and the authentication failures of each."""

import datetime
import json

import pytest
from aliyunsdkcore.acs_exception.exceptions import ServerException
from aliyunsdkcore.request import CommonRequest

from tests.emulator_tests.clients import (
    CLIENT_KINDS,
    CoreCaller,
    TeaCaller,
    make_caller,
    raw_call,
    tea_client,
    wait_for,
)
from tests.emulator_tests.conftest import (
    READ_ONLY_KEY_ID,
    READ_ONLY_KEY_SECRET,
    STS_KEY_ID,
    STS_KEY_SECRET,
    STS_TOKEN,
    build_state,
    start_emulator,
)

SEED = "r-bp1standard00001"
DIRECT_CLUSTER = "r-bp1clusterdirect1"


def status_of(caller, instance_id):
    body = caller.call("DescribeInstanceAttribute", InstanceId=instance_id)
    return body["Instances"]["DBInstanceAttribute"][0]["InstanceStatus"]


def wait_normal(caller, instance_id):
    wait_for(lambda: status_of(caller, instance_id) == "Normal")


def direct_flags(caller, instance_id):
    body = caller.call("DescribeDBInstanceNetInfo", InstanceId=instance_id)
    return [
        item["DirectConnection"] for item in body["NetInfoItems"]["InstanceNetInfo"]
    ]


@pytest.mark.parametrize("kind", CLIENT_KINDS)
def test_client_completes_every_action(emulator, kind):
    caller = make_caller(kind, emulator)

    attribute = caller.call("DescribeInstanceAttribute", InstanceId=SEED)
    assert attribute["Instances"]["DBInstanceAttribute"][0]["InstanceId"] == SEED

    listing = caller.call("DescribeInstances", RegionId="cn-hangzhou", PageSize=50)
    assert listing["TotalCount"] == 7
    assert len(listing["Instances"]["KVStoreInstance"]) == 7

    assert direct_flags(caller, DIRECT_CLUSTER) == [0, 1]

    caches = caller.call(
        "DescribeGlobalDistributeCache", GlobalInstanceId="gr-bp1existing00001"
    )
    assert caches["TotalRecordCount"] == 1
    assert (
        caches["GlobalDistributeCaches"][0]["SubInstances"][0]["InstanceID"]
        == "r-bp1member0000001"
    )

    assert "RequestId" in caller.call(
        "ReleaseDirectConnection", InstanceId=DIRECT_CLUSTER
    )
    wait_normal(caller, DIRECT_CLUSTER)
    assert direct_flags(caller, DIRECT_CLUSTER) == [0]

    assert "RequestId" in caller.call(
        "AllocateDirectConnection", InstanceId=DIRECT_CLUSTER
    )
    wait_normal(caller, DIRECT_CLUSTER)
    assert direct_flags(caller, DIRECT_CLUSTER) == [0, 1]

    created = caller.call(
        "CreateGlobalDistributeCache",
        SeedSubInstanceId=SEED,
        EffectiveTime="Immediately",
    )
    assert created["InstanceId"] == SEED
    assert created["GlobalInstanceId"].startswith("gr-")
    wait_normal(caller, SEED)
    member = caller.call("DescribeGlobalDistributeCache", SubInstanceId=SEED)
    assert (
        member["GlobalDistributeCaches"][0]["GlobalInstanceId"]
        == created["GlobalInstanceId"]
    )

    assert "RequestId" in caller.call("RemoveSubInstance", InstanceId=SEED)
    wait_normal(caller, SEED)
    attribute = caller.call("DescribeInstanceAttribute", InstanceId=SEED)
    assert "GlobalInstanceId" not in attribute["Instances"]["DBInstanceAttribute"][0]


@pytest.mark.parametrize("kind", CLIENT_KINDS)
def test_client_wrong_secret_rejected(shared_emulator, kind):
    caller = make_caller(kind, shared_emulator, secret="not-the-secret")

    with pytest.raises(Exception) as raised:
        caller.call("DescribeInstances")

    assert caller.error_of(raised.value) == ("SignatureDoesNotMatch", 400)
    assert "not-the-secret" not in str(raised.value)


def pin_nonce_and_time(monkeypatch, kind, nonce=None, timestamp=None):
    """Make the SDK of ``kind`` sign with a fixed nonce and/or timestamp."""
    if kind.startswith("core"):
        from aliyunsdkcore.utils import parameter_helper

        if nonce:
            monkeypatch.setattr(parameter_helper, "get_uuid", lambda: nonce)
        if timestamp:
            monkeypatch.setattr(
                parameter_helper, "get_iso_8061_date", lambda: timestamp
            )
        return
    from alibabacloud_tea_openapi.utils import Utils

    if nonce:
        monkeypatch.setattr(Utils, "get_nonce", staticmethod(lambda: nonce))
    if timestamp:
        monkeypatch.setattr(Utils, "get_timestamp", staticmethod(lambda: timestamp))


@pytest.mark.parametrize("kind", CLIENT_KINDS)
def test_client_replayed_nonce_rejected(shared_emulator, monkeypatch, kind):
    caller = make_caller(kind, shared_emulator)
    pin_nonce_and_time(monkeypatch, kind, nonce=f"fixed-nonce-{kind}")
    caller.call("DescribeInstances")

    with pytest.raises(Exception) as raised:
        caller.call("DescribeInstances")

    assert caller.error_of(raised.value) == ("SignatureNonceUsed", 400)


@pytest.mark.parametrize("kind", CLIENT_KINDS)
def test_client_stale_timestamp_rejected(shared_emulator, monkeypatch, kind):
    caller = make_caller(kind, shared_emulator)
    stale = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(
        minutes=16
    )
    pin_nonce_and_time(
        monkeypatch, kind, timestamp=stale.strftime("%Y-%m-%dT%H:%M:%SZ")
    )

    with pytest.raises(Exception) as raised:
        caller.call("DescribeInstances")

    assert caller.error_of(raised.value) == ("InvalidTimeStamp.Expired", 400)


@pytest.mark.parametrize("kind", CLIENT_KINDS)
def test_client_skew_within_limit_accepted(shared_emulator, monkeypatch, kind):
    caller = make_caller(kind, shared_emulator)
    skewed = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(
        minutes=14
    )
    pin_nonce_and_time(
        monkeypatch, kind, timestamp=skewed.strftime("%Y-%m-%dT%H:%M:%SZ")
    )

    assert caller.call("DescribeInstances", RegionId="cn-hangzhou")["TotalCount"] == 7


@pytest.mark.parametrize("kind", ("sts_acs3", "sts_v2", "core_sts"))
def test_sts_wrong_token_rejected(shared_emulator, kind):
    caller = make_caller(kind, shared_emulator, token="not-the-token")

    with pytest.raises(Exception) as raised:
        caller.call("DescribeInstances")

    assert caller.error_of(raised.value) == (
        "InvalidSecurityToken.MismatchWithAccessKey",
        400,
    )


@pytest.fixture(scope="module")
def expired_sts_emulator(tmp_path_factory):
    """An emulator whose only account is the STS key pair with an expired token."""
    account = {
        "access_key_id": STS_KEY_ID,
        "access_key_secret": STS_KEY_SECRET,
        "security_token": STS_TOKEN,
        "token_expires": "2020-01-01T00:00:00Z",
    }
    state = build_state(accounts=[account], replace_accounts=True)
    emulator = start_emulator(tmp_path_factory.mktemp("expired"), state)
    yield emulator
    emulator.stop()


@pytest.mark.parametrize("kind", ("sts_acs3", "sts_v2", "core_sts"))
def test_sts_expired_token_rejected(expired_sts_emulator, kind):
    caller = make_caller(kind, expired_sts_emulator)

    with pytest.raises(Exception) as raised:
        caller.call("DescribeInstances")

    assert caller.error_of(raised.value) == ("InvalidSecurityToken.Expired", 400)


@pytest.mark.parametrize("kind", ("acs3", "v2", "core"))
def test_unknown_access_key_rejected(shared_emulator, kind):
    if kind == "core":
        caller = CoreCaller(
            shared_emulator, key_id="LTAIunknown000000", secret="whatever-secret"
        )
    else:
        config = {"signature_algorithm": "v2"} if kind == "v2" else {}
        caller = TeaCaller(
            tea_client(
                shared_emulator, "LTAIunknown000000", "whatever-secret", **config
            )
        )

    with pytest.raises(Exception) as raised:
        caller.call("DescribeInstances")

    assert caller.error_of(raised.value) == ("InvalidAccessKeyId.NotFound", 404)


@pytest.mark.parametrize("kind", ("acs3", "v2", "core"))
def test_read_only_key_forbidden_to_write(shared_emulator, kind):
    if kind == "core":
        caller = CoreCaller(shared_emulator, READ_ONLY_KEY_ID, READ_ONLY_KEY_SECRET)
    else:
        config = {"signature_algorithm": "v2"} if kind == "v2" else {}
        caller = TeaCaller(
            tea_client(
                shared_emulator, READ_ONLY_KEY_ID, READ_ONLY_KEY_SECRET, **config
            )
        )
    assert caller.call("DescribeInstances", RegionId="cn-hangzhou")["TotalCount"] == 7

    with pytest.raises(Exception) as raised:
        caller.call("CreateGlobalDistributeCache", SeedSubInstanceId=SEED)

    assert caller.error_of(raised.value) == ("Forbidden.RAM", 403)
    if kind != "core":
        detail = raised.value.access_denied_detail
        assert detail["AuthAction"] == "kvstore:CreateGlobalDistributeCache"


def test_unknown_action_not_found(shared_emulator):
    client = tea_client(shared_emulator)

    with pytest.raises(Exception) as raised:
        raw_call(client, "DescribeEverything", {})

    assert (raised.value.code, raised.value.status_code) == (
        "InvalidAction.NotFound",
        404,
    )


def test_wrong_version_rejected(shared_emulator):
    caller = CoreCaller(shared_emulator)
    request = CommonRequest(
        domain=shared_emulator.endpoint,
        version="2014-01-01",
        action_name="DescribeInstances",
    )
    request.set_protocol_type("http")
    request.set_method("POST")

    with pytest.raises(ServerException) as raised:
        caller.client.do_action_with_exception(request)

    assert caller.error_of(raised.value) == ("InvalidVersion", 400)


@pytest.mark.parametrize("kind", ("acs3", "v2", "core"))
def test_missing_parameter_rejected(shared_emulator, kind):
    caller = make_caller(kind, shared_emulator)

    with pytest.raises(Exception) as raised:
        caller.call("DescribeInstanceAttribute")

    assert caller.error_of(raised.value) == ("MissingParameter", 400)


def test_get_method_accepted(shared_emulator):
    caller = CoreCaller(shared_emulator)
    request = CommonRequest(
        domain=shared_emulator.endpoint,
        version="2015-01-01",
        action_name="DescribeInstances",
    )
    request.set_protocol_type("http")
    request.set_method("GET")

    body = json.loads(caller.client.do_action_with_exception(request))

    assert body["TotalCount"] == 7


def test_form_body_parameters_signed(shared_emulator):
    caller = CoreCaller(shared_emulator)
    request = CommonRequest(
        domain=shared_emulator.endpoint,
        version="2015-01-01",
        action_name="DescribeInstanceAttribute",
    )
    request.set_protocol_type("http")
    request.set_method("POST")
    request.add_body_params("InstanceId", SEED)

    body = json.loads(caller.client.do_action_with_exception(request))

    assert body["Instances"]["DBInstanceAttribute"][0]["InstanceId"] == SEED
