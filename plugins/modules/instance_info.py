#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: alicloud.kvstore contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: instance_info
short_description: Gather facts about Tair and Redis instances
version_added: 0.1.0
description:
  - Returns the attributes, endpoints and distributed instance membership of Tair
    (ApsaraDB for Redis) instances.
  - With O(instance_ids), each instance is read with C(DescribeInstanceAttribute).
    Without it, the instances of the region that match the filters are listed with
    C(DescribeInstances), every page, and then read the same way.
  - The endpoints of each instance come from C(DescribeDBInstanceNetInfo).
options:
  instance_ids:
    description:
      - IDs of the instances to read. A single ID is accepted as a string.
      - Instances that do not exist are left out of RV(instances) with a warning.
      - Mutually exclusive with the filters.
    type: list
    elements: str
  instance_type:
    description:
      - List only instances of this engine family.
    type: str
    choices: [Tair, Redis, Memcache]
  edition_type:
    description:
      - List only instances of this edition.
    type: str
    choices: [Community, Enterprise]
  architecture_type:
    description:
      - List only instances of this architecture.
    type: str
    choices: [cluster, standard, rwsplit]
  global_instance:
    description:
      - V(true) lists only children of distributed instances; V(false) leaves them out.
      - Not set lists both.
    type: bool
extends_documentation_fragment:
  - alicloud.kvstore.common
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.actiongroups
attributes:
  check_mode:
    support: full
    details: The module only reads.
  diff_mode:
    support: none
  action_group:
    support: full
    membership: [alicloud.kvstore.kvstore]
  platform:
    platforms: all
notes:
  - Whether C(DescribeInstances) lists instances that are already children of a
    distributed instance is not documented. To read a converted instance reliably, name
    it in O(instance_ids).
seealso:
  - module: alicloud.kvstore.global_distribute_cache
  - module: alicloud.kvstore.global_distribute_cache_info
author:
  - alicloud.kvstore maintainers (@alicloud-kvstore)
"""

EXAMPLES = r"""
- name: Read one instance
  alicloud.kvstore.instance_info:
    instance_ids: r-bp1standard00001
    region_id: cn-hangzhou
  register: seed

- name: Show whether it is already a child of a distributed instance
  ansible.builtin.debug:
    msg: "{{ seed.instances[0].global_instance_id | default('standalone', true) }}"

- name: List the Tair cluster instances of the region
  alicloud.kvstore.instance_info:
    instance_type: Tair
    architecture_type: cluster
  register: clusters

- name: List the cluster instances that still have a direct connection
  ansible.builtin.debug:
    msg: >-
      {{ clusters.instances | selectattr('direct_connection')
         | map(attribute='instance_id') }}
"""

RETURN = r"""
instances:
  description:
    - The instances found, each with the attributes of C(DescribeInstanceAttribute) in
      snake_case, plus the fields below. Fields from C(DescribeInstances) that the
      attribute call lacks (such as C(edition_type)) are added when the listing has the
      instance.
  returned: always
  type: list
  elements: dict
  contains:
    instance_id:
      description: ID of the instance.
      type: str
      sample: r-bp1standard00001
    instance_status:
      description: Status of the instance.
      type: str
      sample: Normal
    instance_type:
      description: Engine family.
      type: str
      sample: Tair
    edition_type:
      description: Edition, when C(DescribeInstances) lists the instance.
      type: str
      sample: Enterprise
    architecture_type:
      description: Architecture.
      type: str
      sample: standard
    computing_type:
      description: V(Machine) for classic deployment, V(Ecs) for cloud-native.
      type: str
      sample: Machine
    region_id:
      description: Region of the instance.
      type: str
      sample: cn-hangzhou
    global_instance_id:
      description: ID of the distributed instance it belongs to, or null.
      type: str
      sample: gr-bp1existing00001
    net_info:
      description: The endpoints of the instance from C(DescribeDBInstanceNetInfo), in
        snake_case.
      type: list
      elements: dict
      sample:
        - connection_string: r-bp1clusterdirect1-direct.redis.rds.aliyuncs.com
          port: "6379"
          ip_address: 172.16.88.122
          direct_connection: 1
          ip_type: Private
    direct_connection:
      description: Whether the instance has a direct-connection endpoint.
      type: bool
      sample: false
"""

from ansible_collections.alicloud.kvstore.plugins.module_utils import api  # noqa: E402
from ansible_collections.alicloud.kvstore.plugins.module_utils.errors import (  # noqa: E402
    KVStoreError,
)
from ansible_collections.alicloud.kvstore.plugins.module_utils.instance import (  # noqa: E402
    validate_instance_id,
)
from ansible_collections.alicloud.kvstore.plugins.module_utils.module import (  # noqa: E402
    KVStoreModule,
)

FILTERS = {
    "instance_type": "instance_type",
    "edition_type": "edition_type",
    "architecture_type": "architecture_type",
}


def listing_filters(params):
    """Return the DescribeInstances filters (SDK names) from the module options."""
    filters = {}
    for option, name in FILTERS.items():
        if params[option]:
            filters[name] = params[option]
    if params["global_instance"] is not None:
        # Sent as lowercase text: the SDK would send a Python bool as "True".
        filters["global_instance"] = "true" if params["global_instance"] else "false"
    return filters


def with_endpoints(client, instance):
    net_info = api.describe_net_info(client, instance["instance_id"]) or []
    instance["net_info"] = net_info
    instance["direct_connection"] = bool(api.direct_endpoints(net_info))
    return instance


def merge_listing(instance, listed):
    """Add the DescribeInstances fields that DescribeInstanceAttribute lacks."""
    for key, value in (listed or {}).items():
        if instance.get(key) in (None, "") and value not in (None, ""):
            instance[key] = value
    return instance


def gather(module):
    client = module.client
    ids = module.params["instance_ids"]

    if ids:
        for instance_id in ids:
            validate_instance_id(instance_id, "instance_ids")

        # Each instance is read and returned once, in the order given.
        ids = list(dict.fromkeys(ids))
        listed = api.describe_instances(
            client, region_id=module.region_id, instance_ids=ids
        )
    else:
        listed = api.describe_instances(
            client, region_id=module.region_id, filters=listing_filters(module.params)
        )
        ids = [item["instance_id"] for item in listed]
    listed_by_id = {item.get("instance_id"): item for item in listed}

    instances = []
    for instance_id in ids:
        instance = api.describe_instance(client, instance_id)
        if instance is None:
            module.warn("Instance %s was not found; it is left out." % instance_id)
            continue
        merge_listing(instance, listed_by_id.get(instance_id))
        instances.append(with_endpoints(client, instance))
    return instances


def main():
    argument_spec = dict(
        instance_ids=dict(type="list", elements="str"),
        instance_type=dict(type="str", choices=["Tair", "Redis", "Memcache"]),
        edition_type=dict(type="str", choices=["Community", "Enterprise"]),
        architecture_type=dict(type="str", choices=["cluster", "standard", "rwsplit"]),
        global_instance=dict(type="bool"),
    )
    module = KVStoreModule(
        argument_spec,
        supports_check_mode=True,
        mutually_exclusive=[
            ("instance_ids", "instance_type"),
            ("instance_ids", "edition_type"),
            ("instance_ids", "architecture_type"),
            ("instance_ids", "global_instance"),
        ],
    )

    try:
        instances = gather(module)
    except KVStoreError as error:
        module.fail_error(error)

    module.exit_json(changed=False, instances=instances)


if __name__ == "__main__":
    main()
