# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest
from ansible_collections.alicloud.kvstore.plugins.module_utils.errors import (
    KVStoreError,
)
from ansible_collections.alicloud.kvstore.plugins.modules import (
    global_distribute_cache as gdc,
)
from ansible_collections.alicloud.kvstore.tests.unit.plugins.modules.fake_kvstore import (  # noqa: E501
    ApiException,
    DroppedConnection,
    FakeModule,
)


def run(
    cloud, seed, check_mode=False, diff_mode=False, region_id="cn-hangzhou", **options
):
    params = dict(
        seed_sub_instance_id=seed,
        state="present",
        effective_time="Immediately",
        release_direct_connection=False,
        wait=True,
        wait_timeout=1800,
    )
    params.update(options)
    module = FakeModule(
        cloud, params, check_mode=check_mode, diff_mode=diff_mode, region_id=region_id
    )
    task = gdc.Task(module)
    if params["state"] == "present":
        changed, result = gdc.ensure_present(task)
    else:
        changed, result = gdc.ensure_absent(task)
    return changed, result, module


def test_converted_seed_costs_two_reads(cloud):
    cloud.add_member("r-seed", "gr-existing")
    changed, result, _module = run(cloud, "r-seed")
    assert not changed
    assert result["status"] == "converted"
    assert result["global_instance_id"] == "gr-existing"
    assert cloud.actions() == [
        "DescribeInstanceAttribute",
        "DescribeGlobalDistributeCache",
    ]


def test_check_mode_predicts_without_writes(cloud):
    cloud.add("r-seed")
    changed, result, _module = run(cloud, "r-seed", check_mode=True, diff_mode=True)
    assert changed
    assert result["status"] == "converted"
    assert result["global_instance_id"] is None
    assert cloud.writes() == []
    assert len(cloud.actions()) <= 4
    assert result["diff"]["before"]["status"] == "standalone"
    assert result["diff"]["after"]["status"] == "converted"


def test_check_mode_without_wait_predicts_converting(cloud):
    cloud.add("r-seed")
    _changed, result, _module = run(cloud, "r-seed", check_mode=True, wait=False)
    assert result["status"] == "converting"


def test_check_mode_maintain_time_predicts_scheduled(cloud):
    cloud.add("r-seed")
    _changed, result, _module = run(
        cloud, "r-seed", check_mode=True, effective_time="MaintainTime"
    )
    assert result["status"] == "scheduled"


def test_conversion_sends_one_create(cloud):
    cloud.add("r-seed")
    changed, result, _module = run(cloud, "r-seed")
    assert changed
    assert result["status"] == "converted"
    assert result["global_instance_id"].startswith("gr-")
    assert result["request_id"] == "REQ-CREATE"
    assert result["distributed_instance"]["sub_instances"][0]["instance_id"] == "r-seed"
    assert cloud.actions("CreateGlobalDistributeCache") == [
        "CreateGlobalDistributeCache"
    ]


def test_rerun_after_conversion_is_unchanged(cloud):
    cloud.add("r-seed")
    run(cloud, "r-seed")
    cloud.calls = []
    changed, result, _module = run(cloud, "r-seed")
    assert not changed
    assert result["status"] == "converted"
    assert len(cloud.actions()) <= 2


def test_create_sends_effective_time_always(cloud, monkeypatch):
    cloud.add("r-seed")
    sent = []
    original = cloud.CreateGlobalDistributeCache

    def record(request):
        sent.append(request)
        return original(request)

    monkeypatch.setattr(cloud, "CreateGlobalDistributeCache", record)
    run(cloud, "r-seed")
    assert sent[0]["effective_time"] == "Immediately"


