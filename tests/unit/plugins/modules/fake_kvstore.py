# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""An in-memory stand-in for the R-KVStore SDK client, for module unit tests.

FakeCloud keeps instances, distributed instances and endpoints in wire format
(the API's CamelCase keys) and serves the SDK's ``*_with_options`` methods.
Faults are queued per action: an exception is raised instead of a response, or
(with ``apply=True``) after the change was made, as when a response is lost.
With ``lasts=N`` as well, the change takes effect only after N more API calls,
and the instance shows Changing until then, like a transition in progress.
"""

from __future__ import annotations

import itertools
from types import SimpleNamespace

from ansible_collections.alicloud.kvstore.plugins.module_utils.client import (
    SDK_METHODS,
    KVStoreClient,
)
from ansible_collections.alicloud.kvstore.plugins.module_utils.retries import (
    RetryPolicy,
)

WRITES = (
    "CreateGlobalDistributeCache",
    "ReleaseDirectConnection",
    "RemoveSubInstance",
    "AllocateDirectConnection",
)


class ApiException(Exception):
    """Has the attributes of tea-openapi's ClientException/ServerException."""

    def __init__(self, code, status=400, message="error", request_id="REQ-ERR"):
        super().__init__(message)
        self.code = code
        self.status_code = status
        self.request_id = request_id
        self.message = "code: %s, %s request id: %s" % (status, message, request_id)
        self.data = {"Code": code, "Message": message, "RequestId": request_id}


class DroppedConnection(Exception):
    """Has the attributes of darabonba's UnretryableException around a RetryError."""

    def __init__(self):
        inner = SimpleNamespace(message="('Connection aborted.', RemoteDisconnected())")
        super().__init__(inner.message)
        self.inner_exception = inner


def make_instance(instance_id, **overrides):
    attributes = {
        "InstanceId": instance_id,
        "InstanceStatus": "Normal",
        "InstanceType": "Tair",
        "EditionType": "Enterprise",
        "ArchitectureType": "standard",
        "ComputingType": "Machine",
        "RegionId": "cn-hangzhou",
        "InstanceClass": "redis.amber.master.4g.2db.0rodb.0proxy.multithread",
        "GlobalInstanceId": "",
    }
    attributes.update(overrides)
    return attributes


class FakeCloud:
    def __init__(self):
        self.instances = {}
        self.net_info = {}
        self.distributed = {}
        self.calls = []
        self.faults = {}
        # Status sequences returned by successive reads, per instance or gr- id.
        self.status_script = {}
        self.not_found_as_empty_list = False
        self.repeat_create_code = "TaskHasExist"
        self.create_visible = True
        self.pending_creates = set()
        # Deferred changes: [instance_id, calls left, action, request].
        self.transitions = []
        self._ids = itertools.count(1)

    # Set-up helpers

    def add(self, instance_id, direct=False, **overrides):
        self.instances[instance_id] = make_instance(instance_id, **overrides)
        items = [
            {
                "ConnectionString": "%s.redis.rds.aliyuncs.com" % instance_id,
                "Port": "6379",
                "DirectConnection": 0,
            }
        ]
        if direct:
            items.append(
                {
                    "ConnectionString": "%s-direct.redis.rds.aliyuncs.com"
                    % instance_id,
                    "Port": "6379",
                    "IPAddress": "172.16.0.10",
                    "DirectConnection": 1,
                }
            )
        self.net_info[instance_id] = items

    def add_member(self, instance_id, global_instance_id, **overrides):
        self.add(instance_id, GlobalInstanceId=global_instance_id, **overrides)
        self.distributed[global_instance_id] = {
            "GlobalInstanceId": global_instance_id,
            "Status": "Normal",
        }

    def fault(self, action, error, apply=False, lasts=0):
        self.faults.setdefault(action, []).append((error, apply, lasts))

    def actions(self, name=None):
        if name is None:
            return list(self.calls)
        return [call for call in self.calls if call == name]

    def writes(self):
        return [call for call in self.calls if call in WRITES]

    # Views

    def _status(self, key, default):
        script = self.status_script.get(key)
        if script:
            value = script.pop(0)
            if not script:
                self.status_script.pop(key)
            return value
        return default

    def _sub_instances(self, global_instance_id):
        subs = []
        for instance in self.instances.values():
            if instance.get("GlobalInstanceId") == global_instance_id:
                subs.append(
                    {
                        "InstanceID": instance["InstanceId"],
                        "RegionId": instance["RegionId"],
                        "InstanceStatus": instance["InstanceStatus"],
                        "InstanceClass": instance["InstanceClass"],
                        "GlobalInstanceId": global_instance_id,
                    }
                )
        return subs

    def _cache(self, global_instance_id):
        cache = self.distributed[global_instance_id]
        status = self._status(global_instance_id, cache["Status"])
        return {
            "GlobalInstanceId": global_instance_id,
            "Status": status,
            "SubInstances": self._sub_instances(global_instance_id),
        }

    def _require(self, instance_id):
        if instance_id not in self.instances:
            raise ApiException(
                "InvalidInstanceId.NotFound", 404, "The instance does not exist."
            )
        return self.instances[instance_id]

    # Actions (request is a dict of SDK snake_case names)

    def DescribeInstanceAttribute(self, request):
        instance_id = request["instance_id"]
        if instance_id not in self.instances and self.not_found_as_empty_list:
            return {"Instances": {"DBInstanceAttribute": []}}
        instance = dict(self._require(instance_id))
        instance["InstanceStatus"] = self._status(
            instance_id, instance["InstanceStatus"]
        )
        if any(item[0] == instance_id for item in self.transitions):
            instance["InstanceStatus"] = "Changing"
        instance.pop("EditionType", None)
        return {"Instances": {"DBInstanceAttribute": [instance]}, "RequestId": "R"}

    def DescribeInstances(self, request):
        ids = request.get("instance_ids")
        wanted = ids.split(",") if ids else list(self.instances)
        items = [dict(self.instances[i]) for i in wanted if i in self.instances]
        for key, field in (
            ("instance_type", "InstanceType"),
            ("architecture_type", "ArchitectureType"),
        ):
            if request.get(key):
                items = [item for item in items if item.get(field) == request[key]]
        return {
            "Instances": {"KVStoreInstance": items},
            "TotalCount": len(items),
            "RequestId": "R",
        }

    def DescribeGlobalDistributeCache(self, request):
        caches = []
        for global_instance_id in sorted(self.distributed):
            if (
                request.get("global_instance_id")
                and request["global_instance_id"] != global_instance_id
            ):
                continue
            cache = self._cache(global_instance_id)
            if request.get("sub_instance_id") and not any(
                sub["InstanceID"] == request["sub_instance_id"]
                for sub in cache["SubInstances"]
            ):
                continue
            caches.append(cache)
        return {
            "GlobalDistributeCaches": caches,
            "TotalRecordCount": len(caches),
            "RequestId": "R",
        }

    def DescribeDBInstanceNetInfo(self, request):
        self._require(request["instance_id"])
        return {
            "NetInfoItems": {
                "InstanceNetInfo": list(self.net_info[request["instance_id"]])
            },
            "RequestId": "R",
        }

    def CreateGlobalDistributeCache(self, request):
        seed = request["seed_sub_instance_id"]
        instance = self._require(seed)
        if instance["GlobalInstanceId"] or seed in self.pending_creates:
            raise ApiException(self.repeat_create_code, 400, "A task already exists.")
        global_instance_id = "gr-fake%05d" % next(self._ids)
        if self.create_visible:
            instance["GlobalInstanceId"] = global_instance_id
            self.distributed[global_instance_id] = {
                "GlobalInstanceId": global_instance_id,
                "Status": "Normal",
            }
        else:
            self.pending_creates.add(seed)
        return {
            "GlobalInstanceId": global_instance_id,
            "InstanceId": seed,
            "RequestId": "REQ-CREATE",
        }

    def ReleaseDirectConnection(self, request):
        instance_id = request["instance_id"]
        self._require(instance_id)
        items = self.net_info[instance_id]
        if not any(item["DirectConnection"] == 1 for item in items):
            raise ApiException("NetTypeNotExists", 400, "No direct connection.")
        self.net_info[instance_id] = [
            item for item in items if item["DirectConnection"] != 1
        ]
        return {"RequestId": "REQ-RELEASE"}

    def AllocateDirectConnection(self, request):
        instance_id = request["instance_id"]
        self._require(instance_id)
        prefix = request.get("connection_string") or "%s-direct" % instance_id
        self.net_info[instance_id].append(
            {
                "ConnectionString": "%s.redis.rds.aliyuncs.com" % prefix,
                "Port": request.get("port") or "6379",
                "DirectConnection": 1,
            }
        )
        return {"RequestId": "REQ-ALLOCATE"}

    def RemoveSubInstance(self, request):
        instance = self._require(request["instance_id"])
        instance["GlobalInstanceId"] = ""
        return {"RequestId": "REQ-REMOVE"}

    # Dispatch

    def _advance(self):
        for item in list(self.transitions):
            item[1] -= 1
            if item[1] <= 0:
                self.transitions.remove(item)
                getattr(self, item[2])(item[3])

    def handle(self, action, request):
        self.calls.append(action)
        self._advance()
        queued = self.faults.get(action)
        if queued:
            error, apply, lasts = queued.pop(0)
            if apply and lasts:
                instance_id = request.get("instance_id") or request.get(
                    "seed_sub_instance_id"
                )
                self.transitions.append([instance_id, lasts, action, request])
            elif apply:
                getattr(self, action)(request)
            raise error
        return getattr(self, action)(request)


class FakeSDKClient:
    def __init__(self, cloud):
        self._actions = {
            method + "_with_options": action for action, method in SDK_METHODS.items()
        }
        self._cloud = cloud

    def __getattr__(self, name):
        action = self._actions[name]

        def call(request, runtime):
            body = self._cloud.handle(action, request)
            return SimpleNamespace(body=SimpleNamespace(to_map=lambda: body))

        return call


class FakeModels:
    def __getattr__(self, name):
        return lambda **params: dict(params)


class FakeTime:
    def __init__(self):
        self.now = 1000.0

    def monotonic(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


class FakeModule:
    """The part of KVStoreModule that the modules use."""

    def __init__(
        self, cloud, params, check_mode=False, diff_mode=False, region_id="cn-hangzhou"
    ):
        self.params = params
        self.check_mode = check_mode
        self.diff_mode = diff_mode
        self.region_id = region_id
        self.warnings = []
        policy = RetryPolicy(retries=3, max_delay=1, sleep=lambda seconds: None)
        self.client = KVStoreClient(FakeSDKClient(cloud), FakeModels(), None, policy)

    def warn(self, message):
        self.warnings.append(message)
