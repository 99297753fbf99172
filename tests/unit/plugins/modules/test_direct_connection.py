# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest
from ansible_collections.alicloud.kvstore.plugins.module_utils.errors import (
    KVStoreError,
)
from ansible_collections.alicloud.kvstore.plugins.modules import direct_connection
from ansible_collections.alicloud.kvstore.tests.unit.plugins.modules.fake_kvstore import (  # noqa: E501
    ApiException,
    DroppedConnection,
    FakeModule,
)


def run(cloud, instance_id, check_mode=False, diff_mode=False, **options):
    params = dict(
        instance_id=instance_id,
        state="present",
        connection_string=None,
        port=None,
        wait=True,
        wait_timeout=1800,
    )
    params.update(options)
    module = FakeModule(cloud, params, check_mode=check_mode, diff_mode=diff_mode)
    module.progress = {}
    direct_connection.validate(params)
    if params["state"] == "present":
        changed, result = direct_connection.ensure_present(module, module.progress)
    else:
        changed, result = direct_connection.ensure_absent(module, module.progress)
    return changed, result, module


def test_release_check_mode_no_write(cloud):
    cloud.add("r-c", direct=True, ArchitectureType="cluster")
    changed, result, _module = run(
        cloud, "r-c", state="absent", check_mode=True, diff_mode=True
    )
    assert changed
    assert result["direct_connection"] is False
    assert len(result["released_endpoints"]) == 1
    assert result["diff"]["after"]["direct_endpoints"] == []
    assert cloud.writes() == []


def test_release_then_rerun_unchanged(cloud):
    cloud.add("r-c", direct=True, ArchitectureType="cluster")
    changed, result, _module = run(cloud, "r-c", state="absent")
    assert changed
    assert result["request_id"] == "REQ-RELEASE"
    assert result["endpoints"] == []
    changed, result, _module = run(cloud, "r-c", state="absent")
    assert not changed
    assert cloud.writes() == ["ReleaseDirectConnection"]


def test_release_already_gone_on_api(cloud):
    cloud.add("r-c", direct=True, ArchitectureType="cluster")
    # Released by someone else between the read and the write.
    cloud.fault("ReleaseDirectConnection", ApiException("NetTypeNotExists"), apply=True)
    changed, result, module = run(cloud, "r-c", state="absent")
    assert changed
    assert result["request_id"] is None
    assert module.progress["changed"] is False
    assert cloud.writes() == ["ReleaseDirectConnection"]


@pytest.mark.parametrize(
    "error",
    [
        ApiException("ServiceUnavailable", 503),
        ApiException("Throttling"),
        DroppedConnection(),
    ],
)
def test_release_failed_not_applied_is_resent(cloud, error):
    cloud.add("r-c", direct=True, ArchitectureType="cluster")
    cloud.fault("ReleaseDirectConnection", error)
    changed, result, _module = run(cloud, "r-c", state="absent")
    assert changed
    assert result["request_id"] == "REQ-RELEASE"
    assert result["direct_connection"] is False
    assert cloud.writes() == ["ReleaseDirectConnection", "ReleaseDirectConnection"]


@pytest.mark.parametrize("lasts", [0, 4])
def test_release_lost_response_resolved_by_reread(cloud, lasts):
    cloud.add("r-c", direct=True, ArchitectureType="cluster")
    cloud.fault("ReleaseDirectConnection", DroppedConnection(), apply=True, lasts=lasts)
    changed, result, module = run(cloud, "r-c", state="absent")
    assert changed
    assert result["direct_connection"] is False
    assert len(result["released_endpoints"]) == 1
    assert module.progress["changed"] is True
    assert cloud.writes() == ["ReleaseDirectConnection"]


