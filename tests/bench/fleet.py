"""Figure 4: a fleet through the role, with a throttled API and real transitions."""

from __future__ import annotations

from tests.bench import harness, plays
from tests.bench.harness import CallCount, Emulator, median
from tests.bench.plays import Seed
from tests.bench.report import prose, table

# Every fifth seed is a cluster without a direct connection, the rest standard,
# so that each host goes through exactly one conversion transition.
TEMPLATES = [
    "r-bp1standard00001",
    "r-bp1standard00001",
    "r-bp1standard00001",
    "r-bp1standard00001",
    "r-bp1clusterplain01",
]
RATE_PER_SECOND = 20
WALL_RATIO_TARGET = 1.5


def run(context, report, section):
    if context.quick:
        count, forks, transition = 10, 25, 20.0
    else:
        count, forks, transition = 50, 25, 60.0
    directory = context.workspace.new_dir("fleet")
    state, seeds = harness.cloned_fleet_state(
        TEMPLATES, count, harness.uniform_durations(transition)
    )
    faults = {
        "throttle": {
            "rate_per_second": RATE_PER_SECOND,
            "burst": RATE_PER_SECOND,
            "code": "Throttling.User",
        }
    }
    hosts = plays.seed_hosts(
        [Seed(instance_id, region) for instance_id, region in seeds]
    )
    playbook = plays.role_plays()

    with Emulator(directory, state, speed=1, faults=faults) as emulator:
        emulator.start(context.workspace.base_env())
        env = context.workspace.api_env(emulator.endpoint)

        convert = harness.run_playbook(
            "convert", directory, playbook, hosts, env, forks=forks, timeout=3600
        )
        mark = len(emulator.log_entries())
        rerun = harness.run_playbook(
            "rerun", directory, playbook, hosts, env, forks=forks, timeout=3600
        )
        entries = emulator.log_entries()

    convert_calls = CallCount.of(entries[:mark])
    rerun_calls = CallCount.of(entries[mark:])
    failed = convert.failed_hosts()
    ideal = transition + rerun.wall
    ratio = convert.wall / ideal

    report.check(
        section,
        f"failed hosts, conversion run ({count} hosts, forks {forks})",
        str(len(failed)),
        "0",
        not failed,
    )
    if rerun.failed_hosts():
        report.error(section, "re-run", f"failed hosts: {rerun.failure_summary()}")
    report.check(
        section,
        "conversion run wall time",
        f"{convert.wall:.1f} s = {ratio:.2f}x ideal ({transition:.0f} s transition + "
        f"{rerun.wall:.1f} s converted re-run = {ideal:.1f} s)",
        f"<= {WALL_RATIO_TARGET}x ideal ({WALL_RATIO_TARGET * ideal:.1f} s)",
        ratio <= WALL_RATIO_TARGET and not rerun.failed_hosts(),
    )
    report.check(
        section,
        "API calls, conversion run",
        f"{convert_calls.total} ({convert_calls.total / count:.1f} per host; "
        f"{convert_calls.throttled} throttled, {convert_calls.writes} writes, "
        f"{convert_calls.accepted_creates} accepted Create)",
        f"{count} accepted Create",
        convert_calls.accepted_creates == count,
    )
    report.check(
        section,
        "API calls, converted re-run",
        f"{rerun_calls.total} ({rerun_calls.total / count:.1f} per host; "
        f"{rerun_calls.throttled} throttled, {rerun_calls.writes} writes)",
        "0 writes",
        rerun_calls.writes == 0,
    )

    retries = count_retries(directory / "convert-timing.jsonl")
    finish_times = host_finish_times(convert)
    section.data.update(
        {
            "hosts": count,
            "forks": forks,
            "transition_seconds": transition,
            "throttle_rate_per_second": RATE_PER_SECOND,
            "conversion_wall": round(convert.wall, 2),
            "rerun_wall": round(rerun.wall, 2),
            "ideal": round(ideal, 2),
            "ratio": round(ratio, 3),
            "failed_hosts": failed,
            "until_retries": retries,
            "median_host_finish": round(median(finish_times), 2)
            if finish_times
            else None,
            "conversion_calls": convert_calls.as_dict(),
            "rerun_calls": rerun_calls.as_dict(),
        }
    )
    section.tables.append(
        table(
            ["Run", "Wall (s)", "Calls", "Throttled", "Calls per second"],
            [
                rate_row("conversion", convert.wall, convert_calls),
                rate_row("converted re-run", rerun.wall, rerun_calls),
            ],
        )
    )
    section.tables.append(
        table(
            ["Action", "Conversion run", "Re-run"],
            [
                [
                    action,
                    convert_calls.by_action.get(action, 0),
                    rerun_calls.by_action.get(action, 0),
                ]
                for action in sorted(
                    set(convert_calls.by_action) | set(rerun_calls.by_action)
                )
            ],
        )
    )
    report.note(
        section,
        prose(
            f"""
            {count} instances cloned from the example fleet (four standard instances
            to one cluster without a direct connection, so one {transition:.0f} s
            conversion each) go through the role alicloud.kvstore.distributed_instance
            with forks {forks}. The emulator runs at --speed 1 with every transition
            lasting {transition:.0f} s. Its faults file throttles each access key to
            {RATE_PER_SECOND} requests per second (burst {RATE_PER_SECOND}), and a
            request beyond that gets Throttling.User. All hosts share one key. The same
            playbook then runs again on the converted instances, and the ideal is the
            transition length plus that re-run's wall time. The role's until loops
            retried {retries} times in the conversion run, and the median host
            finished {median(finish_times) or 0:.1f} s after the run started.
            """
        ),
    )
    if failed:
        report.note(section, f"Failed hosts: {convert.failure_summary(limit=5)}")


def rate_row(name: str, wall: float, calls: CallCount) -> list:
    return [
        name,
        f"{wall:.1f}",
        calls.total,
        calls.throttled,
        f"{calls.total / wall:.1f}",
    ]


def count_retries(path) -> int:
    if not path.is_file():
        return 0
    with path.open(encoding="utf-8") as handle:
        return sum(1 for line in handle if '"event": "retry"' in line)


def host_finish_times(run) -> list[float]:
    finishes = {}
    for item in run.results:
        finishes[item.host] = max(finishes.get(item.host, 0.0), item.end - run.started)
    return list(finishes.values())
