"""Benchmark baseline: the two reads of an already converted seed, and nothing else.

It imports the same SDK client as the collection and sends the same reads
(DescribeInstanceAttribute, then DescribeGlobalDistributeCache), without
retries, validation or result shaping. Credentials and the endpoint come from
the environment variables that the collection also reads.
"""

from __future__ import annotations

import os
from urllib.parse import urlparse

from alibabacloud_r_kvstore20150101 import models as kvstore_models
from alibabacloud_r_kvstore20150101.client import Client
from alibabacloud_tea_openapi import models as openapi_models
from alibabacloud_tea_util import models as util_models
from ansible.module_utils.basic import AnsibleModule

DOCUMENTATION = r"""
module: bench_minimal_reads
short_description: Benchmark baseline reading a seed and its distributed instance
description:
  - Used by the benchmark runner only, to measure the cost of the SDK and two reads.
options:
  instance_id:
    description: The seed instance to read.
    type: str
    required: true
author: alicloud.kvstore maintainers
"""


def build_client(region_id):
    endpoint = urlparse(os.environ["ALIBABA_CLOUD_KVSTORE_ENDPOINT"])
    config = openapi_models.Config(
        access_key_id=os.environ["ALIBABA_CLOUD_ACCESS_KEY_ID"],
        access_key_secret=os.environ["ALIBABA_CLOUD_ACCESS_KEY_SECRET"],
        region_id=region_id,
        endpoint=endpoint.netloc,
        protocol=endpoint.scheme,
        connect_timeout=10000,
        read_timeout=30000,
    )
    return Client(config)


def main():
    module = AnsibleModule(
        argument_spec={"instance_id": {"type": "str", "required": True}},
        supports_check_mode=True,
    )
    instance_id = module.params["instance_id"]
    client = build_client(os.environ.get("ALIBABA_CLOUD_REGION_ID", "cn-hangzhou"))
    runtime = util_models.RuntimeOptions()

    attribute = client.describe_instance_attribute_with_options(
        kvstore_models.DescribeInstanceAttributeRequest(instance_id=instance_id),
        runtime,
    )
    items = attribute.body.instances.dbinstance_attribute or []
    global_instance_id = items[0].global_instance_id if items else None

    sub_instances = []
    if global_instance_id:
        caches = client.describe_global_distribute_cache_with_options(
            kvstore_models.DescribeGlobalDistributeCacheRequest(
                global_instance_id=global_instance_id
            ),
            runtime,
        )
        for cache in caches.body.global_distribute_caches or []:
            sub_instances.extend(sub.instance_id for sub in cache.sub_instances or [])

    module.exit_json(
        changed=False,
        global_instance_id=global_instance_id,
        sub_instances=sub_instances,
    )


if __name__ == "__main__":
    main()
