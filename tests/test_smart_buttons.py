from odoo.tests import HttpCase, tagged

from .common import salesperson
from .rpc_session import RpcSession


@tagged("post_install", "-at_install")
class TestSmartButtons(RpcSession, HttpCase):
    """The smart buttons of contacts, leads and API calls open what they count, as a user presses them."""

    def test_smart_buttons_open_their_records(self):
        salesperson(self.env, "sara.buttons")
        company = self.env["res.partner"].create({"name": "Customer Co", "is_company": True})
        lead = self.env["crm.lead"].create({"name": "Customer Co's lead", "partner_id": company.id})
        api_call = self.env["simotel.api.call"].create(
            {"name": "Customer type", "code": "customer-type", "item_ids": [(0, 0, {"kind": "known"})]}
        )
        # (user, model, button, record, action opened, field its context defaults to the record if any)
        cases = [
            ("sara.buttons", "res.partner", "action_simotel_calls", company.id, "action_simotel_call", "partner_id"),
            ("sara.buttons", "res.partner", "action_simotel_surveys", company.id, "action_simotel_call_survey", None),
            ("sara.buttons", "crm.lead", "action_simotel_calls", lead.id, "action_simotel_call", None),
            ("admin", "simotel.api.call", "action_view_logs", api_call.id, "action_simotel_lookup_log", None),
        ]
        domains = {
            "res.partner": [["partner_id", "child_of", company.id]],
            "crm.lead": [["lead_id", "=", lead.id]],
            "simotel.api.call": [["api_call_id", "=", api_call.id]],
        }
        for login, model, button, record_id, xmlid, default_field in cases:
            with self.subTest(model=model, button=button):
                expected = self.env.ref("simotel_connector." + xmlid)
                self.login_as(login)
                action = self.call_button(model, button, [record_id])["result"]
                self.assertEqual(action["type"], "ir.actions.act_window")
                self.assertEqual(action["res_model"], expected.res_model)
                self.assertEqual(action["domain"], domains[model])
                context = {"default_" + default_field: record_id} if default_field else expected.context
                self.assertEqual(action["context"], context)
