"""Figure 2: time from the end of a transition to the module's return, at real speed."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass

from tests.bench import harness, plays
from tests.bench.harness import BenchError, Emulator, median
from tests.bench.plays import Seed
from tests.bench.report import prose, table

TEMPLATE = "r-bp1standard00001"
MIN_POLL_INTERVAL = 2.0
# Seconds the longest run gets to send its Create before the shorter ones start.
HEAD_START = 15
ROUND_GAP = 0.5


@dataclass
class Sample:
    host: str
    create_time: float
    transition_end: float
    returned: float
    reads: int
    poll_times: list[float]
    status: str

    @property
    def latency(self) -> float:
        return self.returned - self.transition_end

    @property
    def polls(self) -> int:
        return len(self.poll_times)

    @property
    def detected_after(self) -> float | None:
        """Seconds from the transition end to the last poll, which saw it done."""
        if not self.poll_times:
            return None
        return self.poll_times[-1] - self.transition_end

    @property
    def poll_interval(self) -> float | None:
        """Mean spacing of successive polls; the whole wait when there is one poll."""
        if not self.poll_times:
            return None
        if len(self.poll_times) == 1:
            return self.returned - self.create_time
        return (self.poll_times[-1] - self.poll_times[0]) / (len(self.poll_times) - 1)


def poll_rounds(reads: list[dict]) -> list[float]:
    """Return the start times of the poll rounds among a host's reads.

    A poll is a read repeated with the same action and parameters during the
    wait. Reads sent once, such as the final read of the seed, are not polls.
    Repeated reads less than ``ROUND_GAP`` seconds apart count as one round,
    in case one status check sends more than one request.
    """
    keys = [
        (entry["action"], json.dumps(entry["params"], sort_keys=True))
        for entry in reads
    ]
    repeated = [entry for entry, key in zip(reads, keys) if keys.count(key) > 1]
    rounds = []
    previous = None
    for entry in repeated:
        if previous is None or entry["t"] - previous > ROUND_GAP:
            rounds.append(entry["t"])
        previous = entry["t"]
    return rounds


def target_latency(transition: float) -> float:
    return max(3.0, 0.1 * transition)


def measure(
    context, transition: float, count: int, driver: str = "module"
) -> list[Sample]:
    """Convert ``count`` standard instances whose conversion takes ``transition`` s."""
    directory = context.workspace.new_dir(f"latency-{driver}-{int(transition)}s")
    state, seeds = harness.cloned_fleet_state(
        [TEMPLATE], count, harness.uniform_durations(transition)
    )
    hosts = plays.seed_hosts(
        [Seed(instance_id, region) for instance_id, region in seeds]
    )
    wait_timeout = int(transition * 4 + 300)

    with Emulator(directory, state, speed=1) as emulator:
        emulator.start(context.workspace.base_env())
        env = context.workspace.api_env(emulator.endpoint)
        run = harness.run_playbook(
            "measured",
            directory,
            plays.driver_plays(driver, wait_timeout),
            hosts,
            env,
            forks=count,
            timeout=wait_timeout + 300,
        )
        entries = emulator.log_entries()

    if run.rc != 0 or run.failed_hosts():
        raise BenchError(f"{driver} run failed: {run.failure_summary()}")
    return samples(run, entries, transition, driver)


def samples(run, entries: list[dict], transition: float, driver: str) -> list[Sample]:
    """Pair each host's accepted Create with the moment its task (or role) returned."""
    collected = []
    for host in sorted(run.stats):
        creates = [
            entry
            for entry in entries
            if entry["action"] == "CreateGlobalDistributeCache"
            and harness.is_accepted(entry)
            and harness.mentions(entry, {host})
        ]
        if len(creates) != 1:
            raise BenchError(
                f"{host}: expected one accepted Create, found {len(creates)}"
            )
        create_time = creates[0]["t"]

        host_results = [item for item in run.results if item.host == host]
        if driver == "module":
            finals = [item for item in host_results if item.task == "convert"]
        else:
            finals = host_results
        if not finals:
            raise BenchError(f"{host}: no task result recorded")
        final = finals[-1]
        ids = {host}
        global_instance_id = next(
            (
                item.result.get("global_instance_id")
                for item in host_results
                if item.result.get("global_instance_id")
            ),
            None,
        )
        if global_instance_id:
            ids.add(global_instance_id)

        reads = [
            entry
            for entry in entries
            if create_time < entry["t"] <= final.end
            and not harness.is_write(entry)
            and harness.mentions(entry, ids)
        ]
        collected.append(
            Sample(
                host=host,
                create_time=create_time,
                transition_end=create_time + transition,
                returned=final.end,
                reads=len(reads),
                poll_times=poll_rounds(reads),
                status=str(final.result.get("status", final.status)),
            )
        )
    return collected


