"""The addon as a Python package: the wheel builds, installs into a fresh virtualenv, and Odoo finds
and imports the addon there without an addons path pointing at the checkout.

A plain pytest test (it runs no Odoo code in this process): it builds with ``scripts/build_wheel.py``,
offline, and drives a fresh virtualenv that sees Odoo's source and its dependencies through a
``.pth`` file, as a server where Odoo is installed from source would.
"""

import ast
import json
import subprocess
import sys
import sysconfig
import time
import zipfile
from pathlib import Path

ADDON_DIR = Path(__file__).resolve().parent.parent
ODOO_SRC = Path(sys.modules["odoo"].__file__).resolve().parent.parent if "odoo" in sys.modules else None

# Run in the fresh virtualenv: where Odoo finds the addon, and what importing it as Odoo does brings.
PROBE = """
import json, os, sys
import odoo
from odoo.modules import module
from odoo.tools import config
config.parse_config(["--addons-path", sys.argv[1], "--data-dir", sys.argv[2]])
module.initialize_sys_path()
path = module.get_module_path("simotel_connector")
manifest = module.get_manifest("simotel_connector")
module.load_openerp_module("simotel_connector")
from odoo.addons.simotel_connector.tools import sea
print(json.dumps({
    "path": path,
    "version": manifest["version"],
    "missing": [f for f in manifest["data"] if not os.path.isfile(os.path.join(path, f))],
    "models": sorted(m._name for m in odoo.models.MetaModel.module_to_models["simotel_connector"]),
    "jalali": str(sea.parse_time("1399-12-30 10:00")),
}))
"""


def _run(*args, **kwargs):
    result = subprocess.run(args, capture_output=True, text=True, timeout=120, **kwargs)
    assert result.returncode == 0, "%s failed:\n%s\n%s" % (" ".join(map(str, args)), result.stdout, result.stderr)
    return result.stdout


def test_wheel_installs_and_odoo_finds_the_addon(tmp_path):
    started = time.monotonic()
    odoo_src = ODOO_SRC or Path(_run(sys.executable, "-c", "import odoo; print(odoo.__file__)").strip()).parent.parent
    wheel = Path(_run(sys.executable, str(ADDON_DIR / "scripts" / "build_wheel.py"), str(tmp_path / "dist")).strip())
    version = ast.literal_eval((ADDON_DIR / "__manifest__.py").read_text())["version"]
    assert wheel.name == "odoo_addon_simotel_connector-%s-py3-none-any.whl" % version
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        metadata = archive.read("odoo_addon_simotel_connector-%s.dist-info/METADATA" % version).decode()
    assert "odoo/addons/simotel_connector/__manifest__.py" in names
    assert "odoo/addons/simotel_connector/static/description/icon.png" in names
    assert not any(name.startswith("odoo/addons/simotel_connector/.git/") for name in names)
    for requirement in ("odoo==18.0.*", "jdatetime", "phonenumbers"):
        assert "Requires-Dist: %s\n" % requirement in metadata

    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", str(venv))
    python = venv / "bin" / "python"
    _run(sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps", "--no-index", wheel)
    site = Path(_run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").strip())
    # Odoo from source and Odoo's dependencies (those of this virtualenv), after the fresh site-packages.
    (site / "odoo_source.pth").write_text("%s\n%s\n" % (odoo_src, sysconfig.get_paths()["purelib"]))

    addons_path = "%s,%s" % (odoo_src / "addons", odoo_src / "odoo" / "addons")
    found = json.loads(_run(python, "-c", PROBE, addons_path, str(tmp_path / "data"), cwd=tmp_path))
    assert Path(found["path"]) == site / "odoo" / "addons" / "simotel_connector"
    assert not Path(found["path"]).resolve().is_relative_to(ADDON_DIR)
    assert found["missing"] == []
    assert "simotel.call" in found["models"] and "simotel.event" in found["models"]
    assert found["jalali"] == "2021-03-20 10:00:00"
    assert time.monotonic() - started < 60, "building and installing the wheel took %.0f s" % (
        time.monotonic() - started
    )
