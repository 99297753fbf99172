"""Process plumbing for the benchmark: staging, emulators, playbook runs and logs."""

from __future__ import annotations

import copy
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
BENCH_DIR = REPO_ROOT / "tests" / "bench"
EMULATOR_DIR = REPO_ROOT / "tests" / "emulator"
EXAMPLE_FLEET = EMULATOR_DIR / "examples" / "fleet.yml"
PYTHON = sys.executable
ANSIBLE_PLAYBOOK = str(Path(sys.executable).parent / "ansible-playbook")

# The example fleet's account that may call every action.
ACCESS_KEY_ID = "LTAIemulatorkey0001"
ACCESS_KEY_SECRET = "emulator-secret-0001"
DEFAULT_REGION = "cn-hangzhou"

# Files and folders that make up the installed collection.
COLLECTION_CONTENT = (
    "galaxy.yml",
    "meta",
    "plugins",
    "roles",
    "playbooks",
    "docs",
    "README.md",
    "requirements.txt",
)

EMULATOR_START_TIMEOUT = 30


class BenchError(Exception):
    """A figure could not be measured (missing piece, emulator crash, failed setup)."""


def write_actions():
    """Return the R-KVStore actions the benchmark counts as writes."""
    return {
        "CreateGlobalDistributeCache",
        "ReleaseDirectConnection",
        "AllocateDirectConnection",
        "RemoveSubInstance",
    }


class Workspace:
    """Output folder, scratch folder, temporary HOME and the staged collection."""

    def __init__(self, out_dir: Path, keep: bool = False):
        self.out_dir = out_dir
        self.work_dir = out_dir / "work"
        self.keep = keep
        if self.work_dir.exists():
            shutil.rmtree(self.work_dir)
        self.work_dir.mkdir(parents=True)
        self.home = Path(tempfile.mkdtemp(prefix="kvstore-bench-home-"))
        self.collections_path = self.work_dir / "collections"
        self._counter = 0

    def close(self):
        shutil.rmtree(self.home, ignore_errors=True)
        if not self.keep:
            shutil.rmtree(self.work_dir, ignore_errors=True)

    def new_dir(self, name: str) -> Path:
        """Create a fresh numbered folder under the scratch folder."""
        self._counter += 1
        path = self.work_dir / f"{self._counter:02d}-{name}"
        path.mkdir(parents=True)
        return path

    def stage_collection(self):
        """Copy the working tree's collection where ansible-playbook finds it.

        A copy, not a symlink, so the run uses exactly the files present when
        the benchmark started, whatever else changes in the tree meanwhile.
        """
        target = self.collections_path / "ansible_collections" / "alicloud" / "kvstore"
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
        for name in COLLECTION_CONTENT:
            source = REPO_ROOT / name
            if source.is_dir():
                shutil.copytree(source, target / name, ignore=ignore)
            elif source.is_file():
                shutil.copy2(source, target / name)

        missing = [
            path
            for path in (
                "plugins/modules/global_distribute_cache.py",
                "roles/distributed_instance/tasks/main.yml",
            )
            if not (target / path).is_file()
        ]
        return missing

    def base_env(self) -> dict:
        """Return the isolated, loopback-only environment for SDK and Ansible runs."""
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.upper().startswith(("ALIBABA_CLOUD_", "ALICLOUD_", "ANSIBLE_"))
            and key.lower() not in ("http_proxy", "https_proxy", "all_proxy")
        }
        env.update(
            {
                "HOME": str(self.home),
                "ALIBABA_CLOUD_ECS_METADATA_DISABLED": "true",
                "ALIBABA_CLOUD_CLI_PROFILE_DISABLED": "true",
                "no_proxy": "127.0.0.1,localhost",
                "NO_PROXY": "127.0.0.1,localhost",
                "PYTHONDONTWRITEBYTECODE": "1",
                "ANSIBLE_COLLECTIONS_PATH": str(self.collections_path),
                "ANSIBLE_LIBRARY": str(BENCH_DIR / "library"),
                "ANSIBLE_CALLBACK_PLUGINS": str(BENCH_DIR / "callback_plugins"),
                "ANSIBLE_CALLBACKS_ENABLED": "bench_timing",
                "ANSIBLE_LOCAL_TEMP": str(self.home / ".ansible" / "tmp"),
                "ANSIBLE_REMOTE_TMP": str(self.home / ".ansible" / "remote-tmp"),
                "ANSIBLE_NOCOLOR": "1",
                "ANSIBLE_RETRY_FILES_ENABLED": "false",
                "ANSIBLE_HOST_KEY_CHECKING": "false",
            }
        )
        return env

    def api_env(self, endpoint: str, region: str = DEFAULT_REGION) -> dict:
        """Return ``base_env()`` plus the emulator's endpoint and credentials."""
        env = self.base_env()
        env.update(
            {
                "ALIBABA_CLOUD_KVSTORE_ENDPOINT": endpoint,
                "ALIBABA_CLOUD_ACCESS_KEY_ID": ACCESS_KEY_ID,
                "ALIBABA_CLOUD_ACCESS_KEY_SECRET": ACCESS_KEY_SECRET,
                "ALIBABA_CLOUD_REGION_ID": region,
            }
        )
        return env


