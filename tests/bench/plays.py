"""Playbooks and inventories the benchmark generates."""

from __future__ import annotations

from dataclasses import dataclass

from tests.bench.harness import DEFAULT_REGION

ROLE = "alicloud.kvstore.distributed_instance"
MODULE = "alicloud.kvstore.global_distribute_cache"


@dataclass(frozen=True)
class Seed:
    """An instance to convert; the inventory host of the same name converts it."""

    instance_id: str
    region_id: str = DEFAULT_REGION
    release: bool = False


def seed_hosts(seeds: list[Seed]) -> dict[str, dict]:
    """Return inventory hosts named after the seeds, with the seed as host vars."""
    return {
        seed.instance_id: {
            "bench_seed": seed.instance_id,
            "bench_region": seed.region_id,
            "bench_release": seed.release,
        }
        for seed in seeds
    }


def module_plays(wait_timeout: int = 1800) -> list:
    """Return a play that runs the conversion module once on every host."""
    task = {
        "name": "convert",
        MODULE: {
            "seed_sub_instance_id": "{{ bench_seed }}",
            "region_id": "{{ bench_region }}",
            "release_direct_connection": "{{ bench_release | bool }}",
            "wait_timeout": wait_timeout,
        },
    }
    return [
        {
            "name": "Conversion module",
            "hosts": "all",
            "gather_facts": False,
            "tasks": [task],
        }
    ]


def role_plays(wait_timeout: int = 1800) -> list:
    """Return a play that runs the conversion role on every host."""
    role = {
        "role": ROLE,
        "vars": {
            "distributed_instance_seed_sub_instance_id": "{{ bench_seed }}",
            "distributed_instance_region_id": "{{ bench_region }}",
            "distributed_instance_release_direct_connection": (
                "{{ bench_release | bool }}"
            ),
            "distributed_instance_wait_timeout": wait_timeout,
        },
    }
    return [
        {
            "name": "Conversion role",
            "hosts": "all",
            "gather_facts": False,
            "roles": [role],
        }
    ]


def driver_plays(driver: str, wait_timeout: int = 1800) -> list:
    if driver == "module":
        return module_plays(wait_timeout)
    return role_plays(wait_timeout)
