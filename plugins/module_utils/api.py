# -*- coding: utf-8 -*-
# Copyright: alicloud.kvstore contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""One small function per R-KVStore API action.

Each takes a KVStoreClient (no AnsibleModule), returns plain dicts with
snake_case keys and raises KVStoreError. Write actions go through
reconcile.write_and_reconcile and return its WriteOutcome. A missing instance
is reported as None whichever of its three forms the API used
(``InvalidInstanceId.NotFound``, ``InvalidDbInstanceId.NotFound`` or an empty
``DBInstanceAttribute`` list).
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict
from ansible_collections.alicloud.kvstore.plugins.module_utils.errors import (
    KVStoreError,
)
from ansible_collections.alicloud.kvstore.plugins.module_utils.reconcile import (
    write_and_reconcile,
)

# DescribeInstances accepts at most 50 entries per page and 30 IDs per call.
INSTANCES_PAGE_SIZE = 50
INSTANCE_IDS_PER_CALL = 30
DISTRIBUTED_PAGE_SIZE = 50

# Codes for a task already running on the instance. A repeated
# CreateGlobalDistributeCache fails with one of them while the first conversion
# is pending. The service may use another code (the emulator can be set to
# IncorrectDBInstanceState); write_and_reconcile then re-reads the seed.
TASK_EXISTS_CODES = frozenset(
    ("TaskHasExist", "TaskExists", "Task.Exists", "TaskAlreadyExists")
)

# ReleaseDirectConnection reports an already released endpoint this way.
NO_DIRECT_CONNECTION_CODES = frozenset(("NetTypeNotExists",))
DIRECT_CONNECTION_EXISTS_CODES = frozenset(("NetTypeExists",))


def _not_found(call):
    try:
        return call()
    except KVStoreError as error:
        if error.is_not_found:
            return None
        raise


def _items(body, outer, inner):
    """Return ``body[outer][inner]`` as a list, tolerating absent levels."""
    value = (body or {}).get(outer) or {}
    if isinstance(value, list):
        return value
    items = value.get(inner) or []
    return items if isinstance(items, list) else [items]


def describe_instance(client, instance_id):
    """Return the attributes of ``instance_id`` (snake_case), or None if not found."""
    body = _not_found(
        lambda: client.read(
            "DescribeInstanceAttribute", {"instance_id": instance_id}, instance_id
        )
    )
    if body is None:
        return None
    items = _items(body, "Instances", "DBInstanceAttribute")
    if not items:
        return None
    return _instance(items[0])


def _instance(raw):
    """Return an instance dict in snake_case, with ``tags`` as a plain list."""
    attributes = camel_dict_to_snake_dict(raw)
    attributes["global_instance_id"] = global_id(attributes.get("global_instance_id"))
    tags = attributes.get("tags")
    if isinstance(tags, dict):
        attributes["tags"] = tags.get("tag") or []
    return attributes


def global_id(value):
    """Return a distributed instance ID, or None for an absent or empty value."""
    if isinstance(value, str) and value.startswith("gr-"):
        return value
    return None


def describe_instances(client, region_id=None, instance_ids=None, filters=None):
    """Return the DescribeInstances entries (snake_case) across every page."""
    base = dict(filters or {})
    if region_id:
        base["region_id"] = region_id

    if instance_ids:
        batches = [
            instance_ids[start : start + INSTANCE_IDS_PER_CALL]
            for start in range(0, len(instance_ids), INSTANCE_IDS_PER_CALL)
        ]
    else:
        batches = [None]

    result = []
    for batch in batches:
        params = dict(base)
        if batch:
            params["instance_ids"] = ",".join(batch)
        page = 1
        while True:
            params["page_number"] = page
            params["page_size"] = INSTANCES_PAGE_SIZE
            body = client.read(
                "DescribeInstances",
                dict(params),
                batch[0] if batch and len(batch) == 1 else None,
            )
            items = _items(body, "Instances", "KVStoreInstance")
            result.extend(_instance(item) for item in items)
            total = body.get("TotalCount") or 0
            if not items or page * INSTANCES_PAGE_SIZE >= int(total):
                break
            page += 1
    return result


def _distributed_instance(raw):
    subs = []
    for sub in raw.get("SubInstances") or []:
        subs.append(
            {
                "instance_id": sub.get("InstanceID") or sub.get("InstanceId"),
                "region_id": sub.get("RegionId"),
                "instance_status": sub.get("InstanceStatus"),
                "instance_class": sub.get("InstanceClass"),
            }
        )
    return {
        "global_instance_id": raw.get("GlobalInstanceId"),
        "status": raw.get("Status"),
        "sub_instances": subs,
    }


