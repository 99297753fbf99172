"""Loading and checking of the state file."""

import copy
import datetime

import yaml

from tests.emulator.defaults import KNOWN_REGIONS, complete_instance

# The libyaml-based loader, where PyYAML has it, parses several times faster
# than the pure Python one; both build only plain YAML types.
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

DEFAULT_SETTINGS = {
    "converting_status": "Changing",
    "global_id_visible": "immediately",
    "maintain_window_in": 600,
    "repeat_create_code": "TaskHasExist",
    "remove_last_child": "delete_gdc",
    "tair_fields": "both",
    "refusal_codes": {
        "not_tair": "InvalidParameter",
        "community": "InvalidParameter",
        "cloud_native": "InvalidParameter",
        "busy": "IncorrectDBInstanceState",
        "already_member": "InvalidParameter",
    },
    "durations": {
        "convert": 120,
        "release_direct_connection": 60,
        "allocate_direct_connection": 60,
        "remove_sub_instance": 60,
    },
}

SETTING_CHOICES = {
    "global_id_visible": ("immediately", "when_done"),
    "remove_last_child": ("delete_gdc", "keep_empty"),
    "tair_fields": ("both", "instance_type_only", "edition_type_only"),
}

# Emulator-only keys of an instance, never returned by the API:
# normal_after turns the instance Normal that many emulated seconds after start.
EMULATOR_KEYS = ("normal_after",)

TOP_LEVEL_KEYS = ("settings", "accounts", "instances", "distributed_instances")


class StateFileError(ValueError):
    """The state file cannot be used; the message names the entry and the fix."""


def load_state_file(path):
    """Read ``path`` and return a checked, defaults-filled state dict."""
    with open(path, encoding="utf-8") as stream:
        document = yaml.load(stream, Loader=YAML_LOADER) or {}
    return parse_state(document)


def parse_state(document):
    """Check a parsed state document and fill in every default."""
    if not isinstance(document, dict):
        raise StateFileError(
            "the state file must contain a mapping of settings, accounts, instances"
        )
    unknown = sorted(set(document) - set(TOP_LEVEL_KEYS))
    if unknown:
        raise StateFileError(
            f"unknown top-level keys {unknown}; expected some of {list(TOP_LEVEL_KEYS)}"
        )

    accounts = [_parse_account(entry) for entry in document.get("accounts") or []]
    if not accounts:
        raise StateFileError(
            "the state file lists no accounts, so no request could authenticate"
        )

    return {
        "settings": parse_settings(document.get("settings") or {}),
        "accounts": accounts,
        "instances": _parse_instances(document.get("instances") or []),
        "distributed_instances": _parse_distributed(
            document.get("distributed_instances") or []
        ),
    }


def parse_settings(raw):
    """Merge ``raw`` settings over the defaults and check every value."""
    settings = copy.deepcopy(DEFAULT_SETTINGS)
    unknown = sorted(set(raw) - set(settings))
    if unknown:
        raise StateFileError(
            f"unknown settings {unknown}; expected some of {sorted(settings)}"
        )

    for key, value in raw.items():
        if isinstance(settings[key], dict):
            _merge_nested_setting(settings, key, value)
        else:
            settings[key] = value

    for key, choices in SETTING_CHOICES.items():
        if settings[key] not in choices:
            raise StateFileError(
                f"invalid value {settings[key]!r} for setting {key}; "
                f"expected one of {list(choices)}"
            )
    for name, seconds in settings["durations"].items():
        if not isinstance(seconds, (int, float)) or seconds < 0:
            raise StateFileError(
                f"durations.{name} must be a number of seconds >= 0, got {seconds!r}"
            )
    if (
        not isinstance(settings["maintain_window_in"], (int, float))
        or settings["maintain_window_in"] < 0
    ):
        raise StateFileError("maintain_window_in must be a number of seconds >= 0")
    return settings


def _merge_nested_setting(settings, key, value):
    if not isinstance(value, dict):
        raise StateFileError(f"setting {key} must be a mapping, got {value!r}")
    unknown = sorted(set(value) - set(settings[key]))
    if unknown:
        raise StateFileError(
            f"unknown keys {unknown} in setting {key}; "
            f"expected some of {sorted(settings[key])}"
        )
    settings[key].update(value)


def _parse_account(entry):
    if (
        not isinstance(entry, dict)
        or not entry.get("access_key_id")
        or not entry.get("access_key_secret")
    ):
        raise StateFileError("every account needs access_key_id and access_key_secret")
    allowed = entry.get("allowed_actions")
    if allowed is not None and not isinstance(allowed, list):
        raise StateFileError(
            f"allowed_actions of {entry['access_key_id']} must be a list of actions"
        )
    account = {
        "access_key_id": str(entry["access_key_id"]),
        "access_key_secret": str(entry["access_key_secret"]),
        "security_token": entry.get("security_token"),
        "token_expires": _parse_time(
            entry.get("token_expires"), entry["access_key_id"]
        ),
        "allowed_actions": entry.get("allowed_actions"),
    }
    return account


def _parse_time(value, access_key_id):
    """Return ``value`` (ISO 8601 text or a YAML timestamp) as an aware UTC datetime."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError as error:
            raise StateFileError(
                f"token_expires of {access_key_id} is not an ISO 8601 time: {value!r}"
            ) from error
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.timezone.utc)
    return value


def _parse_instances(entries):
    instances = {}
    for entry in entries:
        if not isinstance(entry, dict) or not entry.get("InstanceId"):
            raise StateFileError(f"every instance needs an InstanceId, got {entry!r}")
        record = dict(entry)
        emulator_keys = record.pop("emulator", None) or {}
        unknown = sorted(set(emulator_keys) - set(EMULATOR_KEYS))
        if unknown:
            raise StateFileError(
                f"unknown emulator keys {unknown} on {entry['InstanceId']}; "
                f"expected some of {list(EMULATOR_KEYS)}"
            )
        instance = complete_instance(record)
        if instance["InstanceId"] in instances:
            raise StateFileError(f"instance {instance['InstanceId']} is listed twice")
        if instance["RegionId"] not in KNOWN_REGIONS:
            raise StateFileError(
                f"instance {instance['InstanceId']} has an invalid RegionId "
                f"{instance['RegionId']!r}; use one such as cn-hangzhou"
            )
        instances[instance["InstanceId"]] = {
            "record": instance,
            "emulator": emulator_keys,
        }
    return instances


def _parse_distributed(entries):
    """Check the pre-existing distributed instances; the fleet registers them."""
    for entry in entries:
        if not isinstance(entry, dict) or not str(
            entry.get("GlobalInstanceId", "")
        ).startswith("gr-"):
            raise StateFileError(
                "every distributed instance needs a GlobalInstanceId starting "
                f"with gr-, got {entry!r}"
            )
        if not isinstance(entry.get("SubInstances") or [], list):
            raise StateFileError(
                f"SubInstances of {entry['GlobalInstanceId']} must be a list"
            )
    return list(entries)
