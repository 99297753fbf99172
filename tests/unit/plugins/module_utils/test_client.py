# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest
from ansible_collections.alicloud.kvstore.plugins.module_utils import (
    client as client_utils,
)
from ansible_collections.alicloud.kvstore.plugins.module_utils.client import (
    bypass_proxies_for_loopback,
    is_loopback,
    parse_endpoint,
    resolve_settings,
    validate_settings,
)
from ansible_collections.alicloud.kvstore.plugins.module_utils.errors import (
    KVStoreError,
)


def params(**values):
    base = dict(
        access_key_id=None,
        access_key_secret=None,
        security_token=None,
        region_id=None,
        profile=None,
        endpoint=None,
        validate_certs=True,
        connect_timeout=10,
        read_timeout=30,
        api_retries=8,
        api_retry_max_delay=30,
    )
    base.update(values)
    return base


def test_option_beats_both_env_families():
    env = {"ALIBABA_CLOUD_ACCESS_KEY_ID": "env-new", "ALICLOUD_ACCESS_KEY": "env-old"}
    settings = resolve_settings(params(access_key_id="opt"), env)
    assert settings["access_key_id"] == "opt"
    assert settings["sources"]["access_key_id"] == "option"


def test_alibaba_cloud_env_beats_alicloud_env():
    env = {
        "ALIBABA_CLOUD_ACCESS_KEY_ID": "new-id",
        "ALICLOUD_ACCESS_KEY": "old-id",
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "new-secret",
        "ALICLOUD_SECRET_KEY": "old-secret",
    }
    settings = resolve_settings(params(), env)
    assert settings["access_key_id"] == "new-id"
    assert settings["access_key_secret"] == "new-secret"


def test_alicloud_env_used_when_alone():
    env = {"ALICLOUD_ACCESS_KEY": "old-id", "ALICLOUD_SECRET_KEY": "old-secret"}
    settings = resolve_settings(params(), env)
    assert settings["access_key_id"] == "old-id"
    assert settings["access_key_secret"] == "old-secret"


@pytest.mark.parametrize(
    "env, expected",
    [
        (
            {
                "ALIBABA_CLOUD_REGION_ID": "a",
                "ALIBABA_CLOUD_REGION": "b",
                "ALICLOUD_REGION": "c",
            },
            "a",
        ),
        (
            {
                "ALIBABA_CLOUD_REGION": "b",
                "ALICLOUD_REGION": "c",
                "ALICLOUD_REGION_ID": "d",
            },
            "b",
        ),
        ({"ALICLOUD_REGION": "c", "ALICLOUD_REGION_ID": "d"}, "c"),
        ({"ALICLOUD_REGION_ID": "d"}, "d"),
        ({}, None),
    ],
)
def test_region_env_order(env, expected):
    assert resolve_settings(params(), env)["region_id"] == expected


def test_region_option_beats_env():
    env = {"ALIBABA_CLOUD_REGION_ID": "cn-beijing"}
    assert (
        resolve_settings(params(region_id="cn-hangzhou"), env)["region_id"]
        == "cn-hangzhou"
    )


def test_endpoint_and_profile_from_env():
    env = {
        "ALIBABA_CLOUD_KVSTORE_ENDPOINT": "http://127.0.0.1:9",
        "ALIBABA_CLOUD_PROFILE": "p",
    }
    settings = resolve_settings(params(), env)
    assert settings["endpoint"] == "http://127.0.0.1:9"
    assert settings["profile"] == "p"


def test_env_token_ignored_for_explicit_key():
    env = {"ALIBABA_CLOUD_SECURITY_TOKEN": "stale-token"}
    settings = resolve_settings(params(access_key_id="id", access_key_secret="s"), env)
    assert settings["security_token"] is None


def test_env_token_follows_key_family():
    env = {
        "ALICLOUD_ACCESS_KEY": "old-id",
        "ALICLOUD_SECRET_KEY": "old-secret",
        "ALIBABA_CLOUD_SECURITY_TOKEN": "other-family",
        "ALICLOUD_SECURITY_TOKEN": "same-family",
    }
    assert resolve_settings(params(), env)["security_token"] == "same-family"


def test_explicit_token_always_used():
    env = {"ALIBABA_CLOUD_ACCESS_KEY_ID": "id", "ALIBABA_CLOUD_SECURITY_TOKEN": "env"}
    assert (
        resolve_settings(params(security_token="opt"), env)["security_token"] == "opt"
    )


@pytest.mark.parametrize(
    "value, expected",
    [
        ("http://127.0.0.1:8080", ("http", "127.0.0.1:8080", "127.0.0.1")),
        (
            "https://r-kvstore.aliyuncs.com",
            ("https", "r-kvstore.aliyuncs.com", "r-kvstore.aliyuncs.com"),
        ),
        (
            "r-kvstore.aliyuncs.com",
            ("https", "r-kvstore.aliyuncs.com", "r-kvstore.aliyuncs.com"),
        ),
        ("localhost:9000", ("https", "localhost:9000", "localhost")),
        ("http://[::1]:8080/", ("http", "[::1]:8080", "::1")),
    ],
)
def test_parse_endpoint(value, expected):
    assert parse_endpoint(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "ftp://host",
        "http://host/path",
        "http://host:80/?Signature=x",
        "http://user:pw@host",
        "",
    ],
)
def test_parse_endpoint_rejects(value):
    with pytest.raises(KVStoreError) as caught:
        parse_endpoint(value)
    assert "Signature" not in str(caught.value)


