import importlib.util
import os

from odoo.tests import TransactionCase, new_test_user, tagged

MIGRATIONS = os.path.join(os.path.dirname(os.path.dirname(__file__)), "migrations", "18.0.1.2.0")


def run_migration(cr, name):
    spec = importlib.util.spec_from_file_location(name, os.path.join(MIGRATIONS, name + ".py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.migrate(cr, "18.0.1.1.0")


@tagged("post_install", "-at_install")
class TestAccessMigration(TransactionCase):
    def test_extensions_that_break_the_rules_are_cleared(self):
        persian = new_test_user(self.env, "mig_persian", groups="base.group_user")
        spaced = new_test_user(self.env, "mig_spaced", groups="base.group_user")
        portal = new_test_user(self.env, "mig_portal", groups="base.group_portal")
        outside = new_test_user(self.env, "mig_outside", groups="base.group_user")
        self.env.flush_all()
        for user, value in ((persian, "۵۵۷"), (spaced, " 559 "), (portal, "560"), (outside, "00447700900123")):
            self.env.cr.execute("UPDATE res_users SET simotel_extension = %s WHERE id = %s", [value, user.id])
        with self.assertLogs(level="WARNING"):
            run_migration(self.env.cr, "pre-migration")
        self.env.invalidate_all()
        self.assertEqual(
            [u.simotel_extension for u in (persian, spaced, portal, outside)], [False, "559", False, False]
        )

    def test_company_rules_become_noupdate(self):
        data = self.env["ir.model.data"].search(
            [("module", "=", "simotel_connector"), ("name", "=", "simotel_call_company_rule")]
        )
        data.noupdate = False
        run_migration(self.env.cr, "post-migration")
        self.assertTrue(data.noupdate)
