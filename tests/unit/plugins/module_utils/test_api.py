# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest
from ansible_collections.alicloud.kvstore.plugins.module_utils import api
from ansible_collections.alicloud.kvstore.plugins.module_utils.errors import (
    KVStoreError,
)


class ScriptedClient:
    """Returns queued bodies per action and records the request parameters."""

    def __init__(self, **bodies):
        self.bodies = {action: list(items) for action, items in bodies.items()}
        self.requests = []

    def read(self, action, params, instance_id=None):
        self.requests.append((action, params))
        body = self.bodies[action].pop(0)
        if isinstance(body, Exception):
            raise body
        return body


def not_found(code):
    return KVStoreError("DescribeInstanceAttribute failed", code=code, http_status=404)


@pytest.mark.parametrize(
    "answer",
    [
        not_found("InvalidInstanceId.NotFound"),
        not_found("InvalidDbInstanceId.NotFound"),
        {"Instances": {"DBInstanceAttribute": []}},
        {"Instances": {}},
    ],
)
def test_three_not_found_forms_return_none(answer):
    client = ScriptedClient(DescribeInstanceAttribute=[answer])
    assert api.describe_instance(client, "r-1") is None


def test_other_errors_are_raised():
    error = KVStoreError("X failed", code="Forbidden.RAM", http_status=403)
    client = ScriptedClient(DescribeInstanceAttribute=[error])
    with pytest.raises(KVStoreError):
        api.describe_instance(client, "r-1")


def test_instance_is_snake_case_with_tag_list():
    body = {
        "Instances": {
            "DBInstanceAttribute": [
                {
                    "InstanceId": "r-1",
                    "GlobalInstanceId": "",
                    "VSwitchId": "vsw-1",
                    "Tags": {"Tag": [{"Key": "env", "Value": "prod"}]},
                }
            ]
        }
    }
    instance = api.describe_instance(
        ScriptedClient(DescribeInstanceAttribute=[body]), "r-1"
    )
    assert instance["instance_id"] == "r-1"
    assert instance["global_instance_id"] is None
    assert instance["tags"] == [{"key": "env", "value": "prod"}]


@pytest.mark.parametrize(
    "value, expected", [("gr-1", "gr-1"), ("", None), (None, None)]
)
def test_global_id_normalised(value, expected):
    assert api.global_id(value) == expected


def test_describe_instances_reads_every_page():
    page1 = {
        "Instances": {
            "KVStoreInstance": [{"InstanceId": "r-%d" % i} for i in range(50)]
        },
        "TotalCount": 51,
    }
    page2 = {
        "Instances": {"KVStoreInstance": [{"InstanceId": "r-50"}]},
        "TotalCount": 51,
    }
    client = ScriptedClient(DescribeInstances=[page1, page2])
    items = api.describe_instances(client, region_id="cn-hangzhou", filters={"x": "y"})
    assert len(items) == 51
    assert [params["page_number"] for _action, params in client.requests] == [1, 2]
    assert client.requests[0][1]["region_id"] == "cn-hangzhou"


def test_describe_instances_batches_ids_by_30():
    ids = ["r-%d" % i for i in range(31)]
    empty = {"Instances": {"KVStoreInstance": []}, "TotalCount": 0}
    client = ScriptedClient(DescribeInstances=[empty, empty])
    api.describe_instances(client, instance_ids=ids)
    assert len(client.requests[0][1]["instance_ids"].split(",")) == 30
    assert client.requests[1][1]["instance_ids"] == "r-30"


def test_distributed_instances_use_wire_key_instance_id():
    body = {
        "GlobalDistributeCaches": [
            {
                "GlobalInstanceId": "gr-1",
                "Status": "Normal",
                "SubInstances": [{"InstanceID": "r-1", "InstanceStatus": "Normal"}],
            }
        ],
        "TotalRecordCount": 1,
    }
    client = ScriptedClient(DescribeGlobalDistributeCache=[body])
    found = api.find_distributed_instance_of(client, "r-1")
    assert found["sub_instances"][0]["instance_id"] == "r-1"
    assert client.requests[0][1]["page_size"] == "50"


def test_sub_instance_filter_applied_client_side():
    body = {
        "GlobalDistributeCaches": [
            {"GlobalInstanceId": "gr-1", "Status": "Normal", "SubInstances": []}
        ],
        "TotalRecordCount": 1,
    }
    client = ScriptedClient(DescribeGlobalDistributeCache=[body])
    assert api.find_distributed_instance_of(client, "r-1") is None


@pytest.mark.parametrize(
    "flag, expected", [(1, True), ("1", True), (0, False), (None, False)]
)
def test_direct_flag(flag, expected):
    assert api.is_direct({"direct_connection": flag}) is expected
