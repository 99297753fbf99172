#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: alicloud.kvstore contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: direct_connection
short_description: Allocate or release the direct connection of a Tair cluster instance
version_added: 0.1.0
description:
  - A direct connection is a private endpoint of a cluster instance in classic
    deployment that bypasses the proxy nodes. A cluster instance cannot be converted
    into a child of a distributed instance while it has one.
  - With O(state=present), allocates it with C(AllocateDirectConnection); with
    O(state=absent), releases it with C(ReleaseDirectConnection).
  - The module reads the endpoints with C(DescribeDBInstanceNetInfo) first and writes
    only when the instance is not in the requested state.
options:
  instance_id:
    description:
      - ID of the cluster instance, for example V(r-bp1clusterdirect1).
    type: str
    required: true
  state:
    description:
      - V(present) allocates a direct connection, V(absent) releases it.
    type: str
    choices: [present, absent]
    default: present
  connection_string:
    description:
      - Prefix of the direct endpoint's host name, 8 to 40 lowercase letters, digits or
        hyphens, starting with a letter. The API's default is C(<instance_id>-direct).
      - Used only when a direct connection is allocated; an existing one is not changed.
    type: str
  port:
    description:
      - Port of the direct endpoint, 1024 to 65535. The API's default is 6379.
      - Used only when a direct connection is allocated; an existing one is not changed.
    type: int
  wait:
    description:
      - Whether to wait until the endpoint is allocated or released and the instance is
        V(Normal).
    type: bool
    default: true
  wait_timeout:
    description:
      - Maximum number of seconds to wait.
      - When the module's own request was accepted before a wait timed out, the failed
        result has C(changed=true) and RV(request_id).
    type: int
    default: 1800
extends_documentation_fragment:
  - alicloud.kvstore.common
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.actiongroups
attributes:
  check_mode:
    support: full
    details: Reads the endpoints and predicts the result without any write.
  diff_mode:
    support: full
  action_group:
    support: full
    membership: [alicloud.kvstore.kvstore]
  platform:
    platforms: all
notes:
  - Releasing a direct connection cuts off every client that uses the direct endpoint.
    Move those clients to the proxy endpoint first.
  - The API allocates a direct connection only for a cluster instance in classic
    deployment, in a VPC, with TLS disabled and enough free IP addresses in its vSwitch.
    The module checks the architecture and the deployment; the API rejects the other
    cases.
seealso:
  - module: alicloud.kvstore.global_distribute_cache
  - module: alicloud.kvstore.instance_info
author:
  - alicloud.kvstore maintainers (@alicloud-kvstore)
"""

EXAMPLES = r"""
- name: Release the direct connection before converting the instance
  alicloud.kvstore.direct_connection:
    instance_id: r-bp1clusterdirect1
    state: absent
    region_id: cn-hangzhou
  register: released

- name: Show the endpoints that clients can no longer use
  ansible.builtin.debug:
    msg: "{{ released.released_endpoints | map(attribute='connection_string') }}"

- name: Allocate a direct connection with a chosen host name prefix and port
  alicloud.kvstore.direct_connection:
    instance_id: r-bp1clusterplain01
    connection_string: ordersdirect01
    port: 6380
"""

RETURN = r"""
instance_id:
  description: ID of the instance.
  returned: always
  type: str
  sample: r-bp1clusterdirect1
direct_connection:
  description: Whether the instance has a direct connection after the task.
  returned: always
  type: bool
  sample: false