def test_loopback_detection():
    assert is_loopback("127.0.0.1")
    assert is_loopback("::1")
    assert is_loopback("localhost")
    assert not is_loopback("10.0.0.1")
    assert not is_loopback("r-kvstore.aliyuncs.com")


def test_plain_http_to_remote_host_warns():
    settings = resolve_settings(params(endpoint="http://example.invalid:80"), {})
    warnings = validate_settings(settings)
    assert len(warnings) == 1
    assert "plain HTTP" in warnings[0]


def test_plain_http_to_loopback_does_not_warn():
    settings = resolve_settings(params(endpoint="http://127.0.0.1:8080"), {})
    assert validate_settings(settings) == []


def test_no_region_and_no_endpoint_rejected():
    with pytest.raises(KVStoreError) as caught:
        validate_settings(resolve_settings(params(), {}))
    assert "region_id" in str(caught.value)


def test_key_without_secret_rejected():
    settings = resolve_settings(params(region_id="cn-hangzhou", access_key_id="id"), {})
    with pytest.raises(KVStoreError) as caught:
        validate_settings(settings)
    assert "access_key_secret is missing" in str(caught.value)


@pytest.mark.parametrize("name", ["connect_timeout", "read_timeout"])
def test_non_positive_timeouts_rejected(name):
    settings = resolve_settings(params(region_id="r", **{name: 0}), {})
    with pytest.raises(KVStoreError):
        validate_settings(settings)


def test_loopback_drops_proxy_variables():
    env = {
        "HTTP_PROXY": "http://proxy:3128",
        "https_proxy": "http://proxy:3128",
        "HOME": "/h",
    }
    bypass_proxies_for_loopback({"endpoint": "http://127.0.0.1:8080"}, env)
    assert env == {"HOME": "/h"}


def test_remote_endpoint_keeps_proxy_variables():
    env = {"HTTPS_PROXY": "http://proxy:3128"}
    bypass_proxies_for_loopback({"endpoint": "r-kvstore.aliyuncs.com"}, env)
    assert env == {"HTTPS_PROXY": "http://proxy:3128"}


class Recorder:
    """Records the arguments of the SDK classes that build_client instantiates."""

    def __init__(self):
        self.config = None
        self.runtime = None

    def sdk(self):
        recorder = self

        class Config:
            def __init__(self, **kwargs):
                recorder.config = kwargs

        class Client:
            def __init__(self, config):
                self.config = config

        class RuntimeOptions:
            def __init__(self, **kwargs):
                recorder.runtime = kwargs

        class FailingProvider:
            def __init__(self, **kwargs):
                pass

            def get_credentials(self):
                raise RuntimeError("no credentials here")

        return dict(
            Client=Client,
            Config=Config,
            RuntimeOptions=RuntimeOptions,
            models=object(),
            CredentialsClient=None,
            DefaultProvider=FailingProvider,
            CLIProfileProvider=FailingProvider,
            ProfileProvider=FailingProvider,
        )


def test_build_client_converts_timeouts_and_endpoint(monkeypatch):
    recorder = Recorder()
    monkeypatch.setattr(client_utils, "load_sdk", recorder.sdk)
    settings = resolve_settings(
        params(
            endpoint="http://127.0.0.1:8080",
            access_key_id="id",
            access_key_secret="secret",
            connect_timeout=2.5,
            read_timeout=7,
            validate_certs=False,
        ),
        {},
    )
    built = client_utils.build_client(settings, environ={})
    assert recorder.config["endpoint"] == "127.0.0.1:8080"
    assert recorder.config["protocol"] == "http"
    assert recorder.config["connect_timeout"] == 2500
    assert recorder.config["read_timeout"] == 7000
    assert recorder.config["access_key_id"] == "id"
    assert recorder.runtime["ignore_ssl"] is True
    assert built.policy.retries == 8


def test_build_client_lists_sources_when_chain_fails(monkeypatch):
    recorder = Recorder()
    monkeypatch.setattr(client_utils, "load_sdk", recorder.sdk)
    settings = resolve_settings(params(region_id="cn-hangzhou"), {})
    with pytest.raises(KVStoreError) as caught:
        client_utils.build_client(settings, environ={})
    message = str(caught.value)
    assert "No credentials were found" in message
    assert "ALIBABA_CLOUD_ACCESS_KEY_ID" in message
    assert "ALICLOUD_ACCESS_KEY" in message
    assert "SDK default chain" in message


def test_build_client_profile_tries_both_files(monkeypatch):
    recorder = Recorder()
    monkeypatch.setattr(client_utils, "load_sdk", recorder.sdk)
    settings = resolve_settings(params(region_id="cn-hangzhou", profile="ops"), {})
    with pytest.raises(KVStoreError) as caught:
        client_utils.build_client(settings, environ={})
    assert "profile ops" in str(caught.value)
    assert str(caught.value).count("FailingProvider") == 2