def poll_settings() -> dict:
    """Return the poll knobs of the working tree: the waiter's and the role's."""
    settings = {}
    waiter = REPO_ROOT / "plugins" / "module_utils" / "waiter.py"
    if waiter.is_file():
        for line in waiter.read_text(encoding="utf-8").splitlines():
            name, separator, value = line.partition("=")
            if separator and name.strip() in ("MIN_INTERVAL", "MAX_INTERVAL", "GROWTH"):
                settings[f"waiter {name.strip()}"] = value.strip()
    defaults = REPO_ROOT / "roles" / "distributed_instance" / "defaults" / "main.yml"
    if defaults.is_file():
        with defaults.open(encoding="utf-8") as handle:
            role_defaults = yaml.safe_load(handle) or {}
        for name, value in role_defaults.items():
            if "poll" in name or "interval" in name:
                settings[f"role {name}"] = value
    return settings


# --- state files ----------------------------------------------------------


def load_example_fleet() -> dict:
    if not EXAMPLE_FLEET.is_file():
        raise BenchError(
            f"example fleet not found: {EXAMPLE_FLEET.relative_to(REPO_ROOT)}"
        )
    with EXAMPLE_FLEET.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def example_state(durations: dict | None = None, settings: dict | None = None) -> dict:
    """Return the example fleet, its durations (emulated seconds) overridden."""
    state = load_example_fleet()
    state_settings = state.setdefault("settings", {}) or {}
    state["settings"] = state_settings
    if settings:
        state_settings.update(settings)
    if durations:
        state_settings["durations"] = {
            **(state_settings.get("durations") or {}),
            **durations,
        }
    return state


def uniform_durations(seconds: float) -> dict:
    """Return a durations setting with every transition lasting ``seconds``."""
    names = (
        "convert",
        "release_direct_connection",
        "allocate_direct_connection",
        "remove_sub_instance",
    )
    return {name: seconds for name in names}


def find_instance(state: dict, instance_id: str) -> dict:
    for instance in state.get("instances", []):
        if instance.get("InstanceId") == instance_id:
            return instance
    raise BenchError(f"instance {instance_id} is not in the example fleet")


def clone_instance(template: dict, new_id: str) -> dict:
    """Copy an instance entry, renaming its id wherever it occurs (endpoints too)."""
    old_id = template["InstanceId"]
    text = json.dumps(template).replace(old_id, new_id)
    clone = json.loads(text)
    clone.pop("GlobalInstanceId", None)
    return clone


def cloned_fleet_state(
    templates: list[str], count: int, durations: dict
) -> tuple[dict, list]:
    """Return a state with ``count`` instances cloned round-robin from ``templates``.

    Returns the state and the list of ``(instance_id, region_id)`` of the clones.
    Instance ids follow the real form: ``r-`` then lower-case letters and digits.
    """
    example = example_state(durations=durations)
    sources = [find_instance(example, instance_id) for instance_id in templates]
    instances = []
    seeds = []
    for index in range(count):
        source = sources[index % len(sources)]
        new_id = f"r-bp1benchfleet{index + 1:04d}"
        clone = clone_instance(copy.deepcopy(source), new_id)
        instances.append(clone)
        seeds.append((new_id, clone.get("RegionId", DEFAULT_REGION)))

    state = {
        "settings": example.get("settings", {}),
        "accounts": example.get("accounts", []),
        "instances": instances,
    }
    return state, seeds


