"""Registry of the actions the emulator serves (R-KVStore API 2015-01-01)."""

from tests.emulator import change_actions, describe_actions

API_VERSION = "2015-01-01"

ACTIONS = {
    "AllocateDirectConnection": change_actions.allocate_direct_connection,
    "CreateGlobalDistributeCache": change_actions.create_global_distribute_cache,
    "DescribeDBInstanceNetInfo": describe_actions.describe_db_instance_net_info,
    "DescribeGlobalDistributeCache": describe_actions.describe_global_distribute_cache,
    "DescribeInstanceAttribute": describe_actions.describe_instance_attribute,
    "DescribeInstances": describe_actions.describe_instances,
    "ReleaseDirectConnection": change_actions.release_direct_connection,
    "RemoveSubInstance": change_actions.remove_sub_instance,
}
