#!/usr/bin/env bash
# Check the example execution environment: `ansible-builder create` writes a
# build context from examples/ee/execution-environment.yml and the freshly
# built tarball (no container engine is needed for that step), and
# `ansible-builder introspect` finds the SDK requirements through the
# installed collection's meta/execution-environment.yml.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

make_work_dir
isolate_environment

# The definition expects the tarball beside it; work on a copy so the source
# tree stays clean.
ee_dir="$WORK_DIR/ee"
cp -r "$REPO_ROOT/examples/ee" "$ee_dir"
tarball="$(build_collection "$ee_dir")"
tarball_name="$(basename "$tarball")"

version="$("$VENV_PYTHON" -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["version"])' "$REPO_ROOT/galaxy.yml")"
grep -q "collections/alicloud-kvstore-$version.tar.gz" "$ee_dir/requirements.yml" ||
    die "examples/ee/requirements.yml does not name alicloud-kvstore-$version.tar.gz (galaxy.yml version $version)"

context="$WORK_DIR/context"
"$VENV/bin/ansible-builder" create -f "$ee_dir/execution-environment.yml" -c "$context" \
    --output-filename Containerfile -v 1 >&2

containerfile="$context/Containerfile"
[[ -f "$containerfile" ]] || die "no Containerfile in the build context"
[[ -f "$context/_build/requirements.yml" ]] || die "no _build/requirements.yml in the build context"
[[ -f "$context/_build/collections/$tarball_name" ]] || die "the build context lacks _build/collections/$tarball_name"
for step in 'EE_BASE_IMAGE="quay.io/centos/centos:stream9"' 'ansible-galaxy collection install' \
    'ansible-core==2.18.19' 'ansible-runner==2.4.3'; do
    grep -qF "$step" "$containerfile" || die "the Containerfile has no line with '$step'"
done
log "build context: $(find "$context" -type f | wc -l) files"

# Repeat the galaxy stage of the Containerfile: ansible-galaxy runs in the
# context's _build folder (/build in the image) with its requirements.yml.
(cd "$context/_build" && ANSIBLE_GALAXY_DISABLE_GPG_VERIFY=1 ANSIBLE_COLLECTIONS_PATH="$WORK_DIR/collections" "$VENV/bin/ansible-galaxy" collection install \
    --offline -r requirements.yml --collections-path "$WORK_DIR/collections" >&2)
[[ -f "$WORK_DIR/collections/ansible_collections/alicloud/kvstore/MANIFEST.json" ]] ||
    die "the galaxy stage's requirements.yml did not install alicloud.kvstore"

# Repeat the builder stage's introspection: it finds the SDK requirements
# through the installed collection's meta/execution-environment.yml.
"$VENV/bin/ansible-builder" introspect --sanitize "$WORK_DIR/collections" >"$WORK_DIR/introspect.yml"
for requirement in alibabacloud-r-kvstore20150101 alibabacloud-tea-openapi; do
    grep -q "$requirement" "$WORK_DIR/introspect.yml" ||
        die "ansible-builder introspect does not list $requirement"
done
log "introspect lists the SDK requirements"
echo "ee-create: 4 passed, 0 failed"
