"""Summarize the JUnit files that `ansible-test sanity --junit` wrote.

Usage: python sanity_summary.py JUNIT_DIR

Prints one line per outcome: the tests that ran, those with no applicable
files, those that ansible-test skipped for a reason (for example a missing
tool), and the failures. Exits 1 when no result file is found, because then
the sanity stage checked nothing.
"""

import glob
import os
import sys
from xml.etree import ElementTree

NOT_APPLICABLE = "No tests applicable."


def read_results(junit_dir):
    """Return (name, outcome, detail) for every sanity test case found."""
    results = []

    for path in sorted(glob.glob(os.path.join(junit_dir, "ansible-test-sanity-*.xml"))):
        for case in ElementTree.parse(path).getroot().iter("testcase"):
            skipped = case.find("skipped")
            failures = case.findall("failure") + case.findall("error")

            if failures:
                results.append(
                    (case.get("name"), "failed", failures[0].get("message", ""))
                )
            elif skipped is not None and (skipped.text or "").strip() == NOT_APPLICABLE:
                results.append((case.get("name"), "not applicable", ""))
            elif skipped is not None:
                results.append(
                    (case.get("name"), "skipped", (skipped.text or "").strip())
                )
            else:
                results.append((case.get("name"), "passed", ""))

    return results


def main():
    results = read_results(sys.argv[1])

    if not results:
        print("sanity summary: no JUnit results found in %s" % sys.argv[1])
        sys.exit(1)

    for outcome in ("passed", "not applicable", "skipped", "failed"):
        names = [name for name, result, _detail in results if result == outcome]

        if names:
            print("sanity %s (%d): %s" % (outcome, len(names), ", ".join(names)))

    for name, outcome, detail in results:
        if outcome == "skipped":
            print("WARNING: sanity test %s did not run: %s" % (name, detail))


if __name__ == "__main__":
    main()
