# -*- coding: utf-8 -*-
# Copyright: alicloud.kvstore contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Client factory: settings from options and environment, credentials, endpoint.

The Alibaba Cloud SDK is imported on the first call to ``load_sdk()``, never at
import time, so that this file imports on hosts without the SDK and a module
pays the import cost once per run.
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import ipaddress
import os
import re

from ansible_collections.alicloud.kvstore.plugins.module_utils.errors import (
    CREDENTIALS_NEXT_STEP,
    KIND_CREDENTIALS,
    KIND_INVALID,
    KVStoreError,
    from_sdk_exception,
    scrub,
)
from ansible_collections.alicloud.kvstore.plugins.module_utils.retries import (
    RetryPolicy,
)

SDK_PACKAGE = "alibabacloud-r-kvstore20150101"

# Environment variables per option, highest precedence first. An explicit
# option beats every variable; ALIBABA_CLOUD_* names beat ALICLOUD_* names.
ENV_VARS = {
    "access_key_id": ("ALIBABA_CLOUD_ACCESS_KEY_ID", "ALICLOUD_ACCESS_KEY"),
    "access_key_secret": ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALICLOUD_SECRET_KEY"),
    "security_token": ("ALIBABA_CLOUD_SECURITY_TOKEN", "ALICLOUD_SECURITY_TOKEN"),
    "region_id": (
        "ALIBABA_CLOUD_REGION_ID",
        "ALIBABA_CLOUD_REGION",
        "ALICLOUD_REGION",
        "ALICLOUD_REGION_ID",
    ),
    "profile": ("ALIBABA_CLOUD_PROFILE",),
    "endpoint": ("ALIBABA_CLOUD_KVSTORE_ENDPOINT",),
}

# The security token is read from the variable family that supplied the key.
TOKEN_VAR_FOR_KEY_VAR = {
    "ALIBABA_CLOUD_ACCESS_KEY_ID": "ALIBABA_CLOUD_SECURITY_TOKEN",
    "ALICLOUD_ACCESS_KEY": "ALICLOUD_SECURITY_TOKEN",
}

PROXY_VARS = (
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "ALL_PROXY",
    "all_proxy",
)

# SDK method names per API action; DescribeDBInstanceNetInfo does not follow
# the plain snake_case rule.
SDK_METHODS = {
    "AllocateDirectConnection": "allocate_direct_connection",
    "CreateGlobalDistributeCache": "create_global_distribute_cache",
    "DescribeDBInstanceNetInfo": "describe_dbinstance_net_info",
    "DescribeGlobalDistributeCache": "describe_global_distribute_cache",
    "DescribeInstanceAttribute": "describe_instance_attribute",
    "DescribeInstances": "describe_instances",
    "ReleaseDirectConnection": "release_direct_connection",
    "RemoveSubInstance": "remove_sub_instance",
}

_HOST_PORT = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$")

_SDK = {}


def load_sdk():
    """Import the SDK once and return its parts; raise ImportError if missing."""
    if not _SDK:
        from alibabacloud_credentials import client as credentials_client
        from alibabacloud_credentials.provider import cli_profile, default, profile
        from alibabacloud_r_kvstore20150101 import models
        from alibabacloud_r_kvstore20150101.client import Client
        from alibabacloud_tea_openapi import utils_models
        from darabonba.runtime import RuntimeOptions

        _SDK.update(
            Client=Client,
            models=models,
            Config=utils_models.Config,
            RuntimeOptions=RuntimeOptions,
            CredentialsClient=credentials_client.Client,
            DefaultProvider=default.DefaultCredentialsProvider,
            CLIProfileProvider=cli_profile.CLIProfileCredentialsProvider,
            ProfileProvider=profile.ProfileCredentialsProvider,
        )
    return _SDK


def _first_env(names, environ):
    for name in names:
        value = environ.get(name)
        if value:
            return value, name
    return None, None


def resolve_settings(params, environ=None):
    """Return the connection settings from module ``params`` and ``environ``.

    Each value comes from the option when set, else from the first environment
    variable in ``ENV_VARS`` that is set. ``security_token`` is only taken from
    the source that supplied ``access_key_id``, so that a token left in the
    environment is never paired with an explicitly given long-term key.
    """
    environ = os.environ if environ is None else environ
    settings = {}
    sources = {}

    for name, env_names in ENV_VARS.items():
        value = params.get(name)
        source = "option"
        if value in (None, ""):
            value, source = _first_env(env_names, environ)
        settings[name] = value
        sources[name] = source

    if params.get("security_token") in (None, ""):
        token_var = TOKEN_VAR_FOR_KEY_VAR.get(sources["access_key_id"])
        settings["security_token"] = environ.get(token_var) if token_var else None
        sources["security_token"] = token_var if settings["security_token"] else None

    for name in (
        "validate_certs",
        "connect_timeout",
        "read_timeout",
        "api_retries",
        "api_retry_max_delay",
    ):
        settings[name] = params.get(name)

    settings["sources"] = sources
    return settings


