"""Injected faults: throttling, errors, dropped connections, latency and more.

Latency is spent before the request is authenticated and run, so a client
that times out still has its request run once the delay is over. A latency
rule without ``times`` delays every matching call.

A rule's ``action`` is an action name or a shell-style pattern (``*`` matches
every action). Counted rules affect the first ``times`` matching calls after
skipping ``after`` of them; ``times: -1`` affects every call after those.
"""

import fnmatch
import threading
import time

import yaml

from tests.emulator.errors import code_for, status_for
from tests.emulator.statefile import YAML_LOADER

RULE_KEYS = {
    "throttle": {"rate_per_second", "burst", "code", "status", "retry_after_ms"},
    "errors": {
        "action",
        "code",
        "status",
        "message",
        "body",
        "drop_connection",
        "times",
        "after",
    },
    "latency": {"action", "seconds", "times", "after"},
    "lost_responses": {"action", "times", "after"},
    "stuck_transitions": {"action", "instance_id"},
    "release_instance": {"instance_id", "after_seconds"},
}


class FaultsFileError(ValueError):
    """The faults file cannot be used; the message names the entry and the fix."""


class CallCounter:
    """Counts matching calls and decides whether the current one is affected."""

    def __init__(self, times=1, after=0):
        self.times = int(times)
        self.after = int(after)
        self.seen = 0

    def hit(self):
        """Count one matching call; return whether the fault applies to it."""
        self.seen += 1
        if self.seen <= self.after:
            return False
        return self.times < 0 or self.seen <= self.after + self.times


class TokenBucket:
    """Allows ``burst`` calls at once and ``rate`` calls per real second after that."""

    def __init__(self, rate, burst):
        self.rate = float(rate)
        self.capacity = float(burst)
        self.tokens = float(burst)
        self.updated = time.monotonic()

    def take(self):
        """Take one token; return ``False`` if none is left."""
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens < 1.0:
            return False
        self.tokens -= 1.0
        return True


def _matches(pattern, action):
    return fnmatch.fnmatchcase(action or "", pattern or "*")


class Faults:
    """All fault rules of one faults file, with their counters."""

    def __init__(self, document=None):
        document = document or {}
        self._check_keys(document)
        self._lock = threading.Lock()
        self.throttle = self._parse_throttle(document.get("throttle"))
        self._buckets = {}
        self.errors = [self._parse_error(rule) for rule in document.get("errors") or []]
        self.latency = [
            self._parse_latency(rule) for rule in document.get("latency") or []
        ]
        self.lost_responses = [
            (rule["action"], CallCounter(rule.get("times", 1), rule.get("after", 0)))
            for rule in document.get("lost_responses") or []
        ]
        self.stuck_transitions = list(document.get("stuck_transitions") or [])
        self.release_instance = list(document.get("release_instance") or [])

    @classmethod
    def load(cls, path):
        """Read a faults file; ``None`` gives an empty set of faults."""
        if path is None:
            return cls()
        with open(path, encoding="utf-8") as stream:
            return cls(yaml.load(stream, Loader=YAML_LOADER) or {})

    @staticmethod
    def _check_keys(document):
        if not isinstance(document, dict):
            raise FaultsFileError("the faults file must contain a mapping")
        unknown = sorted(set(document) - set(RULE_KEYS))
        if unknown:
            raise FaultsFileError(
                f"unknown fault kinds {unknown}; expected some of {sorted(RULE_KEYS)}"
            )
        for kind, rules in document.items():
            for rule in [rules] if kind == "throttle" else rules or []:
                extra = sorted(set(rule or {}) - RULE_KEYS[kind])
                if extra:
                    raise FaultsFileError(
                        f"unknown keys {extra} in {kind} rule {rule!r}"
                    )

    @staticmethod
    def _parse_throttle(rule):
        if not rule:
            return None
        code = rule.get("code", "Throttling.User")
        return {
            "rate": float(rule.get("rate_per_second", 5)),
            "burst": float(rule.get("burst", rule.get("rate_per_second", 5))),
            "code": code,
            "status": int(rule.get("status", status_for(code))),
            "retry_after_ms": rule.get("retry_after_ms"),
        }

    @staticmethod
    def _parse_error(rule):
        if "action" not in rule:
            raise FaultsFileError(
                f"error rule {rule!r} needs an action (use '*' for every action)"
            )
        parsed = dict(rule)
        if (
            "status" not in parsed
            and "code" not in parsed
            and not parsed.get("drop_connection")
        ):
            raise FaultsFileError(
                f"error rule {rule!r} needs a code, a status or drop_connection"
            )
        if "status" in parsed:
            parsed.setdefault("code", code_for(int(parsed["status"])))
        parsed.setdefault("code", "InternalError")
        parsed.setdefault("status", status_for(parsed["code"]))
        parsed["counter"] = CallCounter(rule.get("times", 1), rule.get("after", 0))
        return parsed

    def throttled(self, access_key_id):
        """Return the throttle rule if the key has no token left, else ``None``."""
        if self.throttle is None:
            return None
        with self._lock:
            bucket = self._buckets.get(access_key_id)
            if bucket is None:
                bucket = self._buckets[access_key_id] = TokenBucket(
                    self.throttle["rate"], self.throttle["burst"]
                )
            return None if bucket.take() else self.throttle

    def injected_error(self, action):
        """Count the call for every matching rule; return the first rule that fires."""
        fired = None
        with self._lock:
            for rule in self.errors:
                if (
                    _matches(rule["action"], action)
                    and rule["counter"].hit()
                    and fired is None
                ):
                    fired = rule
        return fired

    @staticmethod
    def _parse_latency(rule):
        return {
            "action": rule.get("action", "*"),
            "seconds": float(rule.get("seconds", 0)),
            "counter": CallCounter(rule.get("times", -1), rule.get("after", 0)),
        }

    def latency_for(self, action):
        """Count the call; return the real seconds to wait before handling it.

        The first matching rule that applies to this call sets the delay.
        """
        delay = 0.0
        with self._lock:
            for rule in self.latency:
                if (
                    _matches(rule["action"], action)
                    and rule["counter"].hit()
                    and not delay
                ):
                    delay = rule["seconds"]
        return delay

    def loses_response(self, action):
        """Count the call; return whether to drop its response after running it."""
        lost = False
        with self._lock:
            for pattern, counter in self.lost_responses:
                if _matches(pattern, action) and counter.hit():
                    lost = True
        return lost

    def is_stuck(self, action, instance_id):
        """Return whether transitions of ``action`` on ``instance_id`` never finish."""
        for rule in self.stuck_transitions:
            if _matches(rule.get("action"), action) and rule.get("instance_id") in (
                None,
                instance_id,
            ):
                return True
        return False
