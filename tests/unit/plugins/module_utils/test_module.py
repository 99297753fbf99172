# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import yaml
from ansible_collections.alicloud.kvstore.plugins.doc_fragments.common import (
    ModuleDocFragment,
)
from ansible_collections.alicloud.kvstore.plugins.module_utils.module import (
    common_argument_spec,
)

SECRETS = ("access_key_secret", "security_token")


def test_fragment_documents_every_common_option():
    documented = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)["options"]
    spec = common_argument_spec()
    assert sorted(documented) == sorted(spec)
    for name, option in spec.items():
        assert documented[name]["type"] == option["type"], name
        assert documented[name].get("default") == option.get("default"), name
        assert documented[name].get("aliases", []) == option.get("aliases", []), name


def test_secrets_are_no_log():
    spec = common_argument_spec()
    for name in SECRETS:
        assert spec[name]["no_log"] is True


def test_no_env_fallback_in_spec():
    # The environment is read in client.resolve_settings, where the precedence
    # between the ALIBABA_CLOUD_* and ALICLOUD_* families is applied.
    for option in common_argument_spec().values():
        assert "fallback" not in option
