"""Wire views of an instance: the keys and JSON types the SDK 7.0.0 models read.

Each view lists the fields of one response model with the JSON type the model
declares. A key outside these lists would be dropped by the SDK's ``from_map``,
and a key with a null value would not survive ``to_map``, so neither is sent.
"""

# DescribeInstanceAttribute: Instances.DBInstanceAttribute[] items.
ATTRIBUTE_FIELDS = {
    "ArchitectureType": str,
    "AuditLogRetention": str,
    "AutoSecondaryZone": bool,
    "AvailabilityValue": str,
    "BackupLogStartTime": str,
    "Bandwidth": int,
    "Capacity": int,
    "ChargeType": str,
    "CloudType": str,
    "ComputingType": str,
    "Config": str,
    "ConnectionDomain": str,
    "Connections": int,
    "CreateTime": str,
    "EndTime": str,
    "Engine": str,
    "EngineVersion": str,
    "GlobalInstanceId": str,
    "HasRenewChangeOrder": str,
    "InstanceClass": str,
    "InstanceId": str,
    "InstanceName": str,
    "InstanceReleaseProtection": bool,
    "InstanceStatus": str,
    "InstanceType": str,
    "IsOrderCompleted": bool,
    "IsRds": bool,
    "IsSupportTDE": bool,
    "MaintainEndTime": str,
    "MaintainStartTime": str,
    "NetworkType": str,
    "NodeType": str,
    "PackageType": str,
    "Port": int,
    "PrivateIp": str,
    "QPS": int,
    "ReadOnlyCount": int,
    "RealInstanceClass": str,
    "RegionId": str,
    "ReplicaCount": int,
    "ReplicaId": str,
    "ReplicationMode": str,
    "ResourceGroupId": str,
    "SecondaryZoneId": str,
    "SecurityIPList": str,
    "ShardCount": int,
    "SlaveReadOnlyCount": int,
    "SlaveReplicaCount": int,
    "Storage": str,
    "StorageType": str,
    "Tags": dict,
    "VSwitchId": str,
    "VpcAuthMode": str,
    "VpcCloudInstanceId": str,
    "VpcId": str,
    "ZoneId": str,
    "ZoneType": str,
}

# DescribeInstances: Instances.KVStoreInstance[] items.
KVSTORE_FIELDS = {
    "ArchitectureType": str,
    "Bandwidth": int,
    "Capacity": int,
    "ChargeType": str,
    "CloudType": str,
    "ComputingType": str,
    "Config": str,
    "ConnectionDomain": str,
    "ConnectionMode": str,
    "Connections": int,
    "CreateTime": str,
    "DestroyTime": str,
    "EditionType": str,
    "EndTime": str,
    "EngineVersion": str,
    "GlobalInstanceId": str,
    "HasRenewChangeOrder": bool,
    "InstanceClass": str,
    "InstanceId": str,
    "InstanceName": str,
    "InstanceStatus": str,
    "InstanceType": str,
    "IsRds": bool,
    "NetworkType": str,
    "NodeType": str,
    "PackageType": str,
    "Port": int,
    "PrivateIp": str,
    "QPS": int,
    "QuotaCount": int,
    "ReadOnlyCount": str,
    "RegionId": str,
    "ReplacateId": str,
    "ReplicaCount": int,
    "ResourceGroupId": str,
    "SecondaryZoneId": str,
    "ShardClass": str,
    "ShardCount": int,
    "SlaveReadOnlyCount": int,
    "SlaveReplicaCount": int,
    "Tags": dict,
    "UsedCount": int,
    "UserName": str,
    "VSwitchId": str,
    "VpcId": str,
    "WorkspaceId": str,
    "ZoneId": str,
}

# DescribeDBInstanceNetInfo: NetInfoItems.InstanceNetInfo[] items.
NET_INFO_FIELDS = {
    "ConnectionString": str,
    "DBInstanceNetType": str,
    "DirectConnection": int,
    "ExpiredTime": str,
    "IPAddress": str,
    "IPType": str,
    "IsSlaveProxy": int,
    "Port": str,
    "Upgradeable": str,
    "VPCId": str,
    "VPCInstanceId": str,
    "VSwitchId": str,
}


def _coerce(value, wire_type):
    """Convert ``value`` to the JSON type the SDK model declares for its field."""
    if wire_type is str and isinstance(value, bool):
        return "true" if value else "false"
    if wire_type is str:
        return str(value)
    if wire_type is bool and isinstance(value, str):
        return value.lower() == "true"
    if wire_type is int:
        return int(value)
    return value


def _project(record, fields):
    return {
        key: _coerce(record[key], wire_type)
        for key, wire_type in fields.items()
        if record.get(key) is not None
    }


def _apply_tair_fields(view, tair_fields):
    """Show Tair instances as the ``tair_fields`` setting describes the service.

    ``instance_type_only`` omits ``EditionType``; ``edition_type_only`` reports
    Tair instances with ``InstanceType`` Redis and only ``EditionType`` Enterprise.
    """
    if tair_fields == "instance_type_only":
        view.pop("EditionType", None)
    elif tair_fields == "edition_type_only" and view.get("InstanceType") == "Tair":
        view["InstanceType"] = "Redis"
    return view


def attribute_view(record, tair_fields="both"):
    """Render one DescribeInstanceAttribute item."""
    return _apply_tair_fields(_project(record, ATTRIBUTE_FIELDS), tair_fields)


def kvstore_view(record, tair_fields="both"):
    """Render one DescribeInstances item."""
    return _apply_tair_fields(_project(record, KVSTORE_FIELDS), tair_fields)


def net_info_view(item):
    """Render one DescribeDBInstanceNetInfo item."""
    return _project(item, NET_INFO_FIELDS)
