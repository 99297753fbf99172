"""Refusals of every action: the code and HTTP status the SDK raises."""

import pytest
from alibabacloud_tea_openapi.exceptions import ClientException

from tests.emulator_tests.clients import TeaCaller, instance_attribute, tea_client
from tests.emulator_tests.conftest import build_state, start_emulator

EXTRA_INSTANCES = [
    {
        "InstanceId": "r-bp1busycluster001",
        "ArchitectureType": "cluster",
        "InstanceStatus": "Changing",
        "emulator": {"normal_after": 100000},
    },
    {
        "InstanceId": "r-bp1memcache000001",
        "InstanceType": "Memcache",
        "EditionType": "Enterprise",
    },
    {
        "InstanceId": "r-bp1tairessd000001",
        "InstanceType": "Tair",
        "StorageType": "essd_pl1",
        "Storage": "20",
    },
]

UNKNOWN = "r-bp1doesnotexist1"


@pytest.fixture(scope="module")
def caller(tmp_path_factory):
    """A caller on an emulator with extra instances; rejected calls change nothing."""
    state = build_state(instances=EXTRA_INSTANCES)
    for instance in state["instances"]:
        if instance["InstanceId"] == "r-bp1busy000000001":
            # Busy for the whole module, however slowly the tests run.
            instance["emulator"] = {"normal_after": 100000}
    emulator = start_emulator(tmp_path_factory.mktemp("refusals"), state)
    yield TeaCaller(tea_client(emulator))
    emulator.stop()


REJECTIONS = [
    (
        "DescribeInstanceAttribute",
        {"InstanceId": UNKNOWN},
        "InvalidInstanceId.NotFound",
        404,
    ),
    (
        "DescribeDBInstanceNetInfo",
        {"InstanceId": UNKNOWN},
        "InvalidInstanceId.NotFound",
        404,
    ),
    (
        "CreateGlobalDistributeCache",
        {"SeedSubInstanceId": UNKNOWN},
        "InvalidInstanceId.NotFound",
        404,
    ),
    ("RemoveSubInstance", {"InstanceId": UNKNOWN}, "InvalidInstanceId.NotFound", 404),
    (
        "ReleaseDirectConnection",
        {"InstanceId": UNKNOWN},
        "InvalidDbInstanceId.NotFound",
        404,
    ),
    (
        "AllocateDirectConnection",
        {"InstanceId": UNKNOWN},
        "InvalidDbInstanceId.NotFound",
        404,
    ),
    (
        "CreateGlobalDistributeCache",
        {"SeedSubInstanceId": "r-bp1clusterdirect1"},
        "GdcInstanceNotSupport",
        400,
    ),
    (
        "ReleaseDirectConnection",
        {"InstanceId": "r-bp1clusterplain01"},
        "NetTypeNotExists",
        400,
    ),
    (
        "AllocateDirectConnection",
        {"InstanceId": "r-bp1clusterdirect1"},
        "NetTypeExists",
        400,
    ),
    (
        "ReleaseDirectConnection",
        {"InstanceId": "r-bp1busycluster001"},
        "InstanceStatus.NotSupport",
        403,
    ),
    (
        "AllocateDirectConnection",
        {"InstanceId": "r-bp1busycluster001"},
        "InstanceStatus.NotSupport",
        403,
    ),
    (
        "CreateGlobalDistributeCache",
        {"SeedSubInstanceId": "r-bp1busycluster001"},
        "IncorrectDBInstanceState",
        403,
    ),
    (
        "CreateGlobalDistributeCache",
        {"SeedSubInstanceId": "r-bp1busy000000001"},
        "IncorrectDBInstanceState",
        403,
    ),
    (
        "CreateGlobalDistributeCache",
        {"SeedSubInstanceId": "r-bp1memcache000001"},
        "InvalidParameter",
        400,
    ),
    (
        "CreateGlobalDistributeCache",
        {"SeedSubInstanceId": "r-bp1tairessd000001"},
        "InvalidParameter",
        400,
    ),
    (
        "CreateGlobalDistributeCache",
        {"SeedSubInstanceId": "r-bp1rediscommunity"},
        "InvalidParameter",
        400,
    ),
    (
        "CreateGlobalDistributeCache",
        {"SeedSubInstanceId": "r-bp1cloudnative001"},
        "InvalidParameter",
        400,
    ),
    (
        "CreateGlobalDistributeCache",
        {"SeedSubInstanceId": "r-bp1member0000001"},
        "InvalidParameter",
        400,
    ),
    ("CreateGlobalDistributeCache", {}, "MissingParameter", 400),
    (
        "CreateGlobalDistributeCache",
        {"SeedSubInstanceId": "r-bp1standard00001", "EffectiveTime": "Tomorrow"},
        "InvalidParameter",
        400,
    ),
    (
        "RemoveSubInstance",
        {"InstanceId": "r-bp1standard00001"},
        "InvalidParameter",
        400,
    ),
    (
        "AllocateDirectConnection",
        {"InstanceId": "r-bp1standard00001"},
        "InvalidParameter",
        400,
    ),
    (
        "AllocateDirectConnection",
        {"InstanceId": "r-bp1clusterplain01", "ConnectionString": "Bad_Name"},
        "InvalidParameter",
        400,
    ),
    (
        "AllocateDirectConnection",
        {"InstanceId": "r-bp1clusterplain01", "Port": "80"},
        "InvalidParameter",
        400,
    ),
    ("DescribeInstances", {"PageSize": 51}, "InvalidParameter", 400),
    ("DescribeInstances", {"PageNumber": 0}, "InvalidParameter", 400),
    ("DescribeInstances", {"RegionId": "xx-nowhere-1"}, "InvalidParameter", 400),
    (
        "DescribeInstances",
        {"InstanceIds": ",".join(f"r-bp1id{index:011d}" for index in range(31))},
        "InvalidParameter",
        400,
    ),
    ("DescribeGlobalDistributeCache", {"PageSize": "many"}, "InvalidParameter", 400),
]