def parse_endpoint(value):
    """Split an endpoint option into ``(protocol, host[:port], host)``.

    ``http://127.0.0.1:8080`` selects plain HTTP, ``https://host`` or a bare
    ``host[:port]`` selects HTTPS. Paths, queries and credentials in the URL
    are rejected.
    """
    text = value.strip()
    protocol = "https"
    match = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*)://(.*)$", text)
    if match:
        protocol = match.group(1).lower()
        text = match.group(2)
        if protocol not in ("http", "https"):
            raise KVStoreError(
                "Invalid endpoint",
                detail="scheme %r is not supported in %r" % (protocol, value),
                kind=KIND_INVALID,
                next_step="Use http://HOST:PORT, https://HOST or a bare host name.",
            )
        text = text.rstrip("/")

    host_match = _HOST_PORT.match(text)
    if not host_match:
        raise KVStoreError(
            "Invalid endpoint",
            detail="%r is not a host name with an optional port"
            % re.sub(r"//[^/@]*@", "//", scrub(value)),
            kind=KIND_INVALID,
            next_step=(
                "Use http://HOST:PORT, https://HOST or a bare host name, with no path "
                "or query."
            ),
        )
    host = host_match.group(1).strip("[]")
    return protocol, text, host


def is_loopback(host):
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def validate_settings(settings):
    """Raise KVStoreError for settings that cannot work; return warnings."""
    warnings = []
    if settings["endpoint"]:
        protocol, _netloc, host = parse_endpoint(settings["endpoint"])
        if protocol == "http" and not is_loopback(host):
            warnings.append(
                "endpoint %s uses plain HTTP to a host that is not loopback; requests "
                "and "
                "responses travel unencrypted. Use https:// for remote endpoints."
                % host
            )
    elif not settings["region_id"]:
        raise KVStoreError(
            "No region is set",
            detail="neither region_id nor endpoint was given",
            kind=KIND_INVALID,
            next_step="Set region_id (or ALIBABA_CLOUD_REGION_ID), or set endpoint.",
        )

    has_id = bool(settings["access_key_id"])
    has_secret = bool(settings["access_key_secret"])
    if has_id != has_secret:
        missing = "access_key_secret" if has_id else "access_key_id"
        raise KVStoreError(
            "Incomplete credentials",
            detail="%s is missing" % missing,
            kind=KIND_CREDENTIALS,
            next_step=(
                "Set both access_key_id and access_key_secret, or neither to use a "
                "profile."
            ),
        )

    for name in ("connect_timeout", "read_timeout"):
        if settings[name] is not None and settings[name] <= 0:
            raise KVStoreError(
                "Invalid %s" % name,
                detail="%s seconds is not positive" % settings[name],
                kind=KIND_INVALID,
                next_step="Set %s to a number of seconds greater than 0." % name,
            )
    if settings["api_retries"] is not None and settings["api_retries"] < 0:
        raise KVStoreError(
            "Invalid api_retries",
            detail="%s is negative" % settings["api_retries"],
            kind=KIND_INVALID,
            next_step="Set api_retries to 0 or more.",
        )
    if (
        settings["api_retry_max_delay"] is not None
        and settings["api_retry_max_delay"] < 0
    ):
        raise KVStoreError(
            "Invalid api_retry_max_delay",
            detail="%s is negative" % settings["api_retry_max_delay"],
            kind=KIND_INVALID,
            next_step="Set api_retry_max_delay to 0 or more seconds.",
        )
    return warnings


def _seconds_to_ms(seconds):
    return max(1, int(round(float(seconds) * 1000)))


