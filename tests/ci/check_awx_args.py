"""Check the awx.awx task arguments of examples/awx/configure_awx.yml.

ansible-lint's args rule cannot validate awx.awx modules: they subclass
AnsibleModule at import time, so its mock never applies and their main()
tries to reach an AWX server. This script compares every awx.awx task with
the module's documented options instead (names, aliases and the choices of
literal values). Run it with the Python of a virtualenv that has awx.awx, for
example .venv-awx/bin/python tests/ci/check_awx_args.py.
"""

import json
import subprocess
import sys
from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
PLAYBOOK = REPO_ROOT / "examples/awx/configure_awx.yml"
ANSIBLE_DOC = Path(sys.executable).parent / "ansible-doc"
TASK_KEYWORDS = {"name", "when", "no_log", "register", "tags", "vars", "changed_when"}


class AnsibleYamlLoader(yaml.SafeLoader):
    """Safe loader that reads Ansible's !unsafe tag as a plain string."""


AnsibleYamlLoader.add_constructor(
    "!unsafe", lambda loader, node: loader.construct_scalar(node)
)


def module_options(module):
    output = subprocess.run(
        [str(ANSIBLE_DOC), "--json", module], capture_output=True, text=True, check=True
    ).stdout
    return json.loads(output)[module]["doc"]["options"]


def check_task(task, errors):
    modules = [key for key in task if key.startswith("awx.awx.")]
    if not modules:
        return 0
    module = modules[0]
    options = module_options(module)
    names = {}
    for option, spec in options.items():
        for name in [option] + list(spec.get("aliases") or []):
            names[name] = spec

    for argument, value in task[module].items():
        spec = names.get(argument)
        if spec is None:
            errors.append(f"{task['name']}: {module} has no option {argument}")
            continue
        choices = spec.get("choices")
        literal = isinstance(value, (str, bool, int)) and "{{" not in str(value)
        if choices and literal and value not in choices:
            errors.append(
                f"{task['name']}: {argument}={value!r} is not one of {choices}"
            )

    unknown_keywords = set(task) - TASK_KEYWORDS - {module}
    if unknown_keywords:
        errors.append(
            f"{task['name']}: unexpected task keys {sorted(unknown_keywords)}"
        )
    return 1


def main():
    play = yaml.load(PLAYBOOK.read_text(), Loader=AnsibleYamlLoader)[0]
    errors = []
    checked = sum(check_task(task, errors) for task in play["tasks"])
    for error in errors:
        print(error)
    print(f"awx.awx arguments: {checked} tasks checked, {len(errors)} errors")
    return 1 if errors or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
