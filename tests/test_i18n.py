import os

import polib

from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import TranslationModuleReader


@tagged("post_install", "-at_install")
class TestPersianTranslation(TransactionCase):
    def test_every_term_has_a_persian_translation(self):
        """i18n/fa.po translates every user-facing term of the module (run `scripts/dev.sh i18n`)."""
        path = os.path.join(os.path.dirname(os.path.dirname(__file__)), "i18n", "fa.po")
        translated = {entry.msgid for entry in polib.pofile(path) if entry.msgstr.strip()}
        reader = TranslationModuleReader(self.env.cr, modules=["simotel_connector"])
        terms = {
            source
            for module, _type, _name, _res_id, source, _value, _comments in reader
            if module == "simotel_connector"
        }
        self.assertGreater(len(terms), 50)
        missing = sorted(terms - translated)
        self.assertFalse(missing, "terms without a Persian translation in i18n/fa.po:\n" + "\n".join(missing))
