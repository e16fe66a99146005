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
        calls = self.env.ref("simotel_connector.action_simotel_call")
        cases = [
            (
                "sara.buttons",
                "res.partner",
                "action_simotel_calls",
                company.id,
                "simotel.call",
                [["partner_id", "child_of", company.id]],
                {"default_partner_id": company.id},
            ),
            (
                "sara.buttons",
                "res.partner",
                "action_simotel_surveys",
                company.id,
                "simotel.call.survey",
                [["partner_id", "child_of", company.id]],
                self.env.ref("simotel_connector.action_simotel_call_survey").context,
            ),
            (
                "sara.buttons",
                "crm.lead",
                "action_simotel_calls",
                lead.id,
                "simotel.call",
                [["lead_id", "=", lead.id]],
                calls.context,
            ),
            (
                "admin",
                "simotel.api.call",
                "action_view_logs",
                api_call.id,
                "simotel.lookup.log",
                [["api_call_id", "=", api_call.id]],
                self.env.ref("simotel_connector.action_simotel_lookup_log").context,
            ),
        ]
        for login, model, method, record_id, res_model, domain, context in cases:
            with self.subTest(model=model, method=method):
                self.login_as(login)
                action = self.call_button(model, method, [record_id])["result"]
                self.assertEqual(action["type"], "ir.actions.act_window")
                self.assertEqual(action["res_model"], res_model)
                self.assertEqual(action["domain"], domain)
                self.assertEqual(action["context"], context)
