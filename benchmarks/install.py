#!/usr/bin/env python3
"""Installing the addon on a database that already has many partners: the time, against its target.

    ~/.simotel-dev/venv/bin/python benchmarks/install.py [--partners 1000000] [--reuse]

Builds ``simotel_bench_install`` as benchmarks/_dataset.py builds every benchmark database (``crm`` and
``sms``, ``--partners`` partners inserted set-based, then a real ``odoo-bin -i simotel_connector``
whose ``post_init_hook`` fills the E.164 columns), prints the install time, the number normalization's
share of it and the ratio to the target (3 minutes for 1M partners on an idle 2-core machine, scaled
linearly above 1M), with the load average, then drops the database. ``--reuse`` prints the
figures recorded by the last build of the shared benchmark database of that size instead (no build).
Exits non-zero when the install takes longer than the target.
"""

import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _dataset import argument_parser, build_database, build_info, db_name, ensure_database  # noqa: E402 - siblings

TARGET_SECONDS_PER_MILLION = 180.0


def main():
    parser = argument_parser(__doc__)
    parser.add_argument("--reuse", action="store_true", help="the figures of the last build, without building")
    args = parser.parse_args()
    if args.reuse:
        db = ensure_database(args.partners)
    else:
        db = build_database(args.partners, "simotel_bench_install")
    info = build_info(db)
    if not args.reuse:
        subprocess.run(["dropdb", "--force", db], check=True)
    install, normalize = float(info["install_seconds"]), float(info["normalize_seconds"] or 0)
    target = TARGET_SECONDS_PER_MILLION * max(1.0, args.partners / 1_000_000)
    print(
        "%d partners (%s): insert %s s; odoo-bin -i simotel_connector %.1f s, of which E.164 normalization "
        "%.1f s (%.0f %%); load average during the install %s on %d CPUs"
        % (
            args.partners,
            db_name(args.partners) if args.reuse else "fresh build",
            info["insert_seconds"],
            install,
            normalize,
            100 * normalize / install,
            info.get("install_load", "?"),
            os.cpu_count(),
        )
    )
    print(
        "target %.0f s: ratio install/target %.2f (%s)"
        % (target, install / target, "OK" if install <= target else "MISSED")
    )
    return 0 if install <= target else 1


if __name__ == "__main__":
    sys.exit(main())