def run(context, report, section):
    transitions = (10.0,) if context.quick else (10.0, 30.0, 120.0)
    count = 3 if context.quick else 5
    outcomes = {}

    def measure_into(key, transition, driver="module"):
        try:
            outcomes[key] = measure(context, transition, count, driver)
        except BenchError as error:
            outcomes[key] = error

    # The longest transition starts first, and the shorter runs fit into its wait.
    # Its modules sleep meanwhile, and its end comes after the others have finished.
    longest = transitions[-1]
    background = None
    if len(transitions) > 1:
        background = threading.Thread(target=measure_into, args=(longest, longest))
        background.start()
        time.sleep(HEAD_START)
        for transition in transitions[:-1]:
            measure_into(transition, transition)
        background.join()
    else:
        measure_into(longest, longest)

    if not context.quick:
        measure_into("role", 30.0, "role")

    rows = []
    figures = {}
    for key, outcome in outcomes.items():
        driver = "role" if key == "role" else "module"
        transition = 30.0 if key == "role" else key
        name = f"{driver}, transition {transition:.0f} s"
        if isinstance(outcome, BenchError):
            report.error(section, name, str(outcome))
            continue
        figures[f"{driver}-{transition:.0f}"] = record(
            report, section, name, transition, outcome
        )
        for sample in outcome:
            rows.append(sample_row(name, sample))

    section.data["transitions"] = figures
    section.data["instances_per_transition"] = count
    section.tables.append(
        table(
            [
                "Run",
                "Host",
                "Latency (s)",
                "Last poll after end (s)",
                "Polls",
                "Mean poll interval (s)",
                "Reads after Create",
                "Status",
            ],
            rows,
        )
    )
    report.note(
        section,
        prose(
            f"""
            Measurement: the emulator runs at --speed 1 with every transition set to
            the length shown. It completes a transition when its deadline passes and
            logs no completion event, so the end of a transition is computed as the
            time of the accepted CreateGlobalDistributeCache in the request log plus
            the transition length. The return time is when ansible-playbook received
            the task result (a callback plugin records it), so latency includes the
            module's exit and the result's trip to the controller. A poll is a read
            that names the seed or its distributed instance, is sent after the
            Create and before the return, and repeats with the same action and
            parameters; repeated reads less than {ROUND_GAP} s apart count as one
            poll. The poll interval is the mean spacing between successive polls of
            a host. Each run converts {count} standard instances in parallel (forks
            {count}). The longest run starts first, and the shorter runs start
            {HEAD_START} s later, during its wait. The role row (30 s, no target)
            measures from the transition end to the role's last task on the host, so
            it includes the steps after the wait.
            """
        ),
    )


def record(report, section, name, transition, outcome: list[Sample]) -> dict:
    latencies = [sample.latency for sample in outcome]
    intervals = [sample.poll_interval for sample in outcome if sample.poll_interval]
    middle = median(latencies)
    mean_interval = sum(intervals) / len(intervals) if intervals else None
    limit = target_latency(transition)
    interval_text = "no polls" if mean_interval is None else f"{mean_interval:.2f} s"

    if "role" in name:
        report.check(
            section,
            name,
            f"median {middle:.1f} s to the role's end, mean poll interval "
            f"{interval_text}",
            "",
            None,
        )
    else:
        report.check(
            section,
            name,
            f"median latency {middle:.1f} s",
            f"<= {limit:.1f} s",
            middle <= limit,
        )
        report.check(
            section,
            name,
            f"mean poll interval {interval_text}",
            f">= {MIN_POLL_INTERVAL:.0f} s (at most one poll per 2 s)",
            mean_interval is None or mean_interval >= MIN_POLL_INTERVAL,
        )
    return {
        "transition": transition,
        "latencies": [round(value, 3) for value in latencies],
        "median_latency": round(middle, 3),
        "target_latency": limit,
        "polls": [sample.polls for sample in outcome],
        "reads": [sample.reads for sample in outcome],
        "poll_intervals": [
            round(value, 3) if value is not None else None
            for value in (sample.poll_interval for sample in outcome)
        ],
        "mean_poll_interval": round(mean_interval, 3) if mean_interval else None,
        "last_poll_after_end": [
            round(value, 3) if value is not None else None
            for value in (sample.detected_after for sample in outcome)
        ],
    }


def sample_row(name: str, sample: Sample) -> list:
    detected = "-" if sample.detected_after is None else f"{sample.detected_after:.2f}"
    interval = "-" if sample.poll_interval is None else f"{sample.poll_interval:.2f}"
    return [
        name,
        sample.host,
        f"{sample.latency:.2f}",
        detected,
        sample.polls,
        interval,
        sample.reads,
        sample.status,
    ]
