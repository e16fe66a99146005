import os

import polib

from odoo.modules.module import get_modules
from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import TranslationModuleReader, code_translations


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

    def test_javascript_terms_read_the_same_as_odoo(self):
        """A term of our screens that another Odoo module also translates reads the same in both.

        The web client merges every module's terms into one dictionary, in an order that changes
        from one server start to the next: a term translated two ways would show one or the other
        (an agent's "Idle" badge read "بیکار" after one restart and "آزاد" after the next).
        """
        ours = code_translations.get_web_translations("simotel_connector", "fa_IR")["messages"]
        ours = {message["id"]: message["string"] for message in ours}
        self.assertIn("Idle", ours)
        disagreements = []
        for module in sorted(get_modules()):
            if module == "simotel_connector":
                continue
            for message in code_translations.get_web_translations(module, "fa_IR")["messages"]:
                mine = ours.get(message["id"])
                if mine is not None and message["string"] and message["string"] != mine:
                    disagreements.append(f"{message['id']!r}: {mine!r} here, {message['string']!r} in {module}")
        self.assertFalse(disagreements, "\n".join(disagreements))