def write_yaml(path: Path, data) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        yaml.safe_dump(data, handle, sort_keys=False)
    return path


# --- emulator -------------------------------------------------------------


class Emulator:
    """One emulator process on 127.0.0.1 with its own state, faults and request log."""

    def __init__(
        self, directory: Path, state: dict, speed: float, faults: dict | None = None
    ):
        self.directory = directory
        self.state_path = write_yaml(directory / "state.yml", state)
        self.faults_path = (
            write_yaml(directory / "faults.yml", faults) if faults else None
        )
        self.request_log = directory / "requests.jsonl"
        self.stderr_path = directory / "emulator.stderr"
        self.speed = speed
        self.endpoint = None
        self.process = None

    def start(self, env: dict):
        command = [
            PYTHON,
            str(EMULATOR_DIR.relative_to(REPO_ROOT)),
            "--state",
            str(self.state_path),
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--request-log",
            str(self.request_log),
            "--speed",
            str(self.speed),
        ]
        if self.faults_path:
            command += ["--faults", str(self.faults_path)]

        stderr = self.stderr_path.open("w", encoding="utf-8")
        self.process = subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
        stderr.close()

        lines = queue.Queue()
        threading.Thread(target=self._read_stdout, args=(lines,), daemon=True).start()
        try:
            first = lines.get(timeout=EMULATOR_START_TIMEOUT)
        except queue.Empty:
            self.stop()
            raise BenchError(
                f"emulator printed nothing within {EMULATOR_START_TIMEOUT} s; "
                f"see {self.stderr_path}"
            ) from None

        prefix = "listening on "
        if first is None or not first.startswith(prefix):
            self.stop()
            tail = self.stderr_path.read_text(encoding="utf-8", errors="replace")[-800:]
            raise BenchError(f"emulator did not start (first line {first!r}): {tail}")
        self.endpoint = first[len(prefix) :].strip()
        return self

    def _read_stdout(self, lines: queue.Queue):
        first = True
        for line in self.process.stdout:
            if first:
                lines.put(line)
                first = False
        if first:
            lines.put(None)

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def log_entries(self) -> list[dict]:
        return read_request_log(self.request_log)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.stop()


def parse_time(value: str) -> float:
    """Convert an ISO 8601 request log time to epoch seconds (naive means UTC)."""
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()


def read_request_log(path: Path) -> list[dict]:
    """Return the request log entries, each with an added epoch ``t``."""
    if not path.is_file():
        return []
    entries = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            line = line.strip()
            if not line:
                continue
            entry = json.loads(line)
            entry["t"] = parse_time(entry["time"])
            entries.append(entry)
    return entries


# --- call counting ---------------------------------------------------------


def is_write(entry: dict) -> bool:
    return entry.get("action") in write_actions()


def is_accepted(entry: dict) -> bool:
    return entry.get("status") == 200 and not entry.get("code")


def mentions(entry: dict, ids: set) -> bool:
    """Tell whether any request parameter names one of ``ids`` (comma lists too)."""
    for value in (entry.get("params") or {}).values():
        for part in str(value).split(","):
            if part.strip() in ids:
                return True
    return False


@dataclass
class CallCount:
    reads: int = 0
    writes: int = 0
    accepted_creates: int = 0
    throttled: int = 0
    rejected: int = 0
    by_action: dict = field(default_factory=dict)

    @classmethod
    def of(cls, entries: list[dict]) -> CallCount:
        count = cls()
        for entry in entries:
            action = entry.get("action") or "?"
            count.by_action[action] = count.by_action.get(action, 0) + 1
            if is_write(entry):
                count.writes += 1
            else:
                count.reads += 1
            if action == "CreateGlobalDistributeCache" and is_accepted(entry):
                count.accepted_creates += 1
            code = entry.get("code") or ""
            if code.startswith("Throttling"):
                count.throttled += 1
            elif not is_accepted(entry):
                count.rejected += 1
        return count

    @property
    def total(self) -> int:
        return self.reads + self.writes

    def as_dict(self) -> dict:
        return {
            "total": self.total,
            "reads": self.reads,
            "writes": self.writes,
            "accepted_creates": self.accepted_creates,
            "throttled": self.throttled,
            "rejected_other": self.rejected,
            "by_action": dict(sorted(self.by_action.items())),
        }


