"""In-memory fleet: instances, distributed instances and their time-based transitions.

Nothing runs in the background. Every request first calls ``advance()``, which
finishes the transitions whose deadline has passed, so the state a client reads
is always the state at the moment of its request. Callers hold ``lock`` for the
whole of a request, so a check and the change that follows it are atomic.
"""

import copy
import random
import string
import threading

from tests.emulator.defaults import region_prefix

ID_ALPHABET = string.ascii_lowercase + string.digits


class Transition:
    """A change in progress on one instance.

    While ``starts <= now < ends`` the instance shows ``status`` (when set).
    ``ends`` of ``None`` means the transition never finishes. At ``ends``,
    ``finish()`` applies the end state. ``details`` keeps what an action
    reserves until then, such as the endpoint of a pending direct connection.
    """

    def __init__(
        self, action, instance_id, status, starts, ends, finish, global_instance_id=None
    ):
        self.action = action
        self.instance_id = instance_id
        self.status = status
        self.starts = starts
        self.ends = ends
        self.finish = finish
        self.global_instance_id = global_instance_id
        self.details = {}

    def is_running(self, now):
        """Return whether the transition has started (the instance shows its status)."""
        return self.starts <= now


class Fleet:
    """Instances (wire records), distributed instances and pending transitions."""

    def __init__(self, state, clock, stuck_rule=None):
        self.lock = threading.RLock()
        self.clock = clock
        self.settings = state["settings"]
        self.instances = {}
        self.distributed = {}
        self.transitions = []
        self.stuck_rule = stuck_rule or (lambda action, instance_id: False)

        for instance_id, entry in state["instances"].items():
            self.instances[instance_id] = entry["record"]
            self._schedule_initial_status(instance_id, entry["emulator"])
        self._load_distributed(state["distributed_instances"])

    # Time -----------------------------------------------------------------

    def advance(self):
        """Finish, in deadline order, every transition whose deadline has passed."""
        now = self.clock.now()
        due = [
            item
            for item in self.transitions
            if item.ends is not None and item.ends <= now
        ]
        for transition in sorted(due, key=lambda item: item.ends):
            self.transitions.remove(transition)
            transition.finish()

    def start_transition(
        self,
        action,
        instance_id,
        status,
        duration,
        finish,
        starts=None,
        global_instance_id=None,
    ):
        """Start a transition of ``duration`` emulated seconds (endless if stuck)."""
        starts = self.clock.now() if starts is None else starts
        ends = (
            None
            if self.stuck_rule(action, instance_id)
            else self.clock.after(duration, starts)
        )
        transition = Transition(
            action, instance_id, status, starts, ends, finish, global_instance_id
        )
        self.transitions.append(transition)
        return transition

    def schedule_release(self, instance_id, after_seconds):
        """Release an instance ``after_seconds`` emulated seconds after the start."""
        deadline = self.clock.since_start(after_seconds)
        transition = Transition(
            "ReleaseInstance",
            instance_id,
            None,
            deadline,
            deadline,
            lambda: self.release(instance_id),
        )
        self.transitions.append(transition)

    def _schedule_initial_status(self, instance_id, emulator_keys):
        """Turn a busy instance Normal after ``emulator.normal_after`` seconds."""
        normal_after = emulator_keys.get("normal_after")
        if normal_after is None:
            return
        record = self.instances[instance_id]

        def finish():
            record["InstanceStatus"] = "Normal"
            record["IsOrderCompleted"] = True

        deadline = self.clock.since_start(normal_after)
        transition = Transition(
            "InitialState",
            instance_id,
            record["InstanceStatus"],
            self.clock.started,
            deadline,
            finish,
        )
        self.transitions.append(transition)

    # Instances --------------------------------------------------------------

    def record(self, instance_id):
        """Return the stored record of ``instance_id`` (not a copy), or ``None``."""
        return self.instances.get(instance_id)

    def current(self, instance_id):
        """Return a copy of the record as a client sees it now, or ``None``."""
        record = self.instances.get(instance_id)
        if record is None:
            return None
        visible = copy.deepcopy(record)
        visible["InstanceStatus"] = self.status_of(instance_id)
        return visible

    def all_current(self):
        """Return every instance as a client sees it now, sorted by InstanceId."""
        return [self.current(instance_id) for instance_id in sorted(self.instances)]

    def status_of(self, instance_id):
        """Return the status shown now: the latest running transition's, else stored."""
        now = self.clock.now()
        status = self.instances[instance_id]["InstanceStatus"]
        for transition in self.transitions:
            if (
                transition.instance_id == instance_id
                and transition.status
                and transition.is_running(now)
            ):
                status = transition.status
        return status

    def pending(self, action, instance_id=None, global_instance_id=None):
        """Return the unfinished transition of ``action`` that matches, or ``None``."""
        for transition in self.transitions:
            if transition.action != action:
                continue
            if instance_id is not None and transition.instance_id != instance_id:
                continue
            if (
                global_instance_id is not None
                and transition.global_instance_id != global_instance_id
            ):
                continue
            return transition
        return None

    def release(self, instance_id):
        """Delete an instance, as if its owner released it, with its transitions."""
        record = self.instances.pop(instance_id, None)
        if record is None:
            return
        self.transitions = [
            item for item in self.transitions if item.instance_id != instance_id
        ]
        for distributed in self.distributed.values():
            if instance_id in distributed["members"]:
                distributed["members"].remove(instance_id)

    # Distributed instances --------------------------------------------------

    def new_global_instance_id(self, region_id):
        """Return an unused distributed instance id such as ``gr-bp1...``."""
        while True:
            suffix = "".join(random.choices(ID_ALPHABET, k=17))
            global_instance_id = f"gr-{region_prefix(region_id)}{suffix}"[:23]
            if global_instance_id not in self.distributed:
                return global_instance_id

    def add_distributed(
        self, global_instance_id, members, status="Normal", foreign=None
    ):
        """Register a distributed instance.

        ``members`` are fleet instance ids; ``foreign`` are SubInstances items of
        children that the fleet does not contain.
        """
        self.distributed[global_instance_id] = {
            "GlobalInstanceId": global_instance_id,
            "Status": status,
            "members": list(members),
            "foreign": list(foreign or []),
        }

    def distributed_status(self, global_instance_id):
        """Return the status of a distributed instance.

        It is Creating while a conversion runs and Changing while a child leaves.
        """
        if self.pending(
            "CreateGlobalDistributeCache", global_instance_id=global_instance_id
        ):
            return "Creating"
        if self.pending("RemoveSubInstance", global_instance_id=global_instance_id):
            return "Changing"
        return self.distributed[global_instance_id]["Status"]

    def sub_instances(self, global_instance_id):
        """Return the SubInstances items of a distributed instance."""
        distributed = self.distributed[global_instance_id]
        items = []
        for instance_id in distributed["members"]:
            record = self.instances[instance_id]
            items.append(
                {
                    "GlobalInstanceId": global_instance_id,
                    "InstanceClass": record["InstanceClass"],
                    "InstanceID": instance_id,
                    "InstanceStatus": self.status_of(instance_id),
                    "RegionId": record["RegionId"],
                }
            )
        items.extend(copy.deepcopy(distributed["foreign"]))
        return items

    def _load_distributed(self, entries):
        """Register the distributed instances of the state file and of its members."""
        for entry in entries:
            global_instance_id = entry["GlobalInstanceId"]
            members, foreign = [], []
            for sub in entry.get("SubInstances") or []:
                sub = {"InstanceID": sub} if isinstance(sub, str) else dict(sub)
                if sub["InstanceID"] in self.instances:
                    members.append(sub["InstanceID"])
                    self.instances[sub["InstanceID"]]["GlobalInstanceId"] = (
                        global_instance_id
                    )
                else:
                    sub.setdefault("GlobalInstanceId", global_instance_id)
                    sub.setdefault("InstanceStatus", "Normal")
                    foreign.append(sub)
            self.add_distributed(
                global_instance_id, members, entry.get("Status", "Normal"), foreign
            )

        for instance_id, record in sorted(self.instances.items()):
            global_instance_id = record.get("GlobalInstanceId")
            if not global_instance_id:
                continue
            record.setdefault("ReplacateId", global_instance_id)
            if global_instance_id not in self.distributed:
                self.add_distributed(global_instance_id, [])
            if instance_id not in self.distributed[global_instance_id]["members"]:
                self.distributed[global_instance_id]["members"].append(instance_id)
