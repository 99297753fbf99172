"""SDK clients pointed at a running emulator, and helpers that wait on its state."""

import json
import time

from alibabacloud_r_kvstore20150101 import models
from alibabacloud_r_kvstore20150101.client import Client
from alibabacloud_tea_openapi.models import Config, OpenApiRequest
from alibabacloud_tea_openapi.utils import Utils
from alibabacloud_tea_openapi.utils_models import Params
from aliyunsdkcore.auth.credentials import StsTokenCredential
from aliyunsdkcore.client import AcsClient
from aliyunsdkcore.request import CommonRequest
from darabonba.runtime import RuntimeOptions

from tests.emulator_tests.conftest import (
    ACCESS_KEY_ID,
    ACCESS_KEY_SECRET,
    STS_KEY_ID,
    STS_KEY_SECRET,
    STS_TOKEN,
)


def tea_client(emulator, key_id=ACCESS_KEY_ID, secret=ACCESS_KEY_SECRET, **config):
    """Return an SDK 7.0.0 client (ACS3 signing unless ``signature_algorithm='v2'``)."""
    return Client(
        Config(
            endpoint=emulator.endpoint,
            protocol="http",
            access_key_id=key_id,
            access_key_secret=secret,
            **config,
        )
    )


def sts_client(emulator, token=STS_TOKEN, **config):
    """Return an SDK client that signs with the STS key pair and token."""
    return tea_client(
        emulator, STS_KEY_ID, STS_KEY_SECRET, security_token=token, **config
    )


def raw_call(client, action, query):
    """Call ``action`` through ``call_api`` and return the raw response dict."""
    params = Params(
        action=action,
        version="2015-01-01",
        protocol="HTTP",
        pathname="/",
        method="POST",
        auth_type="AK",
        style="RPC",
        req_body_type="formData",
        body_type="json",
    )
    request = OpenApiRequest(query=Utils.query(query))
    return client.call_api(params, request, RuntimeOptions())


class CoreClient:
    """aliyun-python-sdk-core CommonRequest calls against the emulator."""

    def __init__(
        self, emulator, key_id=ACCESS_KEY_ID, secret=ACCESS_KEY_SECRET, token=None
    ):
        if token:
            credential = StsTokenCredential(key_id, secret, token)
            self.client = AcsClient(
                region_id="cn-hangzhou", credential=credential, auto_retry=False
            )
        else:
            self.client = AcsClient(key_id, secret, "cn-hangzhou", auto_retry=False)
        self.domain = emulator.endpoint

    def call(self, action, **params):
        """Send ``action`` with ``params`` and return the parsed JSON body."""
        request = CommonRequest(
            domain=self.domain, version="2015-01-01", action_name=action
        )
        request.set_protocol_type("http")
        request.set_method("POST")
        request.set_accept_format("JSON")
        for name, value in params.items():
            request.add_query_param(name, value)
        return json.loads(self.client.do_action_with_exception(request))


def instance_attribute(client, instance_id):
    """Return the DescribeInstanceAttribute item of ``instance_id`` as a wire dict."""
    request = models.DescribeInstanceAttributeRequest(instance_id=instance_id)
    body = client.describe_instance_attribute(request).body.to_map()
    return body["Instances"]["DBInstanceAttribute"][0]


def wait_for(predicate, timeout=5.0, interval=0.05):
    """Poll ``predicate`` until it returns a true value, for at most ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(interval)


def wait_until_normal(client, instance_id, timeout=5.0):
    """Wait until ``instance_id`` shows InstanceStatus Normal."""
    return wait_for(
        lambda: instance_attribute(client, instance_id)["InstanceStatus"] == "Normal",
        timeout,
    )


# SDK 7.0.0 method and request model of each action.
TEA_METHODS = {
    "AllocateDirectConnection": (
        "allocate_direct_connection",
        "AllocateDirectConnectionRequest",
    ),
    "CreateGlobalDistributeCache": (
        "create_global_distribute_cache",
        "CreateGlobalDistributeCacheRequest",
    ),
    "DescribeDBInstanceNetInfo": (
        "describe_dbinstance_net_info",
        "DescribeDBInstanceNetInfoRequest",
    ),
    "DescribeGlobalDistributeCache": (
        "describe_global_distribute_cache",
        "DescribeGlobalDistributeCacheRequest",
    ),
    "DescribeInstanceAttribute": (
        "describe_instance_attribute",
        "DescribeInstanceAttributeRequest",
    ),
    "DescribeInstances": ("describe_instances", "DescribeInstancesRequest"),
    "ReleaseDirectConnection": (
        "release_direct_connection",
        "ReleaseDirectConnectionRequest",
    ),
    "RemoveSubInstance": ("remove_sub_instance", "RemoveSubInstanceRequest"),
}


class TeaCaller:
    """Calls actions through the typed methods of an SDK 7.0.0 client."""

    def __init__(self, client):
        self.client = client

    def call(self, action, **params):
        """Send ``action`` with wire-named ``params``; return the body as a dict."""
        method_name, request_name = TEA_METHODS[action]
        request = getattr(models, request_name)().from_map(params)
        return getattr(self.client, method_name)(request).body.to_map()

    @staticmethod
    def error_of(error):
        """Return ``(code, HTTP status)`` of an SDK exception."""
        return error.code, error.status_code


class CoreCaller(CoreClient):
    """Calls actions with aliyun-python-sdk-core CommonRequest."""

    @staticmethod
    def error_of(error):
        """Return ``(code, HTTP status)`` of an aliyun-python-sdk-core exception."""
        return error.get_error_code(), error.get_http_status()


def make_caller(kind, emulator, secret=None, token=None):
    """Return a caller of one client kind; ``secret`` and ``token`` override."""
    if kind == "acs3":
        return TeaCaller(tea_client(emulator, secret=secret or ACCESS_KEY_SECRET))
    if kind == "v2":
        return TeaCaller(
            tea_client(
                emulator, secret=secret or ACCESS_KEY_SECRET, signature_algorithm="v2"
            )
        )
    if kind == "sts_acs3":
        return TeaCaller(
            tea_client(
                emulator,
                STS_KEY_ID,
                secret or STS_KEY_SECRET,
                security_token=token or STS_TOKEN,
            )
        )
    if kind == "sts_v2":
        return TeaCaller(
            tea_client(
                emulator,
                STS_KEY_ID,
                secret or STS_KEY_SECRET,
                security_token=token or STS_TOKEN,
                signature_algorithm="v2",
            )
        )
    if kind == "core":
        return CoreCaller(emulator, secret=secret or ACCESS_KEY_SECRET)
    if kind == "core_sts":
        return CoreCaller(
            emulator, STS_KEY_ID, secret or STS_KEY_SECRET, token=token or STS_TOKEN
        )
    raise ValueError(f"unknown client kind {kind}")


CLIENT_KINDS = ("acs3", "v2", "sts_acs3", "sts_v2", "core", "core_sts")