@pytest.mark.parametrize(("action", "params", "code", "status"), REJECTIONS)
def test_refusal_code_and_status(caller, action, params, code, status):
    with pytest.raises(ClientException) as raised:
        caller.call(action, **params)

    assert raised.value.code == code
    assert raised.value.status_code == status


def test_refusals_change_nothing(caller):
    seed = instance_attribute(caller.client, "r-bp1standard00001")

    assert seed["InstanceStatus"] == "Normal"
    assert "GlobalInstanceId" not in seed


def test_describe_instances_filters(caller):
    def ids(**params):
        body = caller.call("DescribeInstances", PageSize=50, **params)
        return [item["InstanceId"] for item in body["Instances"]["KVStoreInstance"]]

    assert ids(GlobalInstance=True) == ["r-bp1member0000001"]
    assert "r-bp1member0000001" not in ids(GlobalInstance=False)
    assert ids(RegionId="cn-beijing") == ["r-2zebeijing000001"]
    assert ids(EditionType="Community") == ["r-bp1rediscommunity"]
    assert ids(InstanceType="Memcache") == ["r-bp1memcache000001"]
    assert ids(ArchitectureType="cluster") == [
        "r-bp1busycluster001",
        "r-bp1clusterdirect1",
        "r-bp1clusterplain01",
    ]
    assert ids(InstanceIds="r-bp1standard00001,r-bp1clusterplain01") == [
        "r-bp1clusterplain01",
        "r-bp1standard00001",
    ]
    assert ids(InstanceStatus="Changing") == [
        "r-bp1busy000000001",
        "r-bp1busycluster001",
    ]


def test_describe_instances_paging(caller):
    first = caller.call("DescribeInstances", PageSize=4, PageNumber=1)
    third = caller.call("DescribeInstances", PageSize=4, PageNumber=3)

    assert first["TotalCount"] == 11
    assert len(first["Instances"]["KVStoreInstance"]) == 4
    assert len(third["Instances"]["KVStoreInstance"]) == 3
    assert (third["PageNumber"], third["PageSize"]) == (3, 4)


def test_describe_distributed_filters(caller):
    by_child = caller.call(
        "DescribeGlobalDistributeCache", SubInstanceId="r-bp1member0000001"
    )
    unknown = caller.call(
        "DescribeGlobalDistributeCache", GlobalInstanceId="gr-bp1unknown000001"
    )
    second_page = caller.call(
        "DescribeGlobalDistributeCache", PageNumber="2", PageSize="1"
    )

    assert (
        by_child["GlobalDistributeCaches"][0]["GlobalInstanceId"]
        == "gr-bp1existing00001"
    )
    assert unknown["TotalRecordCount"] == 0
    assert second_page["GlobalDistributeCaches"] == []
    assert second_page["TotalRecordCount"] == 1
