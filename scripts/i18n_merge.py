"""Rebuild i18n/fa.po from a fresh .pot export, keeping every existing translation.

Usage: python i18n_merge.py TEMPLATE.pot i18n/fa.po
Prints the terms still untranslated (exit code 1 when there are some).
"""

import sys

import polib


def main(pot_path, po_path):
    template = polib.pofile(pot_path)
    old = polib.pofile(po_path)
    known = {entry.msgid: entry.msgstr for entry in old if entry.msgstr.strip()}
    result = polib.POFile(wrapwidth=78)
    result.header = old.header
    result.metadata = old.metadata
    missing = []
    for entry in template:
        entry.msgstr = known.get(entry.msgid, "")
        if not entry.msgstr:
            missing.append(entry.msgid)
        result.append(entry)
    result.save(po_path)
    for msgid in missing:
        print("untranslated:", msgid.replace("\n", "\\n"))
    print(f"{len(template)} terms, {len(missing)} untranslated")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
