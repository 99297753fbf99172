#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: alicloud.kvstore contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: global_distribute_cache_info
short_description: Gather facts about distributed instances (global distributed caches)
version_added: 0.1.0
description:
  - Returns distributed instances and their children with
    C(DescribeGlobalDistributeCache).
  - Filters by the ID of the distributed instance or by the ID of one child; without
    either, lists every distributed instance of the account, every page.
options:
  global_instance_id:
    description:
      - ID of the distributed instance, for example V(gr-bp1existing00001).
      - Mutually exclusive with O(sub_instance_id).
    type: str
  sub_instance_id:
    description:
      - ID of a child instance; returns the distributed instance that lists it.
      - Mutually exclusive with O(global_instance_id).
    type: str
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
  - C(DescribeGlobalDistributeCache) has no region parameter; the endpoint of
    O(region_id) or O(endpoint) decides which distributed instances the API returns.
seealso:
  - module: alicloud.kvstore.global_distribute_cache
author:
  - alicloud.kvstore maintainers (@alicloud-kvstore)
"""

EXAMPLES = r"""
- name: Find the distributed instance of a converted instance
  alicloud.kvstore.global_distribute_cache_info:
    sub_instance_id: r-bp1member0000001
    region_id: cn-hangzhou
  register: found

- name: Show its children
  ansible.builtin.debug:
    msg: >-
      {{ found.distributed_instances[0].sub_instances
         | map(attribute='instance_id') }}

- name: Read one distributed instance
  alicloud.kvstore.global_distribute_cache_info:
    global_instance_id: gr-bp1existing00001

- name: List every distributed instance
  alicloud.kvstore.global_distribute_cache_info:
  register: all_distributed
"""

RETURN = r"""
distributed_instances:
  description: The distributed instances found; empty when none matches.
  returned: always
  type: list
  elements: dict
  contains:
    global_instance_id:
      description: ID of the distributed instance.
      type: str
      sample: gr-bp1existing00001
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
          sample: r-bp1member0000001
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
          sample: redis.amber.master.4g.2db.0rodb.0proxy.multithread
"""

import re  # noqa: E402

from ansible_collections.alicloud.kvstore.plugins.module_utils import api  # noqa: E402
from ansible_collections.alicloud.kvstore.plugins.module_utils.errors import (  # noqa: E402
    KIND_INVALID,
    KVStoreError,
)
from ansible_collections.alicloud.kvstore.plugins.module_utils.instance import (  # noqa: E402
    validate_instance_id,
)
from ansible_collections.alicloud.kvstore.plugins.module_utils.module import (  # noqa: E402
    KVStoreModule,
)


def validate_global_instance_id(value):
    if not re.match(r"^gr-[a-z0-9]+$", value or ""):
        raise KVStoreError(
            "Invalid global_instance_id",
            detail="%r is not the ID of a distributed instance" % value,
            kind=KIND_INVALID,
            next_step="Set global_instance_id to an ID that starts with gr-.",
        )


def gather(module):
    global_instance_id = module.params["global_instance_id"]
    sub_instance_id = module.params["sub_instance_id"]

    if global_instance_id is not None:
        validate_global_instance_id(global_instance_id)
    if sub_instance_id is not None:
        validate_instance_id(sub_instance_id, "sub_instance_id")

    try:
        return api.describe_distributed_instances(
            module.client,
            global_instance_id=global_instance_id,
            sub_instance_id=sub_instance_id,
        )
    except KVStoreError as error:
        if error.is_not_found:
            return []
        raise


def main():
    argument_spec = dict(
        global_instance_id=dict(type="str"),
        sub_instance_id=dict(type="str"),
    )
    module = KVStoreModule(
        argument_spec,
        supports_check_mode=True,
        mutually_exclusive=[("global_instance_id", "sub_instance_id")],
    )

    try:
        distributed_instances = gather(module)
    except KVStoreError as error:
        module.fail_error(error)

    module.exit_json(changed=False, distributed_instances=distributed_instances)


if __name__ == "__main__":
    main()
