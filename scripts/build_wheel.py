"""Build the wheel odoo-addon-simotel_connector of this checkout into a directory.

    python scripts/build_wheel.py DIST_DIR

whool (the build backend of pyproject.toml) names the package after the addon's directory, so the
files of the checkout that git knows (committed or not, ignored ones excepted) are copied into a
temporary directory named ``simotel_connector`` and built there: the checkout's own directory name
does not matter. The Python running this script needs whool and wheel (test-requirements.txt);
nothing is downloaded. Prints the path of the wheel.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ADDON = "simotel_connector"
REPO = Path(__file__).resolve().parent.parent


def tracked_files(repo):
    """Files of the checkout that git knows or would add (not ignored ones), relative to ``repo``."""
    output = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=repo,
        check=True,
        capture_output=True,
    ).stdout
    return [name for name in output.decode().split("\0") if name and (repo / name).is_file()]


def build(dist_dir):
    dist_dir = Path(dist_dir).resolve()
    dist_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="simotel-wheel-") as tmp:
        staging = Path(tmp) / ADDON
        for name in tracked_files(REPO):
            target = staging / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, target)
        # The PEP 517 hook of the backend pyproject.toml names, as `pip wheel --no-build-isolation` calls it
        # (without pip's resolver, which reads every distribution of the virtualenv).
        backend = tomllib.loads((staging / "pyproject.toml").read_text())["build-system"]["build-backend"]
        name = subprocess.run(
            [
                sys.executable,
                "-c",
                "import importlib, sys; print(importlib.import_module(sys.argv[1]).build_wheel(sys.argv[2]))",
            ]
            + [backend, str(dist_dir)],
            check=True,
            capture_output=True,
            text=True,
            cwd=staging,
            # outside any git work tree, so that whool packs the copied files as they are
            env=dict(os.environ, GIT_CEILING_DIRECTORIES=tmp),
        ).stdout.split()[-1]
    return dist_dir / name


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    print(build(sys.argv[1]))