def test_release_retries_exhausted_names_code(cloud):
    cloud.add("r-c", direct=True, ArchitectureType="cluster")
    for _attempt in range(4):
        cloud.fault("ReleaseDirectConnection", ApiException("InternalError", 500))
    with pytest.raises(KVStoreError) as caught:
        run(cloud, "r-c", state="absent")
    message = str(caught.value)
    assert "ReleaseDirectConnection failed for r-c" in message
    assert "Code: InternalError" in message
    assert "RequestId: REQ-ERR" in message
    assert len(cloud.writes()) == 4


@pytest.mark.parametrize("lasts", [0, 4])
def test_allocate_lost_response_resolved_by_reread(cloud, lasts):
    cloud.add("r-c", ArchitectureType="cluster")
    cloud.fault(
        "AllocateDirectConnection", DroppedConnection(), apply=True, lasts=lasts
    )
    changed, result, _module = run(cloud, "r-c")
    assert changed
    assert result["direct_connection"] is True
    assert result["request_id"] is None
    assert cloud.writes() == ["AllocateDirectConnection"]


@pytest.mark.parametrize(
    "error",
    [ApiException("InternalError", 500), ApiException("Throttling.User")],
)
def test_allocate_failed_not_applied_is_resent(cloud, error):
    cloud.add("r-c", ArchitectureType="cluster")
    cloud.fault("AllocateDirectConnection", error)
    changed, result, _module = run(cloud, "r-c")
    assert changed
    assert result["request_id"] == "REQ-ALLOCATE"
    assert len(result["endpoints"]) == 1
    assert cloud.writes() == ["AllocateDirectConnection", "AllocateDirectConnection"]


def test_allocate_timeout_after_accept_reports_change(cloud, monkeypatch):
    cloud.add("r-c", ArchitectureType="cluster")
    # Accepted, but the endpoint never appears.
    monkeypatch.setattr(
        cloud, "AllocateDirectConnection", lambda request: {"RequestId": "REQ-A"}
    )
    params = dict(
        instance_id="r-c",
        state="present",
        connection_string=None,
        port=None,
        wait=True,
        wait_timeout=20,
    )
    module = FakeModule(cloud, params)
    progress = {}
    with pytest.raises(KVStoreError) as caught:
        direct_connection.ensure_present(module, progress)
    assert "Timed out" in str(caught.value)
    assert progress == {"changed": True, "request_id": "REQ-A"}


def test_allocate_with_prefix_and_port(cloud):
    cloud.add("r-c", ArchitectureType="cluster")
    changed, result, _module = run(
        cloud, "r-c", connection_string="ordersdirect01", port=6380
    )
    assert changed
    assert result["direct_connection"] is True
    assert result["endpoints"][0]["connection_string"].startswith("ordersdirect01")
    assert result["endpoints"][0]["port"] == "6380"


def test_allocate_existing_warns_on_other_prefix(cloud):
    cloud.add("r-c", direct=True, ArchitectureType="cluster")
    changed, _result, module = run(cloud, "r-c", connection_string="otherprefix01")
    assert not changed
    assert cloud.writes() == []
    assert "otherprefix01" in module.warnings[0]


@pytest.mark.parametrize(
    "overrides, expected",
    [
        ({"ArchitectureType": "standard"}, "not a cluster"),
        ({"ArchitectureType": "cluster", "ComputingType": "Ecs"}, "cloud-native"),
    ],
)
def test_allocate_rejected_before_write(cloud, overrides, expected):
    cloud.add("r-c", **overrides)
    with pytest.raises(KVStoreError) as caught:
        run(cloud, "r-c")
    assert expected in str(caught.value)
    assert cloud.writes() == []


@pytest.mark.parametrize(
    "options, expected",
    [
        ({"port": 80}, "1024 to 65535"),
        ({"connection_string": "Bad_Prefix"}, "connection_string"),
        ({"wait_timeout": 0}, "wait_timeout"),
    ],
)
def test_invalid_options_rejected(cloud, options, expected):
    cloud.add("r-c", ArchitectureType="cluster")
    with pytest.raises(KVStoreError) as caught:
        run(cloud, "r-c", **options)
    assert expected in str(caught.value)
    assert cloud.actions() == []
