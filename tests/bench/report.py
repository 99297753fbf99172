"""Figures, targets and the Markdown and JSON report of one benchmark run."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path

PASS = "pass"
MISS = "miss"
INFO = "info"
ERROR = "error"


@dataclass
class Check:
    """One figure beside its target; ``verdict`` is pass, miss, info or error."""

    section: str
    name: str
    measured: str
    target: str
    verdict: str


@dataclass
class Section:
    key: str
    title: str
    checks: list[Check] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    tables: list[str] = field(default_factory=list)
    data: dict = field(default_factory=dict)
    seconds: float = 0.0
    load_after: str = ""


class Report:
    """Checks of every section: printed as they come, then written to files."""

    def __init__(self, out_dir: Path, options: dict):
        self.out_dir = out_dir
        self.options = options
        self.started = time.time()
        self.machine = machine_info()
        self.sections: list[Section] = []

    def section(self, key: str, title: str) -> Section:
        section = Section(key, title)
        self.sections.append(section)
        print(f"\n== {title}", flush=True)
        return section

    def check(self, section: Section, name: str, measured: str, target: str, passed):
        """Record a figure; ``passed`` None means no target (reported only)."""
        if passed is None:
            verdict = INFO
        else:
            verdict = PASS if passed else MISS
        section.checks.append(Check(section.key, name, measured, target, verdict))
        target_text = f"  (target: {target})" if target else ""
        print(f"  [{verdict:5}] {name}: {measured}{target_text}", flush=True)

    def error(self, section: Section, name: str, message: str):
        section.checks.append(Check(section.key, name, message, "", ERROR))
        print(f"  [error] {name}: {message}", flush=True)

    def note(self, section: Section, text: str):
        section.notes.append(text)

    def counts(self) -> dict:
        totals = {PASS: 0, MISS: 0, INFO: 0, ERROR: 0}
        for section in self.sections:
            for check in section.checks:
                totals[check.verdict] += 1
        return totals

    def write(self):
        self.out_dir.mkdir(parents=True, exist_ok=True)
        figures = {
            "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.started)),
            "seconds": round(time.time() - self.started, 1),
            "options": self.options,
            "machine": self.machine,
            "totals": self.counts(),
            "sections": {
                section.key: {
                    "title": section.title,
                    "seconds": round(section.seconds, 1),
                    "load_average_after": section.load_after,
                    "checks": [asdict(check) for check in section.checks],
                    "notes": section.notes,
                    "data": section.data,
                }
                for section in self.sections
            },
        }
        json_path = self.out_dir / "figures.json"
        json_path.write_text(
            json.dumps(figures, indent=2, default=str) + "\n", encoding="utf-8"
        )

        markdown_path = self.out_dir / "report.md"
        markdown_path.write_text(self.markdown(figures), encoding="utf-8")
        return markdown_path, json_path

    def markdown(self, figures: dict) -> str:
        lines = ["# alicloud.kvstore benchmark report", ""]
        lines.append(f"Run started {figures['started']}, took {figures['seconds']} s.")
        options = ", ".join(f"{key}={value}" for key, value in self.options.items())
        lines.append(f"Options: {options}.")
        lines.append("")
        lines.append("| Machine and settings | |")
        lines.append("|---|---|")
        for key, value in self.machine.items():
            lines.append(f"| {key} | {value} |")
        lines.append("")

        totals = figures["totals"]
        lines.append(
            f"Verdicts: {totals[PASS]} pass, {totals[MISS]} miss, "
            f"{totals[ERROR]} error, {totals[INFO]} reported without a target."
        )
        lines.append("")

        for section in self.sections:
            lines.append(f"## {section.title}")
            lines.append("")
            lines.append(
                f"Section time: {section.seconds:.0f} s. Load average (1, 5, 15 min) "
                f"at its end: {section.load_after}."
            )
            lines.append("")
            if section.checks:
                lines.append("| Figure | Measured | Target | Verdict |")
                lines.append("|---|---|---|---|")
                for check in section.checks:
                    row = (
                        check.name,
                        check.measured,
                        check.target or "-",
                        check.verdict,
                    )
                    lines.append("| " + " | ".join(escape(cell) for cell in row) + " |")
                lines.append("")
            for table in section.tables:
                lines.append(table)
                lines.append("")
            for note in section.notes:
                lines.append(note)
                lines.append("")
        return "\n".join(lines).rstrip() + "\n"


def prose(text: str) -> str:
    """Join a wrapped paragraph into one line for the Markdown report."""
    return " ".join(text.split())


def escape(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def table(header: list[str], rows: list[list]) -> str:
    """Return a Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        lines.append("| " + " | ".join(escape(cell) for cell in row) + " |")
    return "\n".join(lines)


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def package_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def load_average() -> str:
    try:
        return ", ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "unknown"


def machine_info() -> dict:
    load = load_average()
    try:
        kernel = subprocess.run(
            ["uname", "-sr"], capture_output=True, text=True, check=False
        ).stdout.strip()
    except OSError:
        kernel = platform.platform()
    return {
        "nproc": os.cpu_count(),
        "CPU model": cpu_model(),
        "kernel": kernel,
        "Python": sys.version.split()[0],
        "ansible-core": package_version("ansible-core"),
        "alibabacloud-r-kvstore20150101": package_version(
            "alibabacloud-r-kvstore20150101"
        ),
        "alibabacloud-tea-openapi": package_version("alibabacloud-tea-openapi"),
        "load average at start (1, 5, 15 min)": load,
    }