def describe_distributed_instances(
    client, global_instance_id=None, sub_instance_id=None
):
    """Return distributed instances (every page), filtered by ID or by child ID."""
    params = {}
    if global_instance_id:
        params["global_instance_id"] = global_instance_id
    if sub_instance_id:
        params["sub_instance_id"] = sub_instance_id

    result = []
    page = 1
    while True:
        params["page_number"] = str(page)
        params["page_size"] = str(DISTRIBUTED_PAGE_SIZE)
        body = client.read(
            "DescribeGlobalDistributeCache",
            dict(params),
            global_instance_id or sub_instance_id,
        )
        caches = body.get("GlobalDistributeCaches") or []
        if isinstance(caches, dict):
            caches = caches.get("GlobalDistributeCache") or []
        result.extend(_distributed_instance(cache) for cache in caches)
        total = body.get("TotalRecordCount") or 0
        if not caches or page * DISTRIBUTED_PAGE_SIZE >= int(total):
            break
        page += 1

    if global_instance_id:
        result = [
            item for item in result if item["global_instance_id"] == global_instance_id
        ]
    if sub_instance_id:
        result = [
            item
            for item in result
            if find_sub_instance(item, sub_instance_id) is not None
        ]
    return result


def describe_distributed_instance(client, global_instance_id):
    """Return one distributed instance, or None if the API does not list it."""
    items = _not_found(
        lambda: describe_distributed_instances(
            client, global_instance_id=global_instance_id
        )
    )
    return items[0] if items else None


def find_distributed_instance_of(client, sub_instance_id):
    """Return the distributed instance that lists ``sub_instance_id``, or None."""
    items = _not_found(
        lambda: describe_distributed_instances(client, sub_instance_id=sub_instance_id)
    )
    return items[0] if items else None


def find_sub_instance(distributed_instance, instance_id):
    for sub in distributed_instance.get("sub_instances") or []:
        if sub.get("instance_id") == instance_id:
            return sub
    return None


def describe_net_info(client, instance_id):
    """Return the endpoints of ``instance_id``, or None if it does not exist."""
    body = _not_found(
        lambda: client.read(
            "DescribeDBInstanceNetInfo", {"instance_id": instance_id}, instance_id
        )
    )
    if body is None:
        return None
    return [
        camel_dict_to_snake_dict(item)
        for item in _items(body, "NetInfoItems", "InstanceNetInfo")
    ]


def is_direct(net_item):
    try:
        return int(net_item.get("direct_connection") or 0) == 1
    except (TypeError, ValueError):
        return False


def direct_endpoints(net_info):
    """Return the direct-connection endpoints in ``net_info`` as short dicts."""
    return [
        {
            "connection_string": item.get("connection_string"),
            "port": item.get("port"),
            "ip_address": item.get("ip_address"),
        }
        for item in net_info or []
        if is_direct(item)
    ]


def create_global_distribute_cache(
    client, seed_sub_instance_id, effective_time, reread
):
    """Convert the seed; return the WriteOutcome of write_and_reconcile.

    When a conversion of the seed is already pending, the API rejects the
    request with one of TASK_EXISTS_CODES.
    """
    return write_and_reconcile(
        client,
        "CreateGlobalDistributeCache",
        {
            "seed_sub_instance_id": seed_sub_instance_id,
            "effective_time": effective_time,
        },
        seed_sub_instance_id,
        reread,
        done_codes=TASK_EXISTS_CODES,
    )


def release_direct_connection(client, instance_id, reread):
    """Release the direct connection; return the WriteOutcome."""
    return write_and_reconcile(
        client,
        "ReleaseDirectConnection",
        {"instance_id": instance_id},
        instance_id,
        reread,
        done_codes=NO_DIRECT_CONNECTION_CODES,
    )


def allocate_direct_connection(client, instance_id, connection_string, port, reread):
    """Allocate a direct connection; return the WriteOutcome."""
    params = {"instance_id": instance_id}
    if connection_string:
        params["connection_string"] = connection_string
    if port:
        params["port"] = str(port)
    return write_and_reconcile(
        client,
        "AllocateDirectConnection",
        params,
        instance_id,
        reread,
        done_codes=DIRECT_CONNECTION_EXISTS_CODES,
    )


def remove_sub_instance(client, instance_id, reread):
    """Detach a child from its distributed instance; return the WriteOutcome."""
    return write_and_reconcile(
        client, "RemoveSubInstance", {"instance_id": instance_id}, instance_id, reread
    )
