"""Run the alicloud.kvstore benchmark against local emulators and write its report.

Usage, from the repository root with the project's virtualenv:

    .venv/bin/python tests/bench/run.py [--only calls,latency,pertask,fleet] [--quick]

Writes .build/bench/report.md and .build/bench/figures.json and prints every
figure beside its target. Exits 0 when every figure was measured, whether it
met its target or not, 1 when a figure could not be measured, 2 on bad usage.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

# Run as a script, this file has no parent package: import the bench modules
# through the repository root.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.bench import calls, fleet, harness, latency, pertask  # noqa: E402
from tests.bench.harness import BenchError, Workspace  # noqa: E402
from tests.bench.report import ERROR, Report, load_average  # noqa: E402

SECTIONS = {
    "calls": ("1. API calls per scenario", calls.run),
    "latency": ("2. Detection latency at --speed 1", latency.run),
    "pertask": ("3. Per-task time on an already converted seed", pertask.run),
    "fleet": ("4. Fleet through the role, throttled, 60 s transitions", fleet.run),
}


@dataclass
class Context:
    workspace: Workspace
    quick: bool


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument(
        "--only",
        default=",".join(SECTIONS),
        help=f"comma-separated sections to run (default: all of {', '.join(SECTIONS)})",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smaller samples and shorter transitions, for development; "
        "the figures are then not comparable with the targets",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=harness.REPO_ROOT / ".build" / "bench",
        help="output folder for report.md, figures.json and scratch files",
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep generated playbooks, state files and request logs under OUT/work",
    )
    args = parser.parse_args(argv)
    args.only = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = [name for name in args.only if name not in SECTIONS]
    if unknown:
        parser.error(
            f"unknown section {', '.join(unknown)}; choose from {', '.join(SECTIONS)}"
        )
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    options = {"only": ",".join(args.only), "quick": args.quick}
    report = Report(args.out, options)
    workspace = Workspace(args.out, keep=args.keep)
    context = Context(workspace, args.quick)

    print(f"Benchmark output: {args.out}", flush=True)
    if not (harness.EMULATOR_DIR / "__main__.py").is_file():
        print(
            "error: the emulator tests/emulator/__main__.py is missing", file=sys.stderr
        )
        return 1
    report.machine["poll settings"] = ", ".join(
        f"{name} {value}" for name, value in harness.poll_settings().items()
    )
    missing = workspace.stage_collection()
    if missing:
        print(f"warning: the collection lacks {', '.join(missing)}", flush=True)

    try:
        for key in args.only:
            title, runner = SECTIONS[key]
            if args.quick:
                title += " (quick)"
            section = report.section(key, title)
            started = time.monotonic()
            try:
                runner(context, report, section)
            except BenchError as error:
                report.error(section, "section", str(error))
            finally:
                section.seconds = time.monotonic() - started
                section.load_after = load_average()
    finally:
        markdown_path, json_path = report.write()
        workspace.close()

    totals = report.counts()
    print(
        f"\n{totals['pass']} pass, {totals['miss']} miss, {totals['error']} error, "
        f"{totals['info']} without a target"
    )
    print(f"Report: {markdown_path}\nFigures: {json_path}")
    return 1 if totals[ERROR] else 0


if __name__ == "__main__":
    sys.exit(main())
