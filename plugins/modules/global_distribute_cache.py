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
        is accepted and does not wait for the window. A re-run returns
        RV(status=scheduled) until the window, RV(status=converting) while the
        conversion runs and RV(status=converted) after it.
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
        again resumes the wait. When the task's own request was accepted, the failed
        result still has C(changed=true), RV(global_instance_id) and RV(request_id).
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
  - The API has no idempotency token for C(CreateGlobalDistributeCache). When a request
    fails with a server error, a timeout, a dropped connection or throttling, the module
    reads the seed again before deciding. A seed that shows a conversion, or a change in
    progress after a lost response, counts as converted and gets no second request.
    Otherwise the request is sent again, at most O(api_retries) times.
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
    - V(converting) when the conversion is still running (O(wait=false), or
      O(effective_time=MaintainTime) in the window).
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
from ansible_collections.alicloud.kvstore.plugins.module_utils.conversion import (  # noqa: E402
    OPTION,
    Seed,
    conversion_reread,
    describe_membership,
    detachment_reread,
    explain_create_error,
    is_converted,
    is_scheduled,
    membership_id,
    wait_for_conversion,
    wait_for_detachment,
)
from ansible_collections.alicloud.kvstore.plugins.module_utils.errors import (  # noqa: E402
    KIND_INVALID,
    KVStoreError,
)
from ansible_collections.alicloud.kvstore.plugins.module_utils.instance import (  # noqa: E402
    NORMAL,
    Deadline,
    check_region,
    reject_stuck,
    release_direct_connection,
    validate_instance_id,
    validate_wait_timeout,
    wait_for_direct_connection,
    wait_until_normal,
)
from ansible_collections.alicloud.kvstore.plugins.module_utils.module import (  # noqa: E402
    KVStoreModule,
)


class Task(Seed):
    """The options and API client of one run.

    ``progress`` receives ``changed``, ``global_instance_id`` and
    ``request_id`` once a write was accepted, so that a failure after it (a
    wait that times out) still reports the change.
    """

    def __init__(self, module):
        super(Task, self).__init__(
            module.client,
            module.params[OPTION],
            module.region_id,
            Deadline(module.params["wait_timeout"]),
        )
        self.module = module
        self.params = module.params
        self.effective_time = module.params["effective_time"]
        self.wait = module.params["wait"]
        self.progress = {}


# Describe


def describe(task):
    """Return the seed's attributes and its distributed instance (or None)."""
    instance, distributed = describe_membership(task)
    check_region(instance, task.region_id, task.instance_id)
    return instance, distributed


# Plan


def check_convertible(task, instance):
    """Reject a seed that cannot be converted, naming the value found and the fix.

    Returns the direct endpoints to release first (an empty list for none).
    """
    listed = api.describe_instances(
        task.client,
        region_id=instance.get("region_id") or task.region_id,
        instance_ids=[task.instance_id],
    )
    listing = listed[0] if listed else {}

    instance_type = instance.get("instance_type") or listing.get("instance_type")
    edition_type = listing.get("edition_type")
    # Which of the two fields marks Tair is not documented, so either one is enough.
    if instance_type != "Tair" and edition_type != "Enterprise":
        raise KVStoreError(
            "Conversion rejected",
            instance_id=task.instance_id,
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
            instance_id=task.instance_id,
            detail="it is a cloud-native instance (ComputingType Ecs)",
            kind=KIND_INVALID,
            next_step=(
                "The API converts only instances in classic deployment (ComputingType "
                "Machine); choose a classic instance or create a new distributed "
                "instance instead."
            ),
        )

    reject_stuck(instance.get("instance_status"), task.instance_id)

    if instance.get("architecture_type") != "cluster":
        return []
    endpoints = api.direct_endpoints(
        api.describe_net_info(task.client, task.instance_id)
    )
    if endpoints and not task.params["release_direct_connection"]:
        raise KVStoreError(
            "Conversion rejected",
            instance_id=task.instance_id,
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
    """Send CreateGlobalDistributeCache through write_and_reconcile.

    Returns ``(global_instance_id, request_id, accepted)``; ``accepted`` is
    False when the API or a re-read showed a conversion that another run
    started. The global instance ID is None when neither the response nor a
    re-read showed it yet.
    """
    found = {}
    try:
        outcome = api.create_global_distribute_cache(
            task.client,
            task.instance_id,
            task.effective_time,
            conversion_reread(task, found),
        )
    except KVStoreError as error:
        raise explain_create_error(error) from None

    global_instance_id = found.get("global_instance_id")
    if outcome.response is not None:
        global_instance_id = api.global_id(outcome.response.get("GlobalInstanceId"))
    if global_instance_id is None:
        instance, distributed = describe_membership(task)
        global_instance_id = membership_id(instance, distributed)
    return global_instance_id, outcome.request_id, outcome.accepted


def follow(task, instance, distributed, request_id=None):
    """Report (and with wait, wait for) a conversion that exists or is pending."""
    global_instance_id = membership_id(instance, distributed)
    maintain_time = task.effective_time == "MaintainTime"
    if is_converted(task, instance, distributed):
        status = "converted"
    elif maintain_time and is_scheduled(instance, distributed):
        status = "scheduled"
    elif maintain_time or not task.wait:
        # With MaintainTime the module does not wait, even inside the window,
        # because the window may be hours away.
        status = "converting"
    elif task.module.check_mode:
        status = "converted"
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
        task.client, instance, task.instance_id, task.deadline, OPTION, task.region_id
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
        release, released = release_direct_connection(
            task.client, task.instance_id, endpoints=endpoints
        )
        task.progress["changed"] = task.progress.get("changed") or release.accepted
        wait_for_direct_connection(
            task.client, task.instance_id, task.deadline, present=False
        )
        instance = wait_until_normal(
            task.client,
            instance,
            task.instance_id,
            task.deadline,
            OPTION,
            task.region_id,
        )

    global_instance_id, request_id, accepted = create(task)
    task.progress.update(
        changed=task.progress.get("changed") or accepted,
        global_instance_id=global_instance_id,
        request_id=request_id,
    )

    distributed = None
    if task.effective_time == "MaintainTime":
        status = "scheduled"
    elif not task.wait:
        status = "converting"
    else:
        instance, distributed = wait_for_conversion(task, global_instance_id)
        global_instance_id = distributed["global_instance_id"]
        status = "converted"

    changed = accepted or bool(released)
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
        "seed_sub_instance_id": task.instance_id,
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
                "become Normal." % (task.instance_id, instance.get("instance_status"))
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
        task.client, instance, task.instance_id, task.deadline, OPTION, task.region_id
    )
    outcome = api.remove_sub_instance(
        task.client, task.instance_id, detachment_reread(task)
    )
    task.progress.update(changed=outcome.accepted, request_id=outcome.request_id)

    if task.wait:
        instance = wait_for_detachment(task)
    return True, result(
        task,
        instance,
        None,
        "detached",
        None,
        request_id=outcome.request_id,
        before=before,
    )


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

    task = None
    try:
        validate_instance_id(module.params[OPTION], OPTION)
        validate_wait_timeout(module.params["wait_timeout"])
        task = Task(module)
        if module.params["state"] == "present":
            changed, value = ensure_present(task)
        else:
            changed, value = ensure_absent(task)
    except KVStoreError as error:
        progress = task.progress if task is not None else {}
        module.fail_error(error, seed_sub_instance_id=module.params[OPTION], **progress)

    module.exit_json(changed=changed, **value)


if __name__ == "__main__":
    main()
