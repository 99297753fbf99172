"""Realistic default fields for instances that a state file describes only in part."""

import copy
import json

# Per-region prefixes of generated resource ids, as the real service uses them.
REGION_PREFIXES = {
    "cn-hangzhou": "bp1",
    "cn-beijing": "2ze",
    "cn-shanghai": "uf6",
    "cn-shenzhen": "wz9",
    "cn-hongkong": "j6c",
    "ap-southeast-1": "t4n",
    "us-west-1": "rj9",
    "eu-central-1": "gw8",
}

KNOWN_REGIONS = frozenset(REGION_PREFIXES) | {
    "cn-qingdao",
    "cn-zhangjiakou",
    "cn-huhehaote",
    "cn-wulanchabu",
    "cn-chengdu",
    "cn-guangzhou",
    "ap-northeast-1",
    "ap-southeast-3",
    "ap-southeast-5",
    "us-east-1",
    "eu-west-1",
    "me-east-1",
}

DEFAULT_REGION = "cn-hangzhou"

# Fields that are the same for every instance unless the state file sets them.
COMMON_FIELDS = {
    "AuditLogRetention": "0",
    "AutoSecondaryZone": False,
    "AvailabilityValue": "100%",
    "BackupLogStartTime": "2026-11-30T18:00:00Z",
    "ChargeType": "PrePaid",
    "Config": json.dumps(
        {"maxmemory-policy": "volatile-lru", "timeout": "0", "appendonly": "yes"}
    ),
    "ConnectionMode": "Standard",
    "CreateTime": "2025-03-12T08:21:45Z",
    "EndTime": "2027-03-13T16:00:00Z",
    "Engine": "Redis",
    "EngineVersion": "5.0",
    "HasRenewChangeOrder": False,
    "InstanceReleaseProtection": False,
    "InstanceStatus": "Normal",
    "IsOrderCompleted": True,
    "IsRds": True,
    "MaintainEndTime": "22:00Z",
    "MaintainStartTime": "18:00Z",
    "NetworkType": "VPC",
    "PackageType": "standard",
    "Port": 6379,
    "ReadOnlyCount": 0,
    "ReplicaCount": 1,
    "ResourceGroupId": "rg-acfmv2yqsxi4kzy",
    "SecurityIPList": "127.0.0.1,10.0.0.0/8",
    "SlaveReadOnlyCount": 0,
    "SlaveReplicaCount": 0,
    "Tags": {"Tag": [{"Key": "env", "Value": "rehearsal"}]},
    "VpcAuthMode": "Open",
    "ZoneType": "singlezone",
}

# Instance classes by (InstanceType, ComputingType, ArchitectureType).
INSTANCE_CLASSES = {
    (
        "Tair",
        "Machine",
        "standard",
    ): "redis.amber.master.4g.2db.0rodb.0proxy.multithread",
    (
        "Tair",
        "Machine",
        "cluster",
    ): "redis.amber.logic.sharding.2g.2db.0rodb.6proxy.multithread",
    ("Tair", "Ecs", "standard"): "tair.rdb.4g",
    ("Tair", "Ecs", "cluster"): "tair.rdb.with.proxy.2g",
    ("Redis", "Machine", "standard"): "redis.master.small.default",
    ("Redis", "Machine", "cluster"): "redis.logic.sharding.2g.8db.0rodb.8proxy.default",
    ("Redis", "Ecs", "standard"): "redis.shard.small.2.ce",
    ("Redis", "Ecs", "cluster"): "redis.shard.with.proxy.small.ce",
}

SHARD_CLASSES = {
    ("Tair", "Machine"): "redis.amber.logic.sharding.2g.2db.0rodb.6proxy.multithread",
    ("Tair", "Ecs"): "tair.rdb.with.proxy.2g",
    ("Redis", "Machine"): "redis.logic.sharding.2g.8db.0rodb.8proxy.default",
    ("Redis", "Ecs"): "redis.shard.with.proxy.small.ce",
}


def region_prefix(region_id):
    """Return the id prefix of a region (``bp1`` for cn-hangzhou), or ``""``."""
    return REGION_PREFIXES.get(region_id, "")


