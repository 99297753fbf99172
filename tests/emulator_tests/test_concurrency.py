"""Parallel requests: the check and change of one request never interleave."""

import threading

from alibabacloud_tea_openapi.exceptions import ClientException
from aliyunsdkcore.acs_exception.exceptions import (
    ServerException as CoreServerException,
)

from tests.emulator_tests.clients import TeaCaller, make_caller, tea_client

SEED = "r-bp1standard00001"
PARALLEL_CALLS = 8


def run_in_parallel(callers, function):
    """Run ``function(caller)`` for all callers at once; return results or errors."""
    barrier = threading.Barrier(len(callers))
    results = [None] * len(callers)

    def worker(index, caller):
        barrier.wait()
        try:
            results[index] = function(caller)
        except (ClientException, CoreServerException) as error:
            results[index] = error

    threads = [
        threading.Thread(target=worker, args=(index, caller))
        for index, caller in enumerate(callers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_parallel_creates_accept_one(emulator_factory):
    emulator = emulator_factory(durations={"convert": 600})
    kinds = ("acs3", "v2", "core", "sts_acs3")
    callers = [
        make_caller(kinds[index % len(kinds)], emulator)
        for index in range(PARALLEL_CALLS)
    ]

    results = run_in_parallel(
        callers,
        lambda caller: caller.call(
            "CreateGlobalDistributeCache",
            SeedSubInstanceId=SEED,
            EffectiveTime="Immediately",
        ),
    )

    accepted = [result for result in results if isinstance(result, dict)]
    assert len(accepted) == 1
    codes = {
        getattr(result, "code", None) or result.get_error_code()
        for result in results
        if not isinstance(result, dict)
    }
    assert codes == {"TaskHasExist"}
    check = TeaCaller(tea_client(emulator))
    caches = check.call("DescribeGlobalDistributeCache", SubInstanceId=SEED)
    assert caches["TotalRecordCount"] == 1
    assert (
        caches["GlobalDistributeCaches"][0]["GlobalInstanceId"]
        == accepted[0]["GlobalInstanceId"]
    )
    created = [
        entry
        for entry in emulator.log_entries()
        if entry["action"] == "CreateGlobalDistributeCache" and entry["status"] == 200
    ]
    assert len(created) == 1


def test_parallel_releases_accept_one(emulator_factory):
    emulator = emulator_factory(durations={"release_direct_connection": 600})
    callers = [TeaCaller(tea_client(emulator)) for index in range(PARALLEL_CALLS)]

    results = run_in_parallel(
        callers,
        lambda caller: caller.call(
            "ReleaseDirectConnection", InstanceId="r-bp1clusterdirect1"
        ),
    )

    assert sum(isinstance(result, dict) for result in results) == 1
    assert {result.code for result in results if not isinstance(result, dict)} == {
        "InstanceStatus.NotSupport"
    }


def test_parallel_reads_all_succeed(emulator_factory):
    emulator = emulator_factory()
    callers = [TeaCaller(tea_client(emulator)) for index in range(PARALLEL_CALLS)]

    results = run_in_parallel(
        callers,
        lambda caller: caller.call("DescribeInstances", PageSize=50)["TotalCount"],
    )

    assert results == [8] * PARALLEL_CALLS