# --- playbooks -------------------------------------------------------------


@dataclass
class HostResult:
    host: str
    task: str
    status: str
    start: float
    end: float
    changed: bool = False
    result: dict = field(default_factory=dict)

    @property
    def duration(self) -> float:
        return self.end - self.start


@dataclass
class PlaybookRun:
    name: str
    rc: int
    started: float
    finished: float
    output_path: Path
    results: list[HostResult]
    stats: dict

    @property
    def wall(self) -> float:
        return self.finished - self.started

    def failed_hosts(self) -> list[str]:
        return sorted(
            host
            for host, summary in self.stats.items()
            if summary.get("failures") or summary.get("unreachable")
        )

    def results_for(self, task_prefix: str) -> list[HostResult]:
        return [item for item in self.results if item.task.startswith(task_prefix)]

    def failure_summary(self, limit: int = 3) -> str:
        failed = [
            item for item in self.results if item.status in ("failed", "unreachable")
        ]
        lines = [
            f"{item.host} / {item.task}: {item.result.get('msg', '')}"
            for item in failed
        ]
        if not lines:
            tail = self.output_path.read_text(encoding="utf-8", errors="replace")[-600:]
            return f"rc {self.rc}; output tail: {tail}"
        return "; ".join(lines[:limit])


def inventory(hosts: dict[str, dict], path: Path) -> Path:
    """Write a YAML inventory of local-connection hosts with the given host vars."""
    common = {
        "ansible_connection": "local",
        "ansible_python_interpreter": PYTHON,
    }
    data = {
        "all": {
            "hosts": {name: {**common, **hostvars} for name, hostvars in hosts.items()}
        }
    }
    return write_yaml(path, data)


def run_playbook(
    name: str,
    directory: Path,
    plays: list,
    hosts: dict[str, dict],
    env: dict,
    forks: int = 5,
    check: bool = False,
    timeout: float = 1800,
) -> PlaybookRun:
    """Write and run one playbook; return its wall time and per-host task timings."""
    playbook_path = write_yaml(directory / f"{name}.yml", plays)
    inventory_path = inventory(hosts, directory / f"{name}-inventory.yml")
    timing_path = directory / f"{name}-timing.jsonl"
    output_path = directory / f"{name}.out"

    command = [
        ANSIBLE_PLAYBOOK,
        "-i",
        str(inventory_path),
        "-f",
        str(forks),
        str(playbook_path),
    ]
    if check:
        command.append("--check")

    run_env = dict(env)
    run_env["BENCH_TIMING_FILE"] = str(timing_path)
    with output_path.open("w", encoding="utf-8") as output:
        started = time.time()
        try:
            completed = subprocess.run(
                command,
                cwd=directory,
                env=run_env,
                stdout=output,
                stderr=subprocess.STDOUT,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise BenchError(
                f"playbook {name} did not finish within {timeout} s"
            ) from None
        finished = time.time()

    results, stats = read_timing(timing_path)
    return PlaybookRun(
        name, completed.returncode, started, finished, output_path, results, stats
    )


def read_timing(path: Path) -> tuple[list[HostResult], dict]:
    """Read the timing callback's file: per-host task results and the final stats."""
    results = []
    stats = {}
    if not path.is_file():
        return results, stats
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            event = json.loads(line)
            if event["event"] == "result":
                results.append(
                    HostResult(
                        host=event["host"],
                        task=event["task"],
                        status=event["status"],
                        start=event.get("start") or event["time"],
                        end=event["time"],
                        changed=bool(event.get("changed")),
                        result=event.get("result") or {},
                    )
                )
            elif event["event"] == "stats":
                stats = event["hosts"]
    return results, stats


def median(values: list[float]) -> float | None:
    ordered = sorted(values)
    if not ordered:
        return None
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2
