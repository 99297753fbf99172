"""Read-only API actions: instances, their endpoints and distributed instances."""

from tests.emulator.defaults import KNOWN_REGIONS
from tests.emulator.errors import ApiError, invalid_parameter
from tests.emulator.params import boolean, page, page_slice, required
from tests.emulator.views import attribute_view, kvstore_view, net_info_view

MAX_INSTANCE_IDS = 30
MAX_PAGE_SIZE = 50

# DescribeInstances parameters that filter on the field of the same name.
EQUALITY_FILTERS = (
    "ArchitectureType",
    "ChargeType",
    "EditionType",
    "EngineVersion",
    "InstanceClass",
    "InstanceStatus",
    "InstanceType",
    "NetworkType",
    "NodeType",
    "PrivateIp",
    "RegionId",
    "ResourceGroupId",
    "VSwitchId",
    "VpcId",
    "ZoneId",
)


def instance_not_found(instance_id, code="InvalidInstanceId.NotFound"):
    """Build the not-found error; direct-connection actions use another code."""
    return ApiError(code, f"The specified instance {instance_id} is not found.")


def describe_instance_attribute(fleet, params):
    """Return the attributes of one instance."""
    instance_id = required(params, "InstanceId")
    record = fleet.current(instance_id)
    if record is None:
        raise instance_not_found(instance_id)
    item = attribute_view(record, fleet.settings["tair_fields"])
    return {"Instances": {"DBInstanceAttribute": [item]}}


def describe_instances(fleet, params):
    """Return one page of the instances that match every given filter."""
    region_id = params.get("RegionId")
    if region_id and region_id not in KNOWN_REGIONS:
        raise invalid_parameter("RegionId", region_id, "The region does not exist.")
    requested_ids = _instance_ids(params)
    global_instance = boolean(params, "GlobalInstance")
    number, size = page(params, max_size=MAX_PAGE_SIZE)

    matches = []
    for record in fleet.all_current():
        item = kvstore_view(record, fleet.settings["tair_fields"])
        if _matches(item, params, requested_ids, global_instance):
            matches.append(item)

    return {
        "Instances": {"KVStoreInstance": page_slice(matches, number, size)},
        "PageNumber": number,
        "PageSize": size,
        "TotalCount": len(matches),
    }


def _instance_ids(params):
    raw = params.get("InstanceIds")
    if not raw:
        return None
    ids = [part.strip() for part in raw.split(",") if part.strip()]
    if len(ids) > MAX_INSTANCE_IDS:
        raise invalid_parameter(
            "InstanceIds", raw, f"It lists more than {MAX_INSTANCE_IDS} instances."
        )
    return set(ids)


def _matches(item, params, requested_ids, global_instance):
    if requested_ids is not None and item["InstanceId"] not in requested_ids:
        return False
    if (
        global_instance is not None
        and bool(item.get("GlobalInstanceId")) != global_instance
    ):
        return False
    for name in EQUALITY_FILTERS:
        if params.get(name) and item.get(name) != params[name]:
            return False
    search_key = params.get("SearchKey")
    if (
        search_key
        and search_key not in item["InstanceId"]
        and search_key not in item.get("InstanceName", "")
    ):
        return False
    return _matches_tags(item, params)


def _matches_tags(item, params):
    """Check the ``Tag.N.Key``/``Tag.N.Value`` filters against the instance tags."""
    tags = {tag["Key"]: tag["Value"] for tag in item.get("Tags", {}).get("Tag", [])}
    for index in range(1, 21):
        key = params.get(f"Tag.{index}.Key")
        if not key:
            continue
        if key not in tags:
            return False
        value = params.get(f"Tag.{index}.Value")
        if value and tags[key] != value:
            return False
    return True


def describe_db_instance_net_info(fleet, params):
    """Return the endpoints of an instance (``DirectConnection`` 1: direct)."""
    instance_id = required(params, "InstanceId")
    record = fleet.current(instance_id)
    if record is None:
        raise instance_not_found(instance_id)
    return {
        "InstanceNetworkType": record["NetworkType"],
        "NetInfoItems": {
            "InstanceNetInfo": [net_info_view(item) for item in record["NetInfoItems"]]
        },
    }


def describe_global_distribute_cache(fleet, params):
    """Return one page of distributed instances, filtered by id or child id."""
    global_instance_id = params.get("GlobalInstanceId")
    sub_instance_id = params.get("SubInstanceId")
    number, size = page(params)

    caches = []
    for candidate in sorted(fleet.distributed):
        if global_instance_id and candidate != global_instance_id:
            continue
        sub_instances = fleet.sub_instances(candidate)
        if sub_instance_id and sub_instance_id not in [
            sub["InstanceID"] for sub in sub_instances
        ]:
            continue
        caches.append(
            {
                "GlobalInstanceId": candidate,
                "Status": fleet.distributed_status(candidate),
                "SubInstances": sub_instances,
            }
        )

    return {
        "GlobalDistributeCaches": page_slice(caches, number, size),
        "PageNumber": number,
        "PageSize": size,
        "TotalRecordCount": len(caches),
    }
