#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: alicloud.kvstore contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: global_distribute_cache
short_description: Convert a Tair instance into the first child of a distributed
  instance
version_added: 0.1.0
description:
  - Converts an existing Tair (ApsaraDB for Redis Enterprise Edition) instance, the
    seed, into the first child of a new distributed instance (global distributed cache)
    with C(CreateGlobalDistributeCache).
  - With O(state=absent), detaches the instance from its distributed instance with
    C(RemoveSubInstance), which turns it back into a standalone instance and keeps its
    data.
  - Before any write the module checks that the seed exists, is in O(region_id), is a
    Tair instance in classic deployment, and is V(Normal) (waiting for a transient
    status first). A cluster seed with a direct connection is rejected unless
    O(release_direct_connection=true).
  - Running the task again is safe. A seed that is already a child, or whose conversion
    is pending, is never converted a second time.
options:
  seed_sub_instance_id:
    description:
      - ID of the instance to convert (the seed), for example V(r-bp1zxszhcgatnx****).
    type: str
    required: true
    aliases: [instance_id]
  state:
    description:
      - V(present) converts the seed into the first child of a new distributed instance.
      - V(absent) detaches the instance from its distributed instance.
    type: str
    choices: [present, absent]
    default: present
  effective_time:
    description:
      - When the conversion runs. V(Immediately) starts it now; V(MaintainTime) runs it
        in the instance's maintenance window.
      - The module always sends this value, because the API's own default is
        V(MaintainTime).
      - With V(MaintainTime), the module returns RV(status=scheduled) once the request
        is accepted and does not wait for the window.
    type: str
    choices: [Immediately, MaintainTime]
    default: Immediately
  release_direct_connection:
    description:
      - Whether to release the direct connection of a cluster seed before converting it.
        Conversion is not possible while a direct connection exists.
      - Clients that use the direct endpoint lose access when it is released, so this is
        never done unless set to V(true).
    type: bool
    default: false
  wait:
    description:
      - Whether to wait until the conversion or the detachment is complete.
      - Waits that are preconditions of the write (a transient seed status, the release
        of a direct connection) happen whatever the value of this option.
    type: bool
    default: true
  wait_timeout:
    description:
      - Maximum number of seconds to wait, for all waits of the task together.
      - A timeout fails the task but not the operation in the cloud; running the task
        again resumes the wait.
    type: int
    default: 1800
extends_documentation_fragment:
  - alicloud.kvstore.common
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.actiongroups
attributes:
  check_mode:
    support: full
    details: Reads the seed and predicts the result without any write.
  diff_mode:
    support: full
  action_group:
    support: full
    membership: [alicloud.kvstore.kvstore]
  platform:
    platforms: all
notes:
  - The API accepts only a Tair DRAM-based (memory-optimized) instance in classic
    deployment as the seed. The module checks the edition and the deployment; other Tair
    series are rejected by the API, and the module reports that refusal.
  - Clients of the seed are briefly disconnected while it is converted. Run the
    conversion off-peak or use O(effective_time=MaintainTime).
  - Only the first child of a distributed instance can be an existing instance. Adding a
    second and third child (new instances in other regions) is not covered by this
    module yet.
  - The API has no idempotency token for C(CreateGlobalDistributeCache). When a response
    is lost (server error, timeout, dropped connection), the module reads the seed again
    before deciding, and it never sends a second conversion request for a seed that
    shows a conversion.
seealso:
  - module: alicloud.kvstore.global_distribute_cache_info
  - module: alicloud.kvstore.direct_connection
  - module: alicloud.kvstore.instance_info
author:
  - alicloud.kvstore maintainers (@alicloud-kvstore)
"""

EXAMPLES = r"""
- name: Convert an instance into the first child of a distributed instance
  alicloud.kvstore.global_distribute_cache:
    seed_sub_instance_id: r-bp1standard00001
    region_id: cn-hangzhou
  register: conversion