def test_throttled_create_retried_after_reread(cloud):
    cloud.add("r-seed")
    cloud.fault("CreateGlobalDistributeCache", ApiException("Throttling.User"))
    changed, result, _module = run(cloud, "r-seed")
    assert changed
    assert result["status"] == "converted"
    calls = cloud.actions()
    first = calls.index("CreateGlobalDistributeCache")
    second = calls.index("CreateGlobalDistributeCache", first + 1)
    assert "DescribeInstanceAttribute" in calls[first:second]


def test_lost_create_response_is_resolved_by_reread(cloud):
    cloud.add("r-seed")
    cloud.fault("CreateGlobalDistributeCache", DroppedConnection(), apply=True)
    changed, result, _module = run(cloud, "r-seed")
    assert changed
    assert result["status"] == "converted"
    assert result["global_instance_id"].startswith("gr-")
    assert cloud.actions("CreateGlobalDistributeCache") == [
        "CreateGlobalDistributeCache"
    ]


@pytest.mark.parametrize(
    "error",
    [
        ApiException("ServiceUnavailable", 503),
        ApiException("InternalError", 500),
        DroppedConnection(),
        ApiException("Throttling.User"),
        ApiException("SignatureNonceUsed"),
    ],
)
def test_failed_create_not_applied_is_resent(cloud, error):
    cloud.add("r-seed")
    cloud.fault("CreateGlobalDistributeCache", error)
    changed, result, _module = run(cloud, "r-seed")
    assert changed
    assert result["status"] == "converted"
    assert result["request_id"] == "REQ-CREATE"
    calls = cloud.actions()
    first = calls.index("CreateGlobalDistributeCache")
    second = calls.index("CreateGlobalDistributeCache", first + 1)
    assert "DescribeInstanceAttribute" in calls[first:second]
    assert "DescribeGlobalDistributeCache" in calls[first:second]
    assert len(cloud.actions("CreateGlobalDistributeCache")) == 2
    assert len(cloud.distributed) == 1


def test_lost_create_in_progress_is_not_resent(cloud):
    # The seed shows Changing but neither a GlobalInstanceId nor a listing yet.
    cloud.add("r-seed")
    cloud.fault("CreateGlobalDistributeCache", DroppedConnection(), apply=True, lasts=4)
    changed, result, _module = run(cloud, "r-seed")
    assert changed
    assert result["status"] == "converted"
    assert result["global_instance_id"].startswith("gr-")
    assert result["request_id"] is None
    assert len(cloud.actions("CreateGlobalDistributeCache")) == 1


def test_create_retries_exhausted_names_code(cloud):
    cloud.add("r-seed")
    for _attempt in range(4):
        cloud.fault(
            "CreateGlobalDistributeCache", ApiException("ServiceUnavailable", 503)
        )
    with pytest.raises(KVStoreError) as caught:
        run(cloud, "r-seed")
    message = str(caught.value)
    assert "CreateGlobalDistributeCache failed for r-seed" in message
    assert "Code: ServiceUnavailable" in message
    assert "RequestId: REQ-ERR" in message
    assert "failed 4 times" in message
    assert len(cloud.actions("CreateGlobalDistributeCache")) == 4
    assert cloud.distributed == {}


def test_timeout_after_accepted_create_reports_change(cloud):
    cloud.add("r-seed")
    original = cloud.CreateGlobalDistributeCache

    def create_never_done(request):
        body = original(request)
        cloud.distributed[body["GlobalInstanceId"]]["Status"] = "Creating"
        return body

    cloud.CreateGlobalDistributeCache = create_never_done
    params = dict(
        seed_sub_instance_id="r-seed",
        state="present",
        effective_time="Immediately",
        release_direct_connection=False,
        wait=True,
        wait_timeout=30,
    )
    task = gdc.Task(FakeModule(cloud, params))
    with pytest.raises(KVStoreError) as caught:
        gdc.ensure_present(task)
    assert "Timed out" in str(caught.value)
    assert task.progress["changed"] is True
    assert task.progress["global_instance_id"].startswith("gr-")
    assert task.progress["request_id"] == "REQ-CREATE"


