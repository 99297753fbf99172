"""Put the offline get-pip.py stand-in where ansible-test looks for it.

Run with the Python that runs ansible-test. The file name depends on the pip
version that the installed ansible-test bootstraps, so it is read from
ansible-test itself. An existing file is left alone: it is either a real
get-pip.py downloaded earlier or a stand-in from an earlier run.
"""

import os
import shutil
import sys
import types

# NOTE: get_venv_packages is internal to ansible-test (checked with
# ansible-core 2.19.14). If it changes, this script fails with an ImportError
# or a TypeError instead of writing the file under a wrong name.
from ansible_test._internal.python_requirements import get_venv_packages

STANDIN_PATH = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "get_pip_standin.py"
)


def cache_path_for(pip_version):
    file_name = "get_pip_%s.py" % pip_version.replace(".", "_")
    return os.path.expanduser(os.path.join("~", ".ansible", "test", "cache", file_name))


def main():
    python_version = "%d.%d" % sys.version_info[:2]
    pip_version = get_venv_packages(types.SimpleNamespace(version=python_version))[
        "pip"
    ]
    cache_path = cache_path_for(pip_version)

    if os.path.exists(cache_path):
        print(
            "get-pip script for pip %s already present: %s" % (pip_version, cache_path)
        )
        return

    os.makedirs(os.path.dirname(cache_path), exist_ok=True)
    shutil.copyfile(STANDIN_PATH, cache_path)
    print(
        "installed offline get-pip stand-in for pip %s: %s" % (pip_version, cache_path)
    )


if __name__ == "__main__":
    main()