- name: Show the ID of the new distributed instance
  ansible.builtin.debug:
    msg: "{{ conversion.global_instance_id }}"

- name: Convert a cluster instance, releasing its direct connection first
  alicloud.kvstore.global_distribute_cache:
    seed_sub_instance_id: r-bp1clusterdirect1
    release_direct_connection: true
    wait_timeout: 3600

- name: Schedule the conversion for the maintenance window
  alicloud.kvstore.global_distribute_cache:
    seed_sub_instance_id: r-bp1clusterplain01
    effective_time: MaintainTime

- name: Run against a local API emulator, with credentials for the whole action group
  module_defaults:
    group/alicloud.kvstore.kvstore:
      endpoint: http://127.0.0.1:8080
      region_id: cn-hangzhou
      access_key_id: LTAIemulatorkey0001
      access_key_secret: "{{ emulator_secret }}"
  block:
    - name: Preview the conversion
      alicloud.kvstore.global_distribute_cache:
        seed_sub_instance_id: r-bp1standard00001
      check_mode: true
      diff: true

- name: Detach the instance again
  alicloud.kvstore.global_distribute_cache:
    seed_sub_instance_id: r-bp1standard00001
    state: absent
"""

RETURN = r"""
global_instance_id:
  description:
    - ID of the distributed instance the seed belongs to, or null when it belongs to
      none, is scheduled for conversion without an ID yet, or in check mode before a
      conversion.
  returned: always
  type: str
  sample: gr-bp1vrg8rlg0h5q4i
seed_sub_instance_id:
  description: ID of the seed instance.
  returned: always
  type: str
  sample: r-bp1standard00001
status:
  description:
    - V(converted) when the distributed instance and the seed are V(Normal).
    - V(converting) when the conversion is still running (O(wait=false)).
    - V(scheduled) when the conversion waits for the maintenance window
      (O(effective_time=MaintainTime)).
    - V(detached) when the instance is standalone (O(state=absent)).
  returned: always
  type: str
  sample: converted
instance:
  description: Attributes of the seed from C(DescribeInstanceAttribute), with snake_case
    keys.
  returned: always
  type: dict
  sample:
    instance_id: r-bp1standard00001
    instance_status: Normal
    instance_type: Tair
    architecture_type: standard
    computing_type: Machine
    region_id: cn-hangzhou
    global_instance_id: gr-bp1vrg8rlg0h5q4i
distributed_instance:
  description: The distributed instance, or null when there is none.
  returned: always
  type: dict
  contains:
    global_instance_id:
      description: ID of the distributed instance.
      type: str
      sample: gr-bp1vrg8rlg0h5q4i
    status:
      description: Status of the distributed instance (V(Normal), V(Changing) or
        V(Creating)).
      type: str
      sample: Normal
    sub_instances:
      description: The children of the distributed instance.
      type: list
      elements: dict
      contains:
        instance_id:
          description: ID of the child instance.
          type: str
          sample: r-bp1standard00001
        region_id:
          description: Region of the child instance.
          type: str
          sample: cn-hangzhou
        instance_status:
          description: Status of the child instance.
          type: str
          sample: Normal
        instance_class:
          description: Instance class of the child.
          type: str
          sample: redis.amber.master.small.multithread
direct_connection_released:
  description: Whether the direct connection of the seed was (or in check mode would be)
    released.
  returned: always
  type: bool
  sample: false
released_endpoints:
  description: The direct endpoints that were (or in check mode would be) released.
  returned: always
  type: list
  elements: dict
  contains:
    connection_string:
      description: Host name of the endpoint.
      type: str
      sample: r-bp1clusterdirect1-direct.redis.rds.aliyuncs.com
    port:
      description: Port of the endpoint.
      type: str
      sample: "6379"
    ip_address:
      description: IP address of the endpoint.
      type: str
      sample: 172.16.0.10
