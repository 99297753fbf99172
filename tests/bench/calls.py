"""Figure 1: API calls per scenario, for the conversion module alone and the role."""

from __future__ import annotations

from dataclasses import dataclass

from tests.bench import harness, plays
from tests.bench.harness import BenchError, CallCount, Emulator
from tests.bench.plays import Seed
from tests.bench.report import prose, table

# Transitions are shortened: call counts are about the requests, not about time.
# The waits still poll, so their counts depend on this factor (see the note).
SPEED = 60

STANDARD = Seed("r-bp1standard00001")
CLUSTER_DIRECT = Seed("r-bp1clusterdirect1", release=True)
CLUSTER_PLAIN = Seed("r-bp1clusterplain01")
BEIJING = Seed("r-2zebeijing000001", region_id="cn-beijing")
MEMBER = Seed("r-bp1member0000001")


@dataclass(frozen=True)
class Scenario:
    key: str
    title: str
    seeds: tuple
    check: bool = False
    converted_first: bool = False
    # Seeds that already belong to a distributed instance before the measured run.
    already_members: tuple = ()


SCENARIOS = (
    Scenario(
        "rerun",
        "already converted, re-run",
        (STANDARD,),
        converted_first=True,
        already_members=(STANDARD.instance_id,),
    ),
    Scenario(
        "check",
        "check mode, cluster with a direct connection",
        (CLUSTER_DIRECT,),
        check=True,
    ),
    Scenario("standard", "standard conversion", (STANDARD,)),
    Scenario("cluster", "cluster conversion with release", (CLUSTER_DIRECT,)),
    Scenario(
        "fleet",
        "example fleet run (4 to convert, 1 member)",
        (STANDARD, CLUSTER_DIRECT, CLUSTER_PLAIN, BEIJING, MEMBER),
        already_members=(MEMBER.instance_id,),
    ),
)

DRIVERS = ("module", "role")


def measure(context, scenario: Scenario, driver: str) -> CallCount:
    """Run one scenario with a fresh emulator; return the calls of the measured run."""
    directory = context.workspace.new_dir(f"calls-{scenario.key}-{driver}")
    state = harness.example_state()
    hosts = plays.seed_hosts(list(scenario.seeds))
    playbook = plays.driver_plays(driver)

    with Emulator(directory, state, speed=SPEED) as emulator:
        env = context.workspace.base_env()
        emulator.start(env)
        env = context.workspace.api_env(emulator.endpoint)

        if scenario.converted_first:
            prepare = harness.run_playbook("prepare", directory, playbook, hosts, env)
            if prepare.rc != 0:
                raise BenchError(
                    f"preparing conversion failed: {prepare.failure_summary()}"
                )

        mark = len(emulator.log_entries())
        run = harness.run_playbook(
            "measured", directory, playbook, hosts, env, check=scenario.check
        )
        entries = emulator.log_entries()[mark:]

    if run.rc != 0 or run.failed_hosts():
        raise BenchError(f"{driver} run failed: {run.failure_summary()}")
    return CallCount.of(entries)


def targets(
    scenario: Scenario, driver: str, count: CallCount
) -> list[tuple[str, str, bool]]:
    """Return (figure, target, passed) rows for one measured run."""
    seeds = len(scenario.seeds)
    rows = []
    if scenario.key == "rerun":
        rows.append((f"writes: {count.writes}", "0", count.writes == 0))
        if driver == "module":
            rows.append(
                (f"reads: {count.reads}", f"<= {2 * seeds}", count.reads <= 2 * seeds)
            )
    elif scenario.key == "check":
        rows.append((f"writes: {count.writes}", "0", count.writes == 0))
        if driver == "module":
            rows.append(
                (f"reads: {count.reads}", f"<= {4 * seeds}", count.reads <= 4 * seeds)
            )
    else:
        expected = seeds - len(scenario.already_members)
        rows.append(
            (
                f"accepted CreateGlobalDistributeCache: {count.accepted_creates}",
                f"exactly {expected}",
                count.accepted_creates == expected,
            )
        )
    return rows


def run(context, report, section):
    results = {}
    summary_rows = []
    for scenario in SCENARIOS:
        if context.quick and scenario.key == "fleet":
            continue
        counts = {}
        for driver in DRIVERS:
            name = f"{scenario.title} / {driver}"
            try:
                count = measure(context, scenario, driver)
            except BenchError as error:
                report.error(section, name, str(error))
                continue
            counts[driver] = count
            for measured, target, passed in targets(scenario, driver, count):
                report.check(section, name, measured, target, passed)
            report.check(
                section,
                name,
                f"{count.total} calls ({count.reads} reads, {count.writes} writes)",
                "",
                None,
            )
        results[scenario.key] = {
            driver: count.as_dict() for driver, count in counts.items()
        }
        summary_rows.append(summary_row(scenario, counts))

    section.data["scenarios"] = results
    section.data["speed"] = SPEED
    section.tables.append(
        table(
            [
                "Scenario",
                "Module reads",
                "Module writes",
                "Role reads",
                "Role writes",
                "Accepted Create (module / role)",
            ],
            summary_rows,
        )
    )
    section.tables.append(action_table(results))
    report.note(
        section,
        prose(
            f"""
            Each scenario and driver runs against a fresh emulator loaded with the
            example fleet, at --speed {SPEED}, and counts every request in the
            emulator's request log during the measured playbook run, rejected
            requests included. Writes are CreateGlobalDistributeCache,
            ReleaseDirectConnection, AllocateDirectConnection and RemoveSubInstance;
            every other action is a read. The re-run scenario converts first and
            counts the second run only. The number of polls in a wait depends on the
            transition length, which this speed factor shortens, so the conversion
            rows show the fewest polls a wait can take. Section 4 shows the counts
            with real transition lengths.
            """
        ),
    )


def summary_row(scenario: Scenario, counts: dict) -> list:
    def cell(driver, attribute):
        count = counts.get(driver)
        return "error" if count is None else getattr(count, attribute)

    return [
        scenario.title,
        cell("module", "reads"),
        cell("module", "writes"),
        cell("role", "reads"),
        cell("role", "writes"),
        f"{cell('module', 'accepted_creates')} / {cell('role', 'accepted_creates')}",
    ]


def action_table(results: dict) -> str:
    """Return a table of calls per action for every scenario and driver."""
    actions = sorted(
        {
            action
            for drivers in results.values()
            for count in drivers.values()
            for action in count["by_action"]
        }
    )
    rows = []
    for key, drivers in results.items():
        for driver, count in drivers.items():
            rows.append(
                [f"{key} / {driver}"] + [count["by_action"].get(a, 0) for a in actions]
            )
    return table(["Scenario / driver"] + actions, rows)
