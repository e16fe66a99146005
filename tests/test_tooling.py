"""The lint tools that pre-commit runs are those that `scripts/dev.sh lint` (and so CI) runs, at the
same versions: .pre-commit-config.yaml against lint-requirements.txt and NODE_LINT_PACKAGES."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _pins():
    python = dict(
        line.split("==")
        for line in (ROOT / "lint-requirements.txt").read_text().splitlines()
        if "==" in line and not line.startswith("#")
    )
    packages = re.search(r"^NODE_LINT_PACKAGES=\((.*)\)$", (ROOT / "scripts" / "dev.sh").read_text(), re.M)
    node = dict(spec.rsplit("@", 1) for spec in packages.group(1).split())
    return python, node


def test_pre_commit_uses_the_pinned_versions():
    python, node = _pins()
    config = (ROOT / ".pre-commit-config.yaml").read_text()
    revs = dict(re.findall(r"- repo: https://github.com/([^/\s]+/[^\s]+)\s+rev: v?(\S+)", config))
    assert revs == {
        "OCA/odoo-pre-commit-hooks": python["oca-odoo-pre-commit-hooks"],
        "pre-commit/pre-commit-hooks": python["pre-commit-hooks"],
        "astral-sh/ruff-pre-commit": python["ruff"],
        "OCA/pylint-odoo": python["pylint-odoo"],
    }
    hook_packages = dict(spec.rsplit("@", 1) for spec in re.findall(r'^\s+- "(\S+@[\d.]+)"$', config, re.M))
    assert hook_packages == node
