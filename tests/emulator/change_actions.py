"""API actions that change state: direct connections, conversion, removal.

Each action checks its preconditions, then starts a transition. The caller
holds the fleet lock, so a check and its change cannot interleave with another
request.
"""

import math
import re

from tests.emulator.defaults import direct_connection_item
from tests.emulator.describe_actions import instance_not_found
from tests.emulator.errors import ApiError, configured_error, invalid_parameter
from tests.emulator.params import choice, integer, required

CREATE = "CreateGlobalDistributeCache"
DB_NOT_FOUND = "InvalidDbInstanceId.NotFound"
CONNECTION_PREFIX = re.compile(r"^[a-z][a-z0-9]{7,39}$")
CHANGING = "Changing"
SECONDS_PER_DAY = 86400


def _has_direct_connection(record):
    return any(item["DirectConnection"] == 1 for item in record["NetInfoItems"])


def _require_normal_for_network_change(fleet, instance_id):
    status = fleet.status_of(instance_id)
    if status != "Normal":
        raise ApiError(
            "InstanceStatus.NotSupport",
            f"The instance {instance_id} is {status}; it must be Normal.",
        )


def allocate_direct_connection(fleet, params):
    """Add a direct-connection endpoint to a classic cluster instance."""
    instance_id = required(params, "InstanceId")
    record = fleet.record(instance_id)
    if record is None:
        raise instance_not_found(instance_id, DB_NOT_FOUND)
    if record["ArchitectureType"] != "cluster" or record["ComputingType"] != "Machine":
        raise invalid_parameter(
            "InstanceId",
            instance_id,
            "Direct connection needs a classic (Machine) cluster instance.",
        )
    _require_normal_for_network_change(fleet, instance_id)
    if _has_direct_connection(record):
        raise ApiError(
            "NetTypeExists",
            f"The instance {instance_id} already has a direct connection.",
        )

    prefix = params.get("ConnectionString") or f"{instance_id}-direct"
    if params.get("ConnectionString") and not CONNECTION_PREFIX.match(prefix):
        raise invalid_parameter(
            "ConnectionString",
            prefix,
            "Use 8 to 40 lowercase letters and digits, starting with a letter.",
        )
    _reject_used_connection_string(fleet, prefix)
    port = integer(params, "Port", 6379, minimum=1024, maximum=65535)

    def finish():
        record["NetInfoItems"].append(direct_connection_item(record, prefix, port))

    duration = fleet.settings["durations"]["allocate_direct_connection"]
    transition = fleet.start_transition(
        "AllocateDirectConnection", instance_id, CHANGING, duration, finish
    )
    transition.details["ConnectionString"] = f"{prefix}.redis.rds.aliyuncs.com"
    return {}


def _reject_used_connection_string(fleet, prefix):
    """Reject a prefix that an endpoint uses or that a pending allocation reserved."""
    host = f"{prefix}.redis.rds.aliyuncs.com"
    taken = {item.details.get("ConnectionString") for item in fleet.transitions}
    for record in fleet.instances.values():
        taken.update(item["ConnectionString"] for item in record["NetInfoItems"])
    if host in taken:
        raise ApiError(
            "ConnectionStringAlreadyExists",
            f"The connection string {prefix} is already in use.",
        )


def release_direct_connection(fleet, params):
    """Remove the direct-connection endpoint of an instance."""
    instance_id = required(params, "InstanceId")
    record = fleet.record(instance_id)
    if record is None:
        raise instance_not_found(instance_id, DB_NOT_FOUND)
    _require_normal_for_network_change(fleet, instance_id)
    if not _has_direct_connection(record):
        raise ApiError(
            "NetTypeNotExists",
            f"The instance {instance_id} has no direct connection to release.",
        )

    def finish():
        record["NetInfoItems"] = [
            item for item in record["NetInfoItems"] if item["DirectConnection"] != 1
        ]

    duration = fleet.settings["durations"]["release_direct_connection"]
    fleet.start_transition(
        "ReleaseDirectConnection", instance_id, CHANGING, duration, finish
    )
    return {}


