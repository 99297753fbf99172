#!/usr/bin/env bash
# Check the generated docs and the changelog: docs/reference/ matches the
# plugin and role docs (tests/ci/module_docs.py --check), the changelog
# fragments and changelogs/changelog.yaml pass antsibull-changelog's linters.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

make_work_dir
isolate_environment
cd "$REPO_ROOT"

"$VENV_PYTHON" tests/ci/module_docs.py --check
"$VENV/bin/antsibull-changelog" lint
"$VENV/bin/antsibull-changelog" lint-changelog-yaml changelogs/changelog.yaml
log "changelog fragments and changelogs/changelog.yaml are valid"
echo "docs: 3 passed, 0 failed"