def test_timeout_while_waiting_unchanged_on_rerun(cloud):
    cloud.add_member("r-seed", "gr-existing")
    cloud.distributed["gr-existing"]["Status"] = "Creating"
    params = dict(
        seed_sub_instance_id="r-seed",
        state="present",
        effective_time="Immediately",
        release_direct_connection=False,
        wait=True,
        wait_timeout=30,
    )
    cloud.instances["r-seed"]["InstanceStatus"] = "Changing"
    task = gdc.Task(FakeModule(cloud, params))
    with pytest.raises(KVStoreError):
        gdc.ensure_present(task)
    assert task.progress == {}
    assert cloud.writes() == []


def test_task_exists_means_pending(cloud):
    cloud.add("r-seed")
    cloud.pending_creates.add("r-seed")
    changed, result, _module = run(cloud, "r-seed", effective_time="MaintainTime")
    assert not changed
    assert result["status"] == "scheduled"


def test_maintain_time_scheduled_and_rerun_same(cloud):
    cloud.add("r-seed")
    cloud.create_visible = False
    changed, result, _module = run(cloud, "r-seed", effective_time="MaintainTime")
    assert changed
    assert result["status"] == "scheduled"
    changed, result, _module = run(cloud, "r-seed", effective_time="MaintainTime")
    assert not changed
    assert result["status"] == "scheduled"
    assert len(cloud.actions("CreateGlobalDistributeCache")) == 2


def test_maintain_time_visible_rerun_sends_no_create(cloud):
    cloud.add("r-seed")
    run(cloud, "r-seed", effective_time="MaintainTime")
    gid = cloud.instances["r-seed"]["GlobalInstanceId"]
    cloud.distributed[gid]["Status"] = "Creating"
    cloud.calls = []
    changed, result, _module = run(cloud, "r-seed", effective_time="MaintainTime")
    assert not changed
    assert result["status"] == "scheduled"
    assert result["global_instance_id"] == gid
    assert cloud.writes() == []


@pytest.mark.parametrize("check_mode", [False, True])
def test_maintain_time_rerun_before_window_scheduled(cloud, check_mode):
    # The seed shows its GlobalInstanceId at once; the conversion has not run.
    cloud.add_member("r-seed", "gr-pending")
    cloud.distributed["gr-pending"]["Status"] = "Creating"
    changed, result, _module = run(
        cloud, "r-seed", check_mode=check_mode, effective_time="MaintainTime"
    )
    assert not changed
    assert result["status"] == "scheduled"
    assert result["global_instance_id"] == "gr-pending"
    assert cloud.writes() == []


def test_maintain_time_rerun_after_window_converted(cloud):
    cloud.add_member("r-seed", "gr-done")
    changed, result, _module = run(cloud, "r-seed", effective_time="MaintainTime")
    assert not changed
    assert result["status"] == "converted"


@pytest.mark.parametrize("check_mode", [False, True])
def test_maintain_time_rerun_in_window_converting(cloud, check_mode):
    cloud.add_member("r-seed", "gr-running", InstanceStatus="Changing")
    cloud.distributed["gr-running"]["Status"] = "Creating"
    changed, result, _module = run(
        cloud, "r-seed", check_mode=check_mode, effective_time="MaintainTime"
    )
    assert not changed
    assert result["status"] == "converting"
    assert cloud.actions() == [
        "DescribeInstanceAttribute",
        "DescribeGlobalDistributeCache",
    ]


def test_wait_false_reports_converting(cloud):
    cloud.add("r-seed")
    _changed, result, _module = run(cloud, "r-seed", wait=False)
    assert result["status"] == "converting"