endpoints:
  description:
    - The direct endpoints after the task. In check mode, an allocation is predicted
      with the requested prefix (or the API's default prefix) as C(connection_string).
  returned: always
  type: list
  elements: dict
  contains:
    connection_string:
      description: Host name of the endpoint.
      type: str
      sample: r-bp1clusterplain01-direct.redis.rds.aliyuncs.com
    port:
      description: Port of the endpoint.
      type: str
      sample: "6379"
    ip_address:
      description: IP address of the endpoint, when known.
      type: str
      sample: 172.16.88.122
released_endpoints:
  description: The direct endpoints that were (or in check mode would be) released.
  returned: always
  type: list
  elements: dict
  sample:
    - connection_string: r-bp1clusterdirect1-direct.redis.rds.aliyuncs.com
      port: "6379"
      ip_address: 172.16.88.122
request_id:
  description: Request ID of the allocation or release request, when one was accepted.
  returned: always
  type: str
  sample: 5D9C1C37-8E2B-4B8A-A0B4-3C0E2E6F0A11
diff:
  description: The direct endpoints before and after, with C(--diff).
  returned: when diff mode is on
  type: dict
  sample:
    before:
      direct_endpoints: ["r-bp1clusterdirect1-direct.redis.rds.aliyuncs.com:6379"]
    after:
      direct_endpoints: []
"""

import re  # noqa: E402

from ansible_collections.alicloud.kvstore.plugins.module_utils import api  # noqa: E402
from ansible_collections.alicloud.kvstore.plugins.module_utils.errors import (  # noqa: E402
    KIND_INVALID,
    KVStoreError,
)
from ansible_collections.alicloud.kvstore.plugins.module_utils.instance import (  # noqa: E402
    Deadline,
    check_region,
    direct_connection_reread,
    get_instance,
    release_direct_connection,
    validate_instance_id,
    validate_wait_timeout,
    wait_for_direct_connection,
    wait_until_normal,
)
from ansible_collections.alicloud.kvstore.plugins.module_utils.module import (  # noqa: E402
    KVStoreModule,
)

OPTION = "instance_id"
CONNECTION_STRING = re.compile(r"^[a-z][a-z0-9-]{7,39}$")


def validate(params):
    validate_instance_id(params[OPTION], OPTION)
    validate_wait_timeout(params["wait_timeout"])
    prefix = params["connection_string"]
    if prefix is not None and not CONNECTION_STRING.match(prefix):
        raise KVStoreError(
            "Invalid connection_string",
            detail="%r is not 8 to 40 lowercase letters, digits or hyphens "
            "starting with a letter" % prefix,
            kind=KIND_INVALID,
            next_step="Set connection_string to a prefix such as ordersdirect01.",
        )
    port = params["port"]
    if port is not None and not 1024 <= port <= 65535:
        raise KVStoreError(
            "Invalid port",
            detail="%s is outside 1024 to 65535" % port,
            kind=KIND_INVALID,
            next_step="Set port to a number from 1024 to 65535, or leave it unset "
            "for 6379.",
        )


def describe(module):
    """Return the instance attributes and its direct endpoints."""
    instance_id = module.params[OPTION]
    instance = get_instance(module.client, instance_id, OPTION, module.region_id)
    check_region(instance, module.region_id, instance_id)
    endpoints = api.direct_endpoints(api.describe_net_info(module.client, instance_id))
    return instance, endpoints


def check_supported(instance, instance_id):
    """Reject an allocation on an instance that cannot have a direct connection."""
    if instance.get("architecture_type") != "cluster":
        raise KVStoreError(
            "Direct connection rejected",
            instance_id=instance_id,
            detail="it is a %s instance, not a cluster instance"
            % instance.get("architecture_type"),
            kind=KIND_INVALID,
            next_step="A direct connection exists only for cluster instances.",
        )
    if instance.get("computing_type") == "Ecs":
        raise KVStoreError(
            "Direct connection rejected",
            instance_id=instance_id,
            detail="it is a cloud-native instance (ComputingType Ecs)",
            kind=KIND_INVALID,
            next_step="Cloud-native cluster instances choose direct or proxy mode at "
            "creation; this API cannot change it.",
        )


def format_endpoints(endpoints):
    return [
        "%s:%s" % (item.get("connection_string"), item.get("port"))
        for item in endpoints
    ]


def result(module, before, after, released=None, request_id=None):
    value = {
        "instance_id": module.params[OPTION],
        "direct_connection": bool(after),
        "endpoints": after,
        "released_endpoints": released or [],
        "request_id": request_id,
    }
    if module.diff_mode:
        value["diff"] = {
            "before": {"direct_endpoints": format_endpoints(before)},
            "after": {"direct_endpoints": format_endpoints(after)},
        }
    return value


def allocate(module):
    """Send AllocateDirectConnection; return its WriteOutcome."""
    instance_id = module.params[OPTION]
    return api.allocate_direct_connection(
        module.client,
        instance_id,
        module.params["connection_string"],
        module.params["port"],
        direct_connection_reread(module.client, instance_id, present=True),
    )


def ensure_present(module, progress):
    """Allocate a direct connection unless one exists.

    ``progress`` receives ``changed`` and ``request_id`` once a write was
    accepted, so that a failure after it still reports the change.
    """
    instance_id = module.params[OPTION]
    instance, before = describe(module)

    if before:
        prefix = module.params["connection_string"]
        if prefix and not any(
            (item.get("connection_string") or "").startswith(prefix) for item in before
        ):
            module.warn(
                "Instance %s already has the direct endpoint %s; connection_string "
                "%s is not applied to an existing direct connection."
                % (instance_id, ", ".join(format_endpoints(before)), prefix)
            )
        return False, result(module, before, before)

    check_supported(instance, instance_id)
    if module.check_mode:
        predicted = [
            {
                "connection_string": module.params["connection_string"]
                or "%s-direct" % instance_id,
                "port": str(module.params["port"] or 6379),
                "ip_address": None,
            }
        ]
        return True, result(module, before, predicted)

    deadline = Deadline(module.params["wait_timeout"])
    wait_until_normal(
        module.client, instance, instance_id, deadline, OPTION, module.region_id
    )
    outcome = allocate(module)
    request_id = outcome.request_id
    progress.update(changed=outcome.accepted, request_id=request_id)

    if module.params["wait"]:
        after = wait_for_direct_connection(
            module.client, instance_id, deadline, present=True
        )
    else:
        after = api.direct_endpoints(api.describe_net_info(module.client, instance_id))
    return True, result(module, before, after, request_id=request_id)


def ensure_absent(module, progress):
    """Release the direct connection unless there is none; see ensure_present."""
    instance_id = module.params[OPTION]
    instance, before = describe(module)

    if not before:
        return False, result(module, before, [])
    if module.check_mode:
        return True, result(module, before, [], released=before)

    deadline = Deadline(module.params["wait_timeout"])
    wait_until_normal(
        module.client, instance, instance_id, deadline, OPTION, module.region_id
    )
    outcome, released = release_direct_connection(
        module.client, instance_id, endpoints=before
    )
    request_id = outcome.request_id
    progress.update(changed=outcome.accepted, request_id=request_id)

    if module.params["wait"]:
        after = wait_for_direct_connection(
            module.client, instance_id, deadline, present=False
        )
    else:
        after = api.direct_endpoints(api.describe_net_info(module.client, instance_id))
    return True, result(module, before, after, released=released, request_id=request_id)


def main():
    argument_spec = dict(
        instance_id=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        connection_string=dict(type="str"),
        port=dict(type="int"),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=1800),
    )
    module = KVStoreModule(argument_spec, supports_check_mode=True)
    progress = {"instance_id": module.params[OPTION]}

    try:
        validate(module.params)
        if module.params["state"] == "present":
            changed, value = ensure_present(module, progress)
        else:
            changed, value = ensure_absent(module, progress)
    except KVStoreError as error:
        module.fail_error(error, **progress)

    module.exit_json(changed=changed, **value)


if __name__ == "__main__":
    main()
