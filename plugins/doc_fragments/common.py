# -*- coding: utf-8 -*-
# Copyright: alicloud.kvstore contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment:
    # Connection, credential and retry options shared by every module.
    DOCUMENTATION = r"""
options:
  access_key_id:
    description:
      - Alibaba Cloud AccessKey ID.
      - When not set, the value of E(ALIBABA_CLOUD_ACCESS_KEY_ID) is used, then
        E(ALICLOUD_ACCESS_KEY).
      - When no key is set anywhere, the credentials come from O(profile) or from the
        SDK default credential chain (CLI profile, credentials file, OIDC, ECS RAM role,
        credentials URI).
    type: str
    aliases: [alicloud_access_key]
  access_key_secret:
    description:
      - Alibaba Cloud AccessKey secret.
      - When not set, the value of E(ALIBABA_CLOUD_ACCESS_KEY_SECRET) is used, then
        E(ALICLOUD_SECRET_KEY).
      - Prefer the environment or a vaulted variable; with E(ANSIBLE_DEBUG=1),
        ansible-core prints the raw module arguments, secrets included.
    type: str
    aliases: [alicloud_secret_key]
  security_token:
    description:
      - STS security token, for temporary credentials.
      - When not set, the token is read from E(ALIBABA_CLOUD_SECURITY_TOKEN) or
        E(ALICLOUD_SECURITY_TOKEN), from the same variable family that supplied
        O(access_key_id). A token in the environment is ignored when O(access_key_id) is
        given as an option.
    type: str
    aliases: [alicloud_security_token]
  region_id:
    description:
      - Region of the instances, for example V(cn-hangzhou).
      - When not set, the value of E(ALIBABA_CLOUD_REGION_ID), E(ALIBABA_CLOUD_REGION),
        E(ALICLOUD_REGION) or E(ALICLOUD_REGION_ID) is used, in that order.
      - Selects the regional API endpoint when O(endpoint) is not set, so one of the two
        is required.
      - Modules that act on an instance compare it with the instance's region and reject
        a mismatch.
    type: str
    aliases: [alicloud_region]
  profile:
    description:
      - Name of a profile in the Alibaba Cloud CLI configuration
        (C(~/.aliyun/config.json)) or in the SDK credentials file
        (C(~/.alibabacloud/credentials.ini)).
      - Used only when no AccessKey is set. When not set, the value of
        E(ALIBABA_CLOUD_PROFILE) is used.
    type: str
  endpoint:
    description:
      - API endpoint, either a URL such as V(http://127.0.0.1:8080) or a bare host such
        as V(r-kvstore.aliyuncs.com). The URL scheme selects HTTP or HTTPS; a bare host
        uses HTTPS.
      - When not set, the value of E(ALIBABA_CLOUD_KVSTORE_ENDPOINT) is used, and
        without it the endpoint follows from O(region_id).
      - Loopback endpoints bypass any proxy set in the environment. Plain HTTP to any
        other host triggers a warning.
    type: str
  validate_certs:
    description:
      - Whether to verify the TLS certificate of an HTTPS endpoint.
    type: bool
    default: true
  connect_timeout:
    description:
      - Seconds to wait for the TCP connection to the API.
    type: float
    default: 10
  read_timeout:
    description:
      - Seconds to wait for an API response.
    type: float
    default: 30
  api_retries:
    description:
      - Maximum number of retries of one API call after its first attempt.
      - Read calls are retried on throttling, server errors (5xx), connection errors and
        timeouts. Write calls are retried only on throttling and C(SignatureNonceUsed),
        which show that nothing was applied, and only when a fresh read shows the write
        is still needed.
      - Delays grow exponentially from one second with random jitter.
    type: int
    default: 8
  api_retry_max_delay:
    description:
      - Maximum delay, in seconds, before any single retry.
    type: float
    default: 30
requirements:
  - python >= 3.8
  - alibabacloud-r-kvstore20150101 >= 7.0.0
  - alibabacloud-tea-openapi >= 0.4.6
"""