def test_wait_polls_until_normal(cloud, fake_time):
    cloud.add("r-seed")
    original = cloud.CreateGlobalDistributeCache

    def create_then_slow(request):
        body = original(request)
        cloud.status_script[body["GlobalInstanceId"]] = [
            "Creating",
            "Creating",
            "Creating",
        ]
        return body

    cloud.CreateGlobalDistributeCache = create_then_slow
    _changed, result, _module = run(cloud, "r-seed")
    assert result["status"] == "converted"
    assert (
        cloud.actions("DescribeGlobalDistributeCache").count(
            "DescribeGlobalDistributeCache"
        )
        >= 4
    )


def test_wait_timeout_message(cloud, fake_time):
    cloud.add("r-seed")
    original = cloud.CreateGlobalDistributeCache

    def create_never_done(request):
        body = original(request)
        cloud.distributed[body["GlobalInstanceId"]]["Status"] = "Creating"
        return body

    cloud.CreateGlobalDistributeCache = create_never_done
    with pytest.raises(KVStoreError) as caught:
        run(cloud, "r-seed", wait_timeout=60)
    message = str(caught.value)
    assert "r-seed" in message
    assert "Creating" in message
    assert "re-running the task resumes the wait" in message


def test_busy_seed_waited_for_then_converted(cloud):
    cloud.add("r-seed", InstanceStatus="Changing")
    cloud.status_script["r-seed"] = ["Changing", "Changing", "Changing"]
    cloud.instances["r-seed"]["InstanceStatus"] = "Normal"
    changed, result, _module = run(cloud, "r-seed")
    assert changed
    assert result["status"] == "converted"


@pytest.mark.parametrize("status", ["Inactive", "Released", "Error"])
def test_stuck_seed_rejected_at_once(cloud, status):
    cloud.add("r-seed", InstanceStatus=status)
    with pytest.raises(KVStoreError) as caught:
        run(cloud, "r-seed")
    assert status in str(caught.value)
    assert cloud.writes() == []


def test_direct_connection_rejected_without_release(cloud):
    cloud.add("r-cluster", direct=True, ArchitectureType="cluster")
    with pytest.raises(KVStoreError) as caught:
        run(cloud, "r-cluster")
    message = str(caught.value)
    assert "release_direct_connection" in message
    assert "alicloud.kvstore.distributed_instance" in message
    assert "r-cluster-direct.redis.rds.aliyuncs.com:6379" in message
    assert cloud.writes() == []


def test_direct_connection_released_then_converted(cloud):
    cloud.add("r-cluster", direct=True, ArchitectureType="cluster")
    changed, result, _module = run(cloud, "r-cluster", release_direct_connection=True)
    assert changed
    assert result["direct_connection_released"] is True
    assert (
        result["released_endpoints"][0]["connection_string"]
        == "r-cluster-direct.redis.rds.aliyuncs.com"
    )
    assert cloud.writes() == ["ReleaseDirectConnection", "CreateGlobalDistributeCache"]


def test_check_mode_predicts_release(cloud):
    cloud.add("r-cluster", direct=True, ArchitectureType="cluster")
    changed, result, _module = run(
        cloud, "r-cluster", check_mode=True, release_direct_connection=True
    )
    assert changed
    assert result["direct_connection_released"] is True
    assert cloud.writes() == []


def test_lost_release_response_is_resolved_by_reread(cloud):
    cloud.add("r-cluster", direct=True, ArchitectureType="cluster")
    cloud.fault("ReleaseDirectConnection", DroppedConnection(), apply=True)
    changed, result, _module = run(cloud, "r-cluster", release_direct_connection=True)
    assert result["status"] == "converted"
    assert cloud.actions("ReleaseDirectConnection") == ["ReleaseDirectConnection"]


def test_lost_release_in_progress_is_waited_for(cloud):
    cloud.add("r-cluster", direct=True, ArchitectureType="cluster")
    cloud.fault("ReleaseDirectConnection", DroppedConnection(), apply=True, lasts=5)
    changed, result, _module = run(cloud, "r-cluster", release_direct_connection=True)
    assert changed
    assert result["status"] == "converted"
    assert result["direct_connection_released"] is True
    assert cloud.actions("ReleaseDirectConnection") == ["ReleaseDirectConnection"]
    assert len(cloud.actions("CreateGlobalDistributeCache")) == 1


