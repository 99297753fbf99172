"""Callback that writes per-host task timings for the benchmark as JSON lines."""

from __future__ import annotations

import json
import os
import threading
import time

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = """
name: bench_timing
type: aggregate
short_description: Write per-host task start and end times to a JSON Lines file
description:
  - Used by the benchmark runner only. Each line is one event with an epoch time.
  - The file path comes from the environment variable E(BENCH_TIMING_FILE);
    without it the callback writes nothing.
requirements:
  - enabled in ANSIBLE_CALLBACKS_ENABLED
"""

# Result keys copied into the timing file; everything else is left out.
KEPT_RESULT_KEYS = (
    "msg",
    "status",
    "global_instance_id",
    "attempts",
    "direct_connection_released",
)


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "bench_timing"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super().__init__()
        self._path = os.environ.get("BENCH_TIMING_FILE")
        self._lock = threading.Lock()
        self._starts = {}

    def _write(self, event):
        if not self._path:
            return
        with self._lock, open(self._path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(event, default=str) + "\n")

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._write(
            {"event": "task_start", "task": task.get_name(), "time": time.time()}
        )

    def v2_runner_on_start(self, host, task):
        self._starts[(host.get_name(), task._uuid)] = time.time()

    def _result(self, result, status):
        now = time.time()
        host = result._host.get_name()
        task = result._task
        raw = result._result or {}
        kept = {key: raw[key] for key in KEPT_RESULT_KEYS if key in raw}
        if isinstance(kept.get("msg"), str):
            kept["msg"] = kept["msg"][:500]
        self._write(
            {
                "event": "result",
                "host": host,
                "task": task.get_name(),
                "status": status,
                "changed": bool(raw.get("changed")),
                "start": self._starts.pop((host, task._uuid), None),
                "time": now,
                "result": kept,
            }
        )

    def v2_runner_on_ok(self, result):
        self._result(result, "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._result(result, "ignored" if ignore_errors else "failed")

    def v2_runner_on_skipped(self, result):
        self._result(result, "skipped")

    def v2_runner_on_unreachable(self, result):
        self._result(result, "unreachable")

    def v2_runner_retry(self, result):
        self._write(
            {
                "event": "retry",
                "host": result._host.get_name(),
                "task": result._task.get_name(),
                "time": time.time(),
            }
        )

    def v2_playbook_on_stats(self, stats):
        hosts = {}
        for host in sorted(stats.processed.keys()):
            hosts[host] = stats.summarize(host)
        self._write({"event": "stats", "hosts": hosts, "time": time.time()})
