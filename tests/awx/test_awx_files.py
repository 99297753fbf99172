"""Consistency checks of the AWX files that no AWX server can run here.

The credential type, its copy in docs/awx.md, the survey of the AWX-as-code
playbook and the extra vars of alicloud.kvstore.convert must agree with one
another.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
CREDENTIAL_TYPE = REPO_ROOT / "extensions/awx/credential_type.yml"
CONFIGURE_AWX = REPO_ROOT / "examples/awx/configure_awx.yml"
CONVERT_PLAYBOOK = REPO_ROOT / "playbooks/convert.yml"
AWX_DOC = REPO_ROOT / "docs/awx.md"

INJECTED_ENV = {
    "ALIBABA_CLOUD_ACCESS_KEY_ID": "access_key_id",
    "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "access_key_secret",
    "ALIBABA_CLOUD_SECURITY_TOKEN": "security_token",
    "ALIBABA_CLOUD_REGION_ID": "region_id",
    "ALIBABA_CLOUD_KVSTORE_ENDPOINT": "endpoint",
}
EXTRA_VARS = {
    "seed_sub_instance_id",
    "region_id",
    "release_direct_connection",
    "effective_time",
    "wait_timeout",
}


class AnsibleYamlLoader(yaml.SafeLoader):
    """Safe loader that reads Ansible's !unsafe tag as a plain string."""


AnsibleYamlLoader.add_constructor(
    "!unsafe", lambda loader, node: loader.construct_scalar(node)
)


def load_yaml(path):
    return yaml.load(path.read_text(), Loader=AnsibleYamlLoader)


def job_template_task():
    play = load_yaml(CONFIGURE_AWX)[0]
    tasks = [task for task in play["tasks"] if "awx.awx.job_template" in task]
    assert len(tasks) == 1
    return tasks[0]["awx.awx.job_template"]


def test_credential_type_injects_environment_only():
    credential_type = load_yaml(CREDENTIAL_TYPE)
    assert set(credential_type["injectors"]) == {"env"}
    assert credential_type["injectors"]["env"] == {
        name: "{{ %s }}" % field for name, field in INJECTED_ENV.items()
    }


def test_credential_type_fields():
    fields = {
        field["id"]: field for field in load_yaml(CREDENTIAL_TYPE)["inputs"]["fields"]
    }
    assert set(fields) == set(INJECTED_ENV.values())
    secret = {name for name, field in fields.items() if field.get("secret")}
    assert secret == {"access_key_secret", "security_token"}
    required = load_yaml(CREDENTIAL_TYPE)["inputs"]["required"]
    assert required == ["access_key_id", "access_key_secret"]


def test_credential_type_doc_matches_file():
    credential_type = load_yaml(CREDENTIAL_TYPE)
    blocks = re.findall(r"```yaml\n(.*?)```", AWX_DOC.read_text(), re.DOTALL)
    documented = [yaml.safe_load(block) for block in blocks]
    assert credential_type["inputs"] in documented
    assert credential_type["injectors"] in documented


def test_convert_playbook_extra_vars():
    roles = load_yaml(CONVERT_PLAYBOOK)[0]["roles"]
    role_vars = " ".join(
        str(value) for role in roles for value in role["vars"].values()
    )
    referenced = set(re.findall(r"\{\{\s*([a-z_]+)", role_vars))
    assert referenced == EXTRA_VARS


def test_survey_covers_extra_vars():
    survey = job_template_task()["survey_spec"]["spec"]
    variables = [question["variable"] for question in survey]
    assert sorted(variables) == sorted(EXTRA_VARS)
    required = {question["variable"] for question in survey if question["required"]}
    assert "seed_sub_instance_id" in required


SURVEY_TYPES = {
    "text",
    "textarea",
    "password",
    "integer",
    "float",
    "multiplechoice",
    "multiselect",
}


def test_survey_questions_valid():
    survey = job_template_task()["survey_spec"]
    assert survey["name"]
    assert "description" in survey
    for question in survey["spec"]:
        assert question["type"] in SURVEY_TYPES, question["variable"]
        assert question["question_name"], question["variable"]
        if question["type"] == "multiplechoice":
            assert question["default"] in question["choices"], question["variable"]
            assert all(isinstance(choice, str) for choice in question["choices"])
        if question["type"] == "integer":
            assert question["min"] <= question["default"] <= question["max"], question[
                "variable"
            ]


def test_job_template_settings():
    template = job_template_task()
    assert template["playbook"] == "convert.yml"
    assert (REPO_ROOT / "examples/awx_project" / template["playbook"]).is_file()
    assert template["use_fact_cache"] is True
    assert template["ask_job_type_on_launch"] is True
    assert template["survey_enabled"] is True


@pytest.fixture(scope="module")
def loaded_credential_type(tmp_path_factory):
    """Return the credential type as configure_awx.yml's variables load it."""
    work_dir = tmp_path_factory.mktemp("credential_type")
    play_vars = load_yaml(CONFIGURE_AWX)[0]["vars"]
    play_vars["awx_credential_type_file"] = str(CREDENTIAL_TYPE)
    output = work_dir / "credential_type.json"
    playbook = [
        {
            "name": "Load the credential type as configure_awx.yml does",
            "hosts": "localhost",
            "gather_facts": False,
            "vars": play_vars,
            "tasks": [
                {
                    "name": "Write it out",
                    "ansible.builtin.copy": {
                        "content": "{{ awx_credential_type | to_json }}",
                        "dest": str(output),
                        "mode": "0600",
                    },
                }
            ],
        }
    ]
    playbook_path = work_dir / "load.yml"
    playbook_path.write_text(yaml.safe_dump(playbook))
    env = dict(os.environ, HOME=str(work_dir), ANSIBLE_LOCALHOST_WARNING="false")
    subprocess.run(
        [Path(sys.executable).parent / "ansible-playbook", playbook_path],
        env=env,
        check=True,
        capture_output=True,
    )
    return json.loads(output.read_text())


def test_configure_awx_keeps_injectors_literal(loaded_credential_type):
    # awx.awx must receive "{{ access_key_id }}" for AWX to fill in, not a
    # value templated by the playbook that creates the credential type.
    assert (
        loaded_credential_type["injectors"] == load_yaml(CREDENTIAL_TYPE)["injectors"]
    )