@pytest.mark.parametrize(
    "error", [ApiException("ServiceUnavailable", 503), DroppedConnection()]
)
def test_failed_release_not_applied_is_resent(cloud, error):
    cloud.add("r-cluster", direct=True, ArchitectureType="cluster")
    cloud.fault("ReleaseDirectConnection", error)
    changed, result, _module = run(cloud, "r-cluster", release_direct_connection=True)
    assert changed
    assert result["status"] == "converted"
    assert len(cloud.actions("ReleaseDirectConnection")) == 2


def test_cluster_without_direct_connection_converts(cloud):
    cloud.add("r-cluster", ArchitectureType="cluster")
    changed, result, _module = run(cloud, "r-cluster")
    assert changed
    assert result["direct_connection_released"] is False


@pytest.mark.parametrize(
    "overrides, expected",
    [
        ({"InstanceType": "Redis", "EditionType": "Community"}, "not a Tair instance"),
        ({"ComputingType": "Ecs"}, "cloud-native"),
    ],
)
def test_unconvertible_seed_rejected(cloud, overrides, expected):
    cloud.add("r-seed", **overrides)
    with pytest.raises(KVStoreError) as caught:
        run(cloud, "r-seed")
    assert expected in str(caught.value)
    assert cloud.writes() == []


@pytest.mark.parametrize(
    "overrides",
    [
        {"InstanceType": "Redis", "EditionType": "Enterprise"},
        {"InstanceType": "Tair", "EditionType": "Community"},
    ],
)
def test_tair_marked_by_either_field(cloud, overrides):
    cloud.add("r-seed", **overrides)
    changed, _result, _module = run(cloud, "r-seed")
    assert changed


def test_region_mismatch_rejected_before_write(cloud):
    cloud.add("r-seed", RegionId="cn-beijing")
    with pytest.raises(KVStoreError) as caught:
        run(cloud, "r-seed", region_id="cn-hangzhou")
    assert "cn-beijing" in str(caught.value)
    assert "region_id" in str(caught.value)
    assert cloud.writes() == []


def test_region_unset_skips_comparison(cloud):
    cloud.add("r-seed", RegionId="cn-beijing")
    changed, _result, _module = run(cloud, "r-seed", region_id=None)
    assert changed


@pytest.mark.parametrize("empty_list", [False, True])
def test_not_found_both_forms(cloud, empty_list):
    cloud.not_found_as_empty_list = empty_list
    with pytest.raises(KVStoreError) as caught:
        run(cloud, "r-missing")
    assert "no instance with this ID exists in region cn-hangzhou" in str(caught.value)


def test_read_throttling_retried(cloud):
    cloud.add_member("r-seed", "gr-existing")
    cloud.fault("DescribeInstanceAttribute", ApiException("Throttling"))
    cloud.fault(
        "DescribeGlobalDistributeCache", ApiException("ServiceUnavailable", 503)
    )
    changed, result, _module = run(cloud, "r-seed")
    assert result["status"] == "converted"


def test_api_refusal_mapped_to_clear_message(cloud):
    cloud.add("r-seed")
    cloud.fault(
        "CreateGlobalDistributeCache",
        ApiException(
            "GdcInstanceNotSupport", 400, "The gdc custins trans not support."
        ),
    )
    with pytest.raises(KVStoreError) as caught:
        run(cloud, "r-seed")
    message = str(caught.value)
    assert "Code: GdcInstanceNotSupport" in message
    assert "DRAM-based" in message