def create_global_distribute_cache(fleet, params):
    """Convert a seed instance into the first child of a new distributed instance."""
    settings = fleet.settings
    instance_id = required(params, "SeedSubInstanceId")
    effective_time = choice(
        params, "EffectiveTime", ("Immediately", "MaintainTime"), "MaintainTime"
    )
    record = fleet.record(instance_id)
    if record is None:
        raise instance_not_found(instance_id)
    _check_seed(fleet, record)

    global_instance_id = fleet.new_global_instance_id(record["RegionId"])
    fleet.add_distributed(global_instance_id, [instance_id])
    if settings["global_id_visible"] == "immediately":
        _join(record, global_instance_id)

    def finish():
        _join(record, global_instance_id)

    starts = (
        None
        if effective_time == "Immediately"
        else next_maintenance_window(fleet.clock, settings["maintain_window_in"])
    )
    fleet.start_transition(
        CREATE,
        instance_id,
        settings["converting_status"],
        settings["durations"]["convert"],
        finish,
        starts=starts,
        global_instance_id=global_instance_id,
    )
    return {"GlobalInstanceId": global_instance_id, "InstanceId": instance_id}


def _join(record, global_instance_id):
    record["GlobalInstanceId"] = global_instance_id
    record["ReplacateId"] = global_instance_id


def _check_seed(fleet, record):
    """Reject a seed that the service would not convert."""
    codes = fleet.settings["refusal_codes"]
    instance_id = record["InstanceId"]
    if fleet.pending(CREATE, instance_id):
        raise configured_error(
            fleet.settings["repeat_create_code"],
            f"A conversion of {instance_id} is already in progress.",
        )
    if record.get("GlobalInstanceId"):
        raise configured_error(
            codes["already_member"],
            f"The instance {instance_id} already belongs to "
            f"{record['GlobalInstanceId']}.",
        )
    if record.get("EditionType") == "Community":
        raise configured_error(
            codes["community"],
            f"The instance {instance_id} is a Redis Community edition instance, "
            "and only Tair instances can be converted.",
        )
    if record["InstanceType"] != "Tair" or record.get("StorageType"):
        raise configured_error(
            codes["not_tair"],
            f"The instance {instance_id} is not a Tair DRAM-based instance.",
        )
    if record["ComputingType"] != "Machine":
        raise configured_error(
            codes["cloud_native"],
            f"The instance {instance_id} is a cloud-native instance, "
            "and only classic instances can be converted.",
        )
    status = fleet.status_of(instance_id)
    if status != "Normal":
        raise configured_error(
            codes["busy"], f"The instance {instance_id} is {status}; it must be Normal."
        )
    if record["ArchitectureType"] == "cluster" and _has_direct_connection(record):
        raise ApiError("GdcInstanceNotSupport", "The gdc custins trans not support.")


def next_maintenance_window(clock, window_in):
    """Return the real start time of the next maintenance window.

    The first window opens ``window_in`` emulated seconds after the emulator
    started and the window repeats every emulated day.
    """
    first = clock.since_start(window_in)
    now = clock.now()
    if first >= now:
        return first
    day = clock.after(SECONDS_PER_DAY, 0.0)
    return first + math.ceil((now - first) / day) * day


def remove_sub_instance(fleet, params):
    """Turn a child back into a standalone instance."""
    settings = fleet.settings
    instance_id = required(params, "InstanceId")
    record = fleet.record(instance_id)
    if record is None:
        raise instance_not_found(instance_id)
    # A conversion in progress comes first: with global_id_visible when_done
    # the seed has no GlobalInstanceId yet.
    if fleet.pending(CREATE, instance_id):
        raise configured_error(
            settings["repeat_create_code"],
            f"A conversion of {instance_id} is still in progress.",
        )
    global_instance_id = record.get("GlobalInstanceId")
    if not global_instance_id:
        raise invalid_parameter(
            "InstanceId",
            instance_id,
            "The instance is not a child of a distributed instance.",
        )
    status = fleet.status_of(instance_id)
    if status != "Normal":
        raise configured_error(
            settings["refusal_codes"]["busy"],
            f"The instance {instance_id} is {status}; it must be Normal.",
        )

    def finish():
        record.pop("GlobalInstanceId", None)
        record.pop("ReplacateId", None)
        _leave(fleet, global_instance_id, instance_id)

    duration = settings["durations"]["remove_sub_instance"]
    fleet.start_transition(
        "RemoveSubInstance",
        instance_id,
        CHANGING,
        duration,
        finish,
        global_instance_id=global_instance_id,
    )
    return {}


def _leave(fleet, global_instance_id, instance_id):
    distributed = fleet.distributed.get(global_instance_id)
    if distributed is None:
        return
    if instance_id in distributed["members"]:
        distributed["members"].remove(instance_id)
    is_empty = not distributed["members"] and not distributed["foreign"]
    if is_empty and fleet.settings["remove_last_child"] == "delete_gdc":
        del fleet.distributed[global_instance_id]