def _credentials(settings, sdk):
    """Return the Config keyword arguments that carry the credentials."""
    if settings["access_key_id"]:
        return {
            "access_key_id": settings["access_key_id"],
            "access_key_secret": settings["access_key_secret"],
            "security_token": settings["security_token"] or None,
        }

    if settings["profile"]:
        providers = [
            sdk["CLIProfileProvider"](profile_name=settings["profile"]),
            sdk["ProfileProvider"](profile_name=settings["profile"]),
        ]
        tried = (
            "the profile %s in the CLI configuration (~/.aliyun/config.json) and in "
            "the credentials file" % (settings["profile"])
        )
    else:
        providers = [sdk["DefaultProvider"]()]
        tried = (
            "the options access_key_id/access_key_secret, the variables "
            "ALIBABA_CLOUD_ACCESS_KEY_ID/"
            "ALIBABA_CLOUD_ACCESS_KEY_SECRET and "
            "ALICLOUD_ACCESS_KEY/ALICLOUD_SECRET_KEY, then the "
            "SDK default chain"
        )

    failures = []
    for provider in providers:
        try:
            provider.get_credentials()
        except Exception as error:  # noqa: B902 - every provider failure is reported
            failures.append("%s: %s" % (type(provider).__name__, scrub(str(error))))
            continue
        return {"credential": sdk["CredentialsClient"](provider=provider)}

    raise KVStoreError(
        "No credentials were found",
        detail="tried %s (%s)" % (tried, "; ".join(failures)),
        kind=KIND_CREDENTIALS,
        next_step=CREDENTIALS_NEXT_STEP,
    )


def bypass_proxies_for_loopback(settings, environ=None):
    """Drop proxy variables when the endpoint is loopback.

    The SDK (darabonba-core 1.0.9) reads HTTP_PROXY/HTTPS_PROXY on each request
    and ignores no_proxy, so removing them from this module process is the
    only way to reach a loopback endpoint directly.
    """
    environ = os.environ if environ is None else environ
    if not settings["endpoint"]:
        return
    _protocol, _netloc, host = parse_endpoint(settings["endpoint"])
    if is_loopback(host):
        for name in PROXY_VARS:
            environ.pop(name, None)


class KVStoreClient:
    """An SDK client plus the retry policy; every call returns a plain dict."""

    def __init__(self, sdk_client, models, runtime, policy):
        self._sdk_client = sdk_client
        self._models = models
        self._runtime = runtime
        self.policy = policy
        self.calls = []

    def _invoke(self, action, params, instance_id):
        method = getattr(self._sdk_client, SDK_METHODS[action] + "_with_options")
        request = getattr(self._models, action + "Request")(**params)
        self.calls.append(action)
        try:
            response = method(request, self._runtime)
        except Exception as error:  # noqa: B902 - mapped to KVStoreError
            raise from_sdk_exception(error, action, instance_id) from None
        return response.body.to_map() if response.body is not None else {}

    def read(self, action, params, instance_id=None):
        """Call a read-only action, retrying transient failures."""
        return self.policy.read(lambda: self._invoke(action, params, instance_id))

    def send(self, action, params, instance_id=None):
        """Call a write action once, with no retry.

        Writes are retried only by reconcile.write_and_reconcile, after a
        re-read of the state.
        """
        return self._invoke(action, params, instance_id)


def build_client(settings, environ=None):
    """Build a KVStoreClient from resolved ``settings``."""
    sdk = load_sdk()
    config_args = {
        "connect_timeout": _seconds_to_ms(settings["connect_timeout"] or 10),
        "read_timeout": _seconds_to_ms(settings["read_timeout"] or 30),
        "region_id": settings["region_id"] or None,
    }
    if settings["endpoint"]:
        protocol, netloc, _host = parse_endpoint(settings["endpoint"])
        config_args["endpoint"] = netloc
        config_args["protocol"] = protocol
        bypass_proxies_for_loopback(settings, environ)
    config_args.update(_credentials(settings, sdk))

    try:
        sdk_client = sdk["Client"](sdk["Config"](**config_args))
    except Exception as error:  # noqa: B902 - the SDK raises plain exceptions here
        raise KVStoreError(
            "Creating the API client failed",
            detail=scrub(str(error)),
            kind=KIND_INVALID,
            next_step="Check region_id and endpoint.",
        ) from None

    runtime = sdk["RuntimeOptions"](
        ignore_ssl=not settings["validate_certs"]
        if settings["validate_certs"] is not None
        else False,
        connect_timeout=config_args["connect_timeout"],
        read_timeout=config_args["read_timeout"],
    )
    policy = RetryPolicy(
        retries=settings["api_retries"] if settings["api_retries"] is not None else 8,
        max_delay=settings["api_retry_max_delay"]
        if settings["api_retry_max_delay"] is not None
        else 30,
    )
    return KVStoreClient(sdk_client, sdk["models"], runtime, policy)