def test_absent_detaches_child(cloud):
    cloud.add_member("r-seed", "gr-existing")
    changed, result, _module = run(cloud, "r-seed", state="absent", diff_mode=True)
    assert changed
    assert result["status"] == "detached"
    assert result["global_instance_id"] is None
    assert result["request_id"] == "REQ-REMOVE"
    assert result["diff"]["before"]["global_instance_id"] == "gr-existing"
    assert cloud.writes() == ["RemoveSubInstance"]


def test_absent_standalone_unchanged(cloud):
    cloud.add("r-seed")
    changed, result, _module = run(cloud, "r-seed", state="absent")
    assert not changed
    assert result["status"] == "detached"
    assert cloud.writes() == []


@pytest.mark.parametrize("lasts", [0, 3])
def test_lost_remove_response_is_resolved_by_reread(cloud, lasts):
    cloud.add_member("r-seed", "gr-existing")
    cloud.fault("RemoveSubInstance", DroppedConnection(), apply=True, lasts=lasts)
    changed, result, _module = run(cloud, "r-seed", state="absent")
    assert changed
    assert result["status"] == "detached"
    assert result["request_id"] is None
    assert cloud.writes() == ["RemoveSubInstance"]
    assert cloud.instances["r-seed"]["GlobalInstanceId"] == ""


@pytest.mark.parametrize(
    "error", [ApiException("InternalError", 500), DroppedConnection()]
)
def test_failed_remove_not_applied_is_resent(cloud, error):
    cloud.add_member("r-seed", "gr-existing")
    cloud.fault("RemoveSubInstance", error)
    changed, result, _module = run(cloud, "r-seed", state="absent")
    assert changed
    assert result["request_id"] == "REQ-REMOVE"
    assert cloud.writes() == ["RemoveSubInstance", "RemoveSubInstance"]


def test_remove_retries_exhausted_names_code(cloud):
    cloud.add_member("r-seed", "gr-existing")
    for _attempt in range(4):
        cloud.fault("RemoveSubInstance", ApiException("ServiceUnavailable", 503))
    with pytest.raises(KVStoreError) as caught:
        run(cloud, "r-seed", state="absent")
    message = str(caught.value)
    assert "RemoveSubInstance failed for r-seed" in message
    assert "Code: ServiceUnavailable" in message
    assert "RequestId: REQ-ERR" in message
    assert len(cloud.writes()) == 4


def test_absent_check_mode_no_write(cloud):
    cloud.add_member("r-seed", "gr-existing")
    changed, _result, _module = run(cloud, "r-seed", state="absent", check_mode=True)
    assert changed
    assert cloud.writes() == []


@pytest.mark.parametrize("value", ["", "gr-bp1existing00001", "r bp1", "R-UPPER", "r-"])
def test_malformed_seed_rejected(value):
    from ansible_collections.alicloud.kvstore.plugins.module_utils.instance import (
        validate_instance_id,
    )

    with pytest.raises(KVStoreError) as caught:
        validate_instance_id(value, "seed_sub_instance_id")
    assert repr(value) in str(caught.value)


@pytest.mark.parametrize("value", [0, -5])
def test_wait_timeout_must_be_positive(value):
    from ansible_collections.alicloud.kvstore.plugins.module_utils.instance import (
        validate_wait_timeout,
    )

    with pytest.raises(KVStoreError) as caught:
        validate_wait_timeout(value)
    assert "wait_timeout" in str(caught.value)


def test_concurrent_conversion_reports_same_id(cloud, monkeypatch):
    cloud.add("r-seed")
    original = cloud.CreateGlobalDistributeCache

    def converted_by_other_run(request):
        # Another run converts the seed just before this request arrives.
        original(request)
        raise ApiException(
            "InvalidParameter", 400, "The instance already belongs to a gr-."
        )

    monkeypatch.setattr(cloud, "CreateGlobalDistributeCache", converted_by_other_run)
    changed, result, _module = run(cloud, "r-seed")
    assert not changed
    assert result["status"] == "converted"
    assert result["global_instance_id"] == cloud.instances["r-seed"]["GlobalInstanceId"]
