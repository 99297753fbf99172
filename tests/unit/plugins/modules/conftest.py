# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Fixtures for the module unit tests: a fake cloud and a fake clock."""

from __future__ import annotations

import pytest
from ansible_collections.alicloud.kvstore.plugins.module_utils import (
    instance as instance_utils,
)
from ansible_collections.alicloud.kvstore.plugins.module_utils import (
    waiter as waiter_utils,
)
from ansible_collections.alicloud.kvstore.tests.unit.plugins.modules.fake_kvstore import (  # noqa: E501
    FakeCloud,
    FakeTime,
)


@pytest.fixture
def cloud():
    return FakeCloud()


@pytest.fixture(autouse=True)
def fake_time(monkeypatch):
    clock = FakeTime()
    monkeypatch.setattr(waiter_utils, "time", clock)
    monkeypatch.setattr(instance_utils, "time", clock)
    return clock
