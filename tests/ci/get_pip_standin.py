"""Install pip into a new virtual environment without downloading get-pip.py.

ansible-test bootstraps pip in each virtual environment it creates by running
~/.ansible/test/cache/get_pip_<version>.py with pip install arguments, for
example ``--disable-pip-version-check pip==24.2 --no-setuptools --no-wheel``.
It downloads the real get-pip.py only when that file is missing, and the host
it downloads from is not reachable from machines without general internet
access. A copy of this file at that path makes the bootstrap work offline:
pip comes from the wheel bundled with the interpreter (ensurepip), and that
pip then installs the requested packages from the configured package index.
"""

import os
import subprocess
import sys

# get-pip.py options that `pip install` does not accept. `pip install` never
# adds setuptools or wheel on its own, so dropping them keeps the result.
GET_PIP_ONLY_OPTIONS = ("--no-setuptools", "--no-wheel")


def main():
    # ensurepip removes every PIP_* variable and sets PIP_CONFIG_FILE=/dev/null
    # in the process that runs it (CPython 3.11 ensurepip/__init__.py). It runs
    # in a child process here, and the pip run gets this copy of the
    # environment, so the machine's index and certificate settings still apply.
    pip_environment = dict(os.environ)

    bootstrap = subprocess.run(
        [sys.executable, "-m", "ensurepip", "--default-pip"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=dict(pip_environment),
        check=False,
    )

    if bootstrap.returncode != 0:
        sys.stdout.write(bootstrap.stdout.decode("utf-8", "replace"))
        sys.exit("ensurepip failed with exit code %d" % bootstrap.returncode)

    install_arguments = [
        argument for argument in sys.argv[1:] if argument not in GET_PIP_ONLY_OPTIONS
    ]

    if not install_arguments:
        return

    command = [sys.executable, "-m", "pip", "install"] + install_arguments
    sys.exit(subprocess.call(command, env=pip_environment))


if __name__ == "__main__":
    main()