request_id:
  description: Request ID of the conversion or detachment request, when one was
    accepted.
  returned: always
  type: str
  sample: 8D4D3D9A-1B5C-4A8E-9C3E-6E0D2C1B5A7F
diff:
  description: The seed's membership before and after, with C(--diff).
  returned: when diff mode is on
  type: dict
  sample:
    before:
      global_instance_id: null
      status: standalone
    after:
      global_instance_id: null
      status: converted
"""


from ansible_collections.alicloud.kvstore.plugins.module_utils import api  # noqa: E402
from ansible_collections.alicloud.kvstore.plugins.module_utils.errors import (  # noqa: E402
    KIND_API,
    KIND_INVALID,
    KVStoreError,
)
from ansible_collections.alicloud.kvstore.plugins.module_utils.instance import (  # noqa: E402
    NORMAL,
    Deadline,
    check_region,
    get_instance,
    reject_stuck,
    release_direct_connection,
    validate_instance_id,
    validate_wait_timeout,
    wait_until_normal,
)
from ansible_collections.alicloud.kvstore.plugins.module_utils.module import (  # noqa: E402
    KVStoreModule,
)
from ansible_collections.alicloud.kvstore.plugins.module_utils.retries import (  # noqa: E402
    write_outcome_unknown,
)

OPTION = "seed_sub_instance_id"

# Codes with which the API rejects a seed in a state that may pass.
STATE_CONFLICT_CODES = frozenset(
    (
        "IncorrectDBInstanceState",
        "InstanceStatus.NotSupport",
        "OperationDenied.KVstoreInstanceStatus",
    )
)


class Task:
    """The options and API client of one run."""

    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.client = module.client
        self.seed = module.params[OPTION]
        self.region_id = module.region_id
        self.effective_time = module.params["effective_time"]
        self.wait = module.params["wait"]
        self.deadline = Deadline(module.params["wait_timeout"])


# Describe


def describe(task):
    """Return the seed's attributes and its distributed instance (or None).

    A seed that does not show a GlobalInstanceId yet may still be listed as a
    child by DescribeGlobalDistributeCache, for example while a conversion is
    pending. Both count as membership.
    """
    instance = get_instance(task.client, task.seed, OPTION, task.region_id)
    check_region(instance, task.region_id, task.seed)

    global_instance_id = instance["global_instance_id"]
    if global_instance_id:
        distributed = api.describe_distributed_instance(task.client, global_instance_id)
    else:
        distributed = api.find_distributed_instance_of(task.client, task.seed)
    return instance, distributed


def membership_id(instance, distributed):
    if instance.get("global_instance_id"):
        return instance["global_instance_id"]
    if distributed:
        return distributed["global_instance_id"]
    return None


def is_converted(task, instance, distributed):
    """Return True when the distributed instance and the seed are both Normal."""
    if distributed is None or distributed.get("status") != NORMAL:
        return False
    if instance.get("instance_status") != NORMAL:
        return False
    child = api.find_sub_instance(distributed, task.seed)
    if child is not None:
        return child.get("instance_status") == NORMAL
    return instance.get("global_instance_id") == distributed["global_instance_id"]


def reread_membership(task):
    """Re-read the seed; return (is_member, global_instance_id)."""
    instance, distributed = describe(task)
    global_instance_id = membership_id(instance, distributed)
    return global_instance_id is not None, global_instance_id


# Plan


def check_convertible(task, instance):
    """Reject a seed that cannot be converted, naming the value found and the fix."""
    listed = api.describe_instances(
        task.client,
        region_id=instance.get("region_id") or task.region_id,
        instance_ids=[task.seed],
    )
    listing = listed[0] if listed else {}

    instance_type = instance.get("instance_type") or listing.get("instance_type")
    edition_type = listing.get("edition_type")
    # Which of the two fields marks Tair is not documented, so either one is enough.
    if instance_type != "Tair" and edition_type != "Enterprise":
        raise KVStoreError(
            "Conversion rejected",
            instance_id=task.seed,
            detail="it is not a Tair instance (InstanceType %s, EditionType %s)"
            % (instance_type, edition_type),
            kind=KIND_INVALID,
            next_step=(
                "Only a Tair (Enterprise Edition) DRAM-based instance can be the seed;"
                " choose such an instance."
            ),
        )

    computing_type = instance.get("computing_type") or listing.get("computing_type")
    if computing_type == "Ecs":
        raise KVStoreError(
            "Conversion rejected",
            instance_id=task.seed,
            detail="it is a cloud-native instance (ComputingType Ecs)",
            kind=KIND_INVALID,
            next_step=(
                "The API converts only instances in classic deployment (ComputingType "
                "Machine); choose a classic instance or create a new distributed "
                "instance instead."
            ),
        )

    reject_stuck(instance.get("instance_status"), task.seed)

    if instance.get("architecture_type") != "cluster":
        return []
    endpoints = api.direct_endpoints(api.describe_net_info(task.client, task.seed))
    if endpoints and not task.params["release_direct_connection"]:
        raise KVStoreError(
            "Conversion rejected",
            instance_id=task.seed,
            detail=(
                "it is a cluster instance with a direct connection (%s), which "
                "conversion does not allow"
            )
            % ", ".join(format_endpoint(item) for item in endpoints),
            kind=KIND_INVALID,
            next_step=(
                "Set release_direct_connection=true to release it first (clients "
                "using that endpoint lose access), or use the "
                "alicloud.kvstore.distributed_instance role, which can release it."
            ),
        )
    return endpoints


def format_endpoint(endpoint):
    if endpoint.get("port"):
        return "%s:%s" % (endpoint.get("connection_string"), endpoint["port"])
    return str(endpoint.get("connection_string"))


def predicted_status(task):
    if task.effective_time == "MaintainTime":
        return "scheduled"
    return "converted" if task.wait else "converting"


# Apply


def create(task):
    """Send CreateGlobalDistributeCache once.

    Returns ``(global_instance_id, request_id, applied)``; ``applied`` is False
    when the API or a re-read showed a conversion that another run started.
    The request is repeated only after throttling (or SignatureNonceUsed), and
    only if a re-read shows the seed is still standalone. After a lost
    response, the seed is re-read and the task fails unless the re-read shows
    the conversion; it is never sent again.
    """
    reread = {}

    def still_needed():
        is_member, global_instance_id = reread_membership(task)
        reread["global_instance_id"] = global_instance_id
        return not is_member

    try:
        response = api.create_global_distribute_cache(
            task.client, task.seed, task.effective_time, still_needed
        )
    except KVStoreError as error:
        if error.code in api.TASK_EXISTS_CODES:
            # A conversion of this seed is already pending; it may not be visible yet.
            return reread_membership(task)[1], None, False
        if write_outcome_unknown(error):
            is_member, global_instance_id = reread_membership(task)
            if not is_member:
                raise error.with_next_step(
                    "A re-read shows no conversion of the instance, so it most likely "
                    "did not start; re-run the task."
                ) from error
            return global_instance_id, None, True
        if error.kind == KIND_API and not (error.code or "").startswith("Forbidden"):
            # Another run may have converted the seed since it was read, and the
            # API then rejects this request with a code that is not documented.
            is_member, global_instance_id = reread_membership(task)
            if is_member:
                return global_instance_id, None, False
        raise explain_create_error(error) from error

    if response is None:
        return reread.get("global_instance_id"), None, False
    return response["global_instance_id"], response["request_id"], True


def explain_create_error(error):
    message = (error.detail or "").lower()
    if (
        error.code == "GdcInstanceNotSupport"
        or "gdc custins trans not support" in message
    ):
        return error.with_next_step(
            "The API does not accept this instance as a seed: it must be a Tair DRAM-"
            "based (memory-optimized) "
            "instance in classic deployment, with no direct connection."
        )
    if error.code in STATE_CONFLICT_CODES:
        return error.with_next_step(
            "The instance status does not allow conversion now; re-run the task later."
        )
    return error


def wait_for_conversion(task, global_instance_id):
    """Wait until the distributed instance and the seed are Normal; return both."""
    known = {"global_instance_id": global_instance_id}

    def check():
        if known["global_instance_id"]:
            distributed = api.describe_distributed_instance(
                task.client, known["global_instance_id"]
            )
        else:
            distributed = api.find_distributed_instance_of(task.client, task.seed)
        if distributed is None:
            return False, "not listed as a child yet", None
        known["global_instance_id"] = distributed["global_instance_id"]

        child = api.find_sub_instance(distributed, task.seed)
        child_status = child.get("instance_status") if child else None
        done = distributed.get("status") == NORMAL and child_status in (NORMAL, None)
        status = "distributed instance %s %s, seed %s" % (
            distributed["global_instance_id"],
            distributed.get("status"),
            child_status or "not listed",
        )
        return done, status, distributed

    distributed = task.deadline.waiter().wait(
        check, "the conversion", task.seed, first_delay=2.0
    )
    instance = get_instance(task.client, task.seed, OPTION, task.region_id)
    if instance.get("instance_status") != NORMAL or not api.find_sub_instance(
        distributed, task.seed
    ):
        # The distributed instance is ready but the seed is still settling.
        instance = wait_until_normal(
            task.client, instance, task.seed, task.deadline, OPTION, task.region_id
        )
    return instance, distributed


def follow(task, instance, distributed, request_id=None):
    """Report (and with wait, wait for) a conversion that exists or is pending."""
    global_instance_id = membership_id(instance, distributed)
    if is_converted(task, instance, distributed):
        status = "converted"
    elif (
        task.effective_time == "MaintainTime"
        and instance.get("instance_status") == NORMAL
    ):
        status = "scheduled"
    elif task.module.check_mode or not task.wait:
        status = predicted_status(task) if task.module.check_mode else "converting"
    else:
        instance, distributed = wait_for_conversion(task, global_instance_id)
        global_instance_id = distributed["global_instance_id"]
        status = "converted"
    return result(
        task, instance, distributed, status, global_instance_id, request_id=request_id
    )


def apply_conversion(task, instance, endpoints):
    """Wait for the seed, release its direct connection if asked, and convert it."""
    instance = wait_until_normal(
        task.client, instance, task.seed, task.deadline, OPTION, task.region_id
    )
    if instance["global_instance_id"]:
        # Converted by someone else while this task waited.
        return False, follow(
            task,
            instance,
            api.describe_distributed_instance(
                task.client, instance["global_instance_id"]
            ),
        )

    released = []
    if endpoints:
        _release_request_id, released = release_direct_connection(
            task.client, task.seed, task.deadline, endpoints=endpoints
        )
        instance = wait_until_normal(
            task.client, instance, task.seed, task.deadline, OPTION, task.region_id
        )

    global_instance_id, request_id, applied = create(task)

    if task.effective_time == "MaintainTime":
        status = "scheduled"
        distributed = None
    elif not task.wait:
        status = "converting"
        distributed = None
    else:
        instance, distributed = wait_for_conversion(task, global_instance_id)
        global_instance_id = distributed["global_instance_id"]
        status = "converted"

    changed = applied or bool(released)
    return changed, result(
        task,
        instance,
        distributed,
        status,
        global_instance_id,
        released=released,
        request_id=request_id,
    )


# Result


def membership(global_instance_id, status, endpoints):
    return {
        "global_instance_id": global_instance_id,
        "status": status,
        "direct_endpoints": [format_endpoint(item) for item in endpoints],
    }


def result(
    task,
    instance,
    distributed,
    status,
    global_instance_id,
    released=None,
    request_id=None,
    before=None,
):
    released = released or []
    value = {
        "global_instance_id": global_instance_id,
        "seed_sub_instance_id": task.seed,
        "status": status,
        "instance": instance,
        "distributed_instance": distributed,
        "direct_connection_released": bool(released),
        "released_endpoints": released,
        "request_id": request_id,
    }
    if before is not None and task.module.diff_mode:
        value["diff"] = {
            "before": before,
            "after": membership(global_instance_id, status, []),
        }
    return value


# States


def ensure_present(task):
    """Convert the seed unless it is a child already or a conversion is pending."""
    instance, distributed = describe(task)
    global_instance_id = membership_id(instance, distributed)
    if global_instance_id:
        value = follow(task, instance, distributed)
        if task.module.diff_mode:
            state = membership(value["global_instance_id"], value["status"], [])
            value["diff"] = {"before": state, "after": state}
        return False, value

    endpoints = check_convertible(task, instance)
    before = membership(None, "standalone", endpoints)

    if task.module.check_mode:
        if instance.get("instance_status") != NORMAL:
            task.module.warn(
                "Instance %s is %s; a real run waits up to wait_timeout for it to "
                "become Normal." % (task.seed, instance.get("instance_status"))
            )
        return True, result(
            task,
            instance,
            None,
            predicted_status(task),
            None,
            released=endpoints,
            before=before,
        )

    changed, value = apply_conversion(task, instance, endpoints)
    if task.module.diff_mode:
        value["diff"] = {
            "before": before,
            "after": membership(value["global_instance_id"], value["status"], []),
        }
    return changed, value


def ensure_absent(task):
    """Detach the seed from its distributed instance unless it is standalone."""
    instance, distributed = describe(task)
    global_instance_id = membership_id(instance, distributed)
    before = membership(
        global_instance_id, "converted" if global_instance_id else "standalone", []
    )

    if not global_instance_id:
        return False, result(task, instance, None, "detached", None, before=before)
    if task.module.check_mode:
        return True, result(task, instance, None, "detached", None, before=before)

    instance = wait_until_normal(
        task.client, instance, task.seed, task.deadline, OPTION, task.region_id
    )

    def still_needed():
        return reread_membership(task)[0]

    request_id = None
    try:
        response = api.remove_sub_instance(task.client, task.seed, still_needed)
        request_id = response["request_id"] if response else None
    except KVStoreError as error:
        if not write_outcome_unknown(error) or reread_membership(task)[0]:
            raise error.with_next_step(
                error.next_step or "Re-running the task repeats the detachment."
            ) from error

    if task.wait:
        instance = wait_for_detachment(task)
    return True, result(
        task, instance, None, "detached", None, request_id=request_id, before=before
    )


def wait_for_detachment(task):
    def check():
        current = get_instance(task.client, task.seed, OPTION, task.region_id)
        standalone = not current["global_instance_id"]
        status = current.get("instance_status")
        done = standalone and status == NORMAL
        return (
            done,
            "%s, %s" % (status, "standalone" if standalone else "still a child"),
            current,
        )

    waiter = task.deadline.waiter()
    return waiter.wait(check, "the detachment", task.seed, first_delay=2.0)


def main():
    argument_spec = dict(
        seed_sub_instance_id=dict(type="str", required=True, aliases=["instance_id"]),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        effective_time=dict(
            type="str", choices=["Immediately", "MaintainTime"], default="Immediately"
        ),
        release_direct_connection=dict(type="bool", default=False),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=1800),
    )
    module = KVStoreModule(argument_spec, supports_check_mode=True)

    try:
        validate_instance_id(module.params[OPTION], OPTION)
        validate_wait_timeout(module.params["wait_timeout"])
        task = Task(module)
        if module.params["state"] == "present":
            changed, value = ensure_present(task)
        else:
            changed, value = ensure_absent(task)
    except KVStoreError as error:
        module.fail_error(error)

    module.exit_json(changed=changed, **value)


if __name__ == "__main__":
    main()