def complete_instance(record):
    """Return a copy of ``record`` with every missing field filled in.

    The copy keeps the wire field names of DescribeInstanceAttribute and
    DescribeInstances, plus ``NetInfoItems`` in DescribeDBInstanceNetInfo item
    form. Fields that the real service returns only in special cases (cloud
    boxes, disk-based storage, released instances) get no default.
    """
    instance = copy.deepcopy(record)
    instance_id = instance["InstanceId"]
    region_id = instance.setdefault("RegionId", DEFAULT_REGION)
    prefix = region_prefix(region_id)

    for key, value in COMMON_FIELDS.items():
        instance.setdefault(key, copy.deepcopy(value))

    _fill_engine_fields(instance)
    _fill_topology_fields(instance)
    _fill_network_fields(instance, instance_id, region_id, prefix)
    instance.setdefault("InstanceName", instance_id)
    instance.setdefault("UserName", instance_id)
    instance["NetInfoItems"] = [
        _complete_net_item(item, instance)
        for item in instance.get("NetInfoItems") or [None]
    ]
    return instance


def _fill_engine_fields(instance):
    instance.setdefault("InstanceType", "Tair")
    is_tair = instance["InstanceType"] == "Tair"
    instance.setdefault("EditionType", "Enterprise" if is_tair else "Community")
    instance.setdefault("ArchitectureType", "standard")
    instance.setdefault("ComputingType", "Machine")
    instance.setdefault("IsSupportTDE", is_tair)
    instance.setdefault("QPS", 300000 if is_tair else 100000)


def _fill_topology_fields(instance):
    engine = instance["InstanceType"]
    computing = instance["ComputingType"]
    is_cluster = instance["ArchitectureType"] == "cluster"
    instance.setdefault("ShardCount", 2 if is_cluster else 1)
    instance.setdefault("ReplicationMode", "cluster" if is_cluster else "master-slave")
    instance.setdefault(
        "NodeType", "double" if computing == "Machine" else "MASTER_SLAVE"
    )
    instance.setdefault(
        "Capacity", 2048 * instance["ShardCount"] if is_cluster else 4096
    )
    instance.setdefault("Bandwidth", 96 * instance["ShardCount"])
    instance.setdefault("Connections", 30000 * instance["ShardCount"])

    class_key = (engine, computing, instance["ArchitectureType"])
    instance.setdefault(
        "InstanceClass", INSTANCE_CLASSES.get(class_key, "redis.master.small.default")
    )
    if is_cluster:
        instance.setdefault(
            "ShardClass",
            SHARD_CLASSES.get((engine, computing), instance["InstanceClass"]),
        )
    if computing == "Ecs":
        instance.setdefault(
            "RealInstanceClass", instance.get("ShardClass", instance["InstanceClass"])
        )


def _fill_network_fields(instance, instance_id, region_id, prefix):
    instance.setdefault("ZoneId", f"{region_id}-h")
    instance.setdefault("VpcId", f"vpc-{prefix}7x9kd2m4qf0ntz6w1")
    instance.setdefault("VSwitchId", f"vsw-{prefix}3lq8r5v0c2hyu9e4t")
    instance.setdefault("VpcCloudInstanceId", instance_id)
    instance.setdefault("PrivateIp", "172.16.88.10")
    instance.setdefault("ConnectionDomain", f"{instance_id}.redis.rds.aliyuncs.com")


def _complete_net_item(item, instance):
    """Fill a DescribeDBInstanceNetInfo item; ``None`` gives the VPC endpoint."""
    complete = {
        "ConnectionString": instance["ConnectionDomain"],
        "Port": str(instance["Port"]),
        "IPAddress": instance["PrivateIp"],
        "DBInstanceNetType": "2",
        "IPType": "Private",
        "DirectConnection": 0,
        "VPCId": instance["VpcId"],
        "VSwitchId": instance["VSwitchId"],
        "VPCInstanceId": instance["VpcCloudInstanceId"],
        "IsSlaveProxy": 0,
        "ExpiredTime": "",
        "Upgradeable": "0",
    }
    complete.update(item or {})
    complete["Port"] = str(complete["Port"])
    complete["DirectConnection"] = int(complete["DirectConnection"])
    return complete


def direct_connection_item(instance, connection_string, port):
    """Build the net info item of a newly allocated direct connection."""
    octets = instance["PrivateIp"].split(".")
    octets[-1] = str((int(octets[-1]) + 100) % 250 + 1)
    return _complete_net_item(
        {
            "ConnectionString": f"{connection_string}.redis.rds.aliyuncs.com",
            "Port": str(port),
            "IPAddress": ".".join(octets),
            "DirectConnection": 1,
        },
        instance,
    )
