"""Figure 3: per-task time of the conversion module on an already converted seed."""

from __future__ import annotations

import subprocess

from tests.bench import harness
from tests.bench.harness import PYTHON, BenchError, CallCount, Emulator, median
from tests.bench.report import prose, table

SEED = "r-bp1member0000001"
HOST = "bench-controller"
RATIO_TARGET = 1.2
WARMUP_ROUNDS = 2
IMPORT_SAMPLES = 7

SDK_IMPORT = (
    "import time\n"
    "started = time.perf_counter()\n"
    "import alibabacloud_r_kvstore20150101.client\n"
    "import alibabacloud_tea_openapi.models\n"
    "print(time.perf_counter() - started)\n"
)
ANSIBLE_IMPORT = (
    "import time\n"
    "started = time.perf_counter()\n"
    "import ansible.module_utils.basic\n"
    "print(time.perf_counter() - started)\n"
)

KINDS = {
    "ping": ("ansible.builtin.ping", {}),
    "minimal": ("bench_minimal_reads", {"instance_id": SEED}),
    "module": (
        "alicloud.kvstore.global_distribute_cache",
        {"seed_sub_instance_id": SEED, "region_id": harness.DEFAULT_REGION},
    ),
}


def playbook(rounds: int) -> list:
    """Interleave the three kinds of task so that drifting load hits each alike."""
    tasks = []
    for index in range(WARMUP_ROUNDS + rounds):
        label = "warmup" if index < WARMUP_ROUNDS else "round"
        for kind, (action, args) in KINDS.items():
            tasks.append({"name": f"{label} {index:02d} {kind}", action: dict(args)})
    return [
        {"name": "Per-task time", "hosts": "all", "gather_facts": False, "tasks": tasks}
    ]


def import_seconds(code: str, env: dict) -> list[float]:
    values = []
    for _sample in range(IMPORT_SAMPLES):
        completed = subprocess.run(
            [PYTHON, "-c", code], env=env, capture_output=True, text=True, check=False
        )
        if completed.returncode != 0:
            raise BenchError(f"import timing failed: {completed.stderr.strip()[-300:]}")
        values.append(float(completed.stdout.strip()))
    return values


def run(context, report, section):
    rounds = 20 if context.quick else 24
    directory = context.workspace.new_dir("pertask")
    env = context.workspace.base_env()

    with Emulator(directory, harness.example_state(), speed=60) as emulator:
        emulator.start(env)
        api_env = context.workspace.api_env(emulator.endpoint)
        run_result = harness.run_playbook(
            "measured", directory, playbook(rounds), {HOST: {}}, api_env, forks=1
        )
        entries = emulator.log_entries()

    if run_result.rc != 0 or run_result.failed_hosts():
        report.error(section, "per-task playbook", run_result.failure_summary())
        return

    durations = {}
    calls = {}
    for kind in KINDS:
        results = [
            item
            for item in run_result.results
            if item.task.startswith("round") and item.task.endswith(f" {kind}")
        ]
        durations[kind] = [item.duration for item in results]
        in_tasks = [
            entry
            for entry in entries
            if any(item.start <= entry["t"] <= item.end for item in results)
        ]
        calls[kind] = CallCount.of(in_tasks).as_dict()
        calls[kind]["per_task"] = round(calls[kind]["total"] / max(len(results), 1), 2)

    medians = {kind: median(values) for kind, values in durations.items()}
    ratio = medians["module"] / medians["minimal"]

    report.check(
        section, "ansible.builtin.ping", f"median {medians['ping']:.3f} s", "", None
    )
    report.check(
        section,
        "minimal module (same SDK client, same two reads)",
        f"median {medians['minimal']:.3f} s",
        "",
        None,
    )
    report.check(
        section,
        "conversion module, already converted",
        f"median {medians['module']:.3f} s, {ratio:.2f}x the minimal module",
        f"<= {RATIO_TARGET}x",
        ratio <= RATIO_TARGET,
    )
    paired = median(
        [
            module / minimal
            for module, minimal in zip(durations["module"], durations["minimal"])
        ]
    )
    fastest = min(durations["module"]) / min(durations["minimal"])
    report.check(
        section,
        "conversion module against the minimal module, load-drift check",
        f"median of per-round ratios {paired:.2f}x, "
        f"ratio of fastest tasks {fastest:.2f}x",
        "",
        None,
    )
    report.check(
        section,
        "conversion module, reads per task",
        f"{calls['module']['per_task']}",
        "<= 2",
        calls["module"]["per_task"] <= 2,
    )

    sdk = import_seconds(SDK_IMPORT, env)
    basic = import_seconds(ANSIBLE_IMPORT, env)
    report.check(
        section,
        "SDK import (client and tea-openapi models, fresh interpreter)",
        f"median {median(sdk):.3f} s",
        "",
        None,
    )
    report.check(
        section,
        "ansible.module_utils.basic import, for comparison",
        f"median {median(basic):.3f} s",
        "",
        None,
    )

    section.data.update(
        {
            "rounds": rounds,
            "warmup_rounds": WARMUP_ROUNDS,
            "durations": {
                kind: [round(v, 4) for v in values]
                for kind, values in durations.items()
            },
            "medians": {kind: round(value, 4) for kind, value in medians.items()},
            "ratio_module_to_minimal": round(ratio, 3),
            "median_per_round_ratio": round(paired, 3),
            "fastest_ratio": round(fastest, 3),
            "calls": calls,
            "sdk_import_seconds": [round(value, 4) for value in sdk],
            "ansible_basic_import_seconds": [round(value, 4) for value in basic],
        }
    )
    rows = [
        [
            kind,
            len(durations[kind]),
            f"{medians[kind]:.3f}",
            f"{min(durations[kind]):.3f}",
            f"{max(durations[kind]):.3f}",
            calls[kind]["per_task"],
        ]
        for kind in KINDS
    ]
    section.tables.append(
        table(
            [
                "Task",
                "Samples",
                "Median (s)",
                "Min (s)",
                "Max (s)",
                "API calls per task",
            ],
            rows,
        )
    )
    report.note(
        section,
        prose(
            f"""
            One playbook on one local-connection host runs {WARMUP_ROUNDS} warm-up
            rounds, then {rounds} measured rounds of three interleaved tasks:
            ansible.builtin.ping; the minimal module
            tests/bench/library/bench_minimal_reads.py, which imports the same SDK
            client and sends DescribeInstanceAttribute and
            DescribeGlobalDistributeCache and nothing else; and the conversion module
            on {SEED}, which the example fleet already lists as a child of a
            distributed instance. A task's time runs from the callback's runner start
            to its result, both on the controller, with default Ansible settings (no
            pipelining). Import times are medians of {IMPORT_SAMPLES} fresh
            interpreters. The target compares the two medians. When other work
            loads the machine during the run, task times drift, and the median of
            the per-round ratios (a module task divided by the minimal task of the
            same round) and the ratio of the fastest tasks show the module's own
            overhead with less of that drift.
            """
        ),
    )
