# -*- coding: utf-8 -*-
# Copyright: alicloud.kvstore contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""AnsibleModule wrapper shared by every module of the collection."""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible_collections.alicloud.kvstore.plugins.module_utils.client import (
    SDK_PACKAGE,
    build_client,
    resolve_settings,
    validate_settings,
)


def common_argument_spec():
    """Return the options of the alicloud.kvstore.common documentation fragment.

    The environment fallbacks are applied in client.resolve_settings, because
    the precedence across the ALIBABA_CLOUD_* and ALICLOUD_* families cannot be
    expressed with env_fallback.
    """
    return dict(
        access_key_id=dict(type="str", aliases=["alicloud_access_key"], no_log=False),
        access_key_secret=dict(
            type="str", aliases=["alicloud_secret_key"], no_log=True
        ),
        security_token=dict(
            type="str", aliases=["alicloud_security_token"], no_log=True
        ),
        region_id=dict(type="str", aliases=["alicloud_region"]),
        profile=dict(type="str"),
        endpoint=dict(type="str"),
        validate_certs=dict(type="bool", default=True),
        connect_timeout=dict(type="float", default=10),
        read_timeout=dict(type="float", default=30),
        api_retries=dict(type="int", default=8),
        api_retry_max_delay=dict(type="float", default=30),
    )


class KVStoreModule:
    """An AnsibleModule with the common options, a lazy API client and a fail helper."""

    def __init__(self, argument_spec, **kwargs):
        spec = common_argument_spec()
        spec.update(argument_spec)
        self.module = AnsibleModule(argument_spec=spec, **kwargs)
        self.params = self.module.params
        self.check_mode = self.module.check_mode
        self.diff_mode = self.module._diff
        self._client = None
        self._settings = None

    @property
    def settings(self):
        """Connection settings resolved from options and environment."""
        if self._settings is None:
            self._settings = resolve_settings(self.params)
            # Secrets read from the environment are not module options, so
            # register them for masking in results and error messages.
            for name in ("access_key_secret", "security_token"):
                if self._settings[name]:
                    self.module.no_log_values.add(self._settings[name])
        return self._settings

    @property
    def region_id(self):
        """The region from region_id or the environment, or None when unset."""
        return self.settings["region_id"]

    @property
    def client(self):
        """The API client, built on first use; fails the task if the SDK is missing."""
        if self._client is None:
            for warning in validate_settings(self.settings):
                self.warn(warning)
            try:
                self._client = build_client(self.settings)
            except ImportError:
                self.module.fail_json(
                    msg=missing_required_lib(SDK_PACKAGE),
                    exception=traceback.format_exc(),
                )
        return self._client

    def warn(self, message):
        self.module.warn(message)

    def exit_json(self, **result):
        self.module.exit_json(**result)

    def fail(self, message, **result):
        self.module.fail_json(msg=message, **result)

    def fail_error(self, error, **result):
        """Fail the task with the message and the fields of a KVStoreError."""
        result.update(error.to_result())
        self.module.fail_json(msg=str(error), **result)
