"""Attacks on the call results and notes, and on click-to-call's call limit.

Each test goes through Odoo's real HTTP stack (SEA events as the PBX posts them, buttons as the web
client presses them) and states the attack and the safe behaviour expected.
"""

from odoo.tests import HttpCase, tagged

from .common import pbx_company, salesperson
from .rpc_session import RpcSession
from .test_after_call import UNIQUE_ID, AfterCallCommon

ORIGINATE = "call/originate/act"


@tagged("post_install", "-at_install")
class TestAttackAfterCall(AfterCallCommon, HttpCase):
    def test_a_note_does_not_subscribe_the_agent_to_a_lead_they_may_not_read(self):
        """Attack: a salesperson restricted to their own documents answers a call of a customer whose
        lead belongs to another salesperson (Mina) and saves a call result with a note. The note is
        posted on the lead as superuser *in the name of* the agent, and Odoo subscribes the author of a
        message as a follower of the record: the agent now follows Mina's lead, which the record rules
        hide from them, and receives (and reads, in their inbox or over RPC) every later message of
        it: Mina's offers, the customer's e-mails. One call result is enough to read a colleague's
        lead for ever. Expected: the note reaches the lead's chatter, but the agent does not follow
        the lead and cannot read the lead's later messages."""
        self.lead.user_id = self.salesperson
        self.assertFalse(self.lead.with_user(self.agent).has_access("read"), "own documents only")
        self.ring()
        self.login_as("simotel_agent")
        self.wrap_up(
            {"result_id": self.interested.id, "note": "Asked for a discount"},
            {"default_unique_id": UNIQUE_ID, "default_number": self.caller},
        )
        self.hang_up()
        self.assertTrue(any("Asked for a discount" in body for body in self.notes(self.lead)), "the note is there")
        self.lead.with_user(self.salesperson).message_post(
            body="Our best offer: 40% discount until Friday", message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        answer = self.call_kw("mail.message", "search_read", [[("body", "ilike", "40% discount")], ["body"]])
        self.assertEqual(answer.get("result"), [], "the agent reads the messages of a lead hidden from them")
        self.assertNotIn(self.agent.partner_id, self.lead.message_partner_ids, "the agent follows the lead")


@tagged("post_install", "-at_install")
class TestAttackCallLimit(RpcSession, HttpCase):
    def setUp(self):
        super().setUp()
        pbx_company(self, ("simotel", "call-limit-secret"))
        self.agent = salesperson(self.env, "cl_agent", password="cl_agent_pw")
        self.customer = self.env["res.partner"].create({"name": "Customer Nima", "mobile": "0912 123 4567"})

    def test_negative_call_limit_is_never_sent(self):
        """Attack (a slip or a hostile settings change): Settings ▸ Simotel ▸ Maximum Call Duration
        accepts any integer, and click-to-call sends any non-zero value as SA ``call_limit``: -60 goes
        to the PBX as ``"-60"``, a value Simotel does not document (no limit, or a call cut at once:
        either way not what "0: no limit" promises, and the company's phone bill is no longer
        bounded as the administrator believes). Expected: a negative call limit is refused when the
        settings are saved (or never sent)."""
        self.authenticate("admin", "admin")
        saved = self.web_save("res.config.settings", [], {"simotel_originate_call_limit": -60})
        if "error" not in saved:
            executed = self.call_button("res.config.settings", "execute", [saved["result"][0]["id"]])
            if "error" in executed:
                return  # refused when saved: safe
        else:
            return  # refused when saved: safe
        self.authenticate("cl_agent", "cl_agent_pw")
        answer = self.call_button("res.partner", "action_simotel_call", [self.customer.id])
        self.assertNotIn("error", answer)
        bodies = [r["json"] for r in self.fake.requests if r["service"] == ORIGINATE]
        self.assertEqual(len(bodies), 1)
        limit = bodies[0].get("call_limit")
        self.assertTrue(limit is None or int(limit) > 0, "call_limit sent to the PBX: %r" % limit)

    def test_negative_durations_are_refused_in_the_settings(self):
        """Settings ▸ Simotel: a negative Maximum Call Duration, Call Report Grace Period or Originate
        Timeout is refused on Save with a message naming the field, and the company keeps its values."""
        grace, timeout = self.company.simotel_originate_grace, self.company.simotel_originate_timeout
        self.authenticate("admin", "admin")
        for field, label in (
            ("simotel_originate_call_limit", "Maximum Call Duration"),
            ("simotel_originate_grace", "Call Report Grace Period"),
            ("simotel_originate_timeout", "Originate Timeout"),
        ):
            with self.subTest(field=field):
                saved = self.web_save("res.config.settings", [], {field: -60})
                if "error" not in saved:
                    saved = self.call_button("res.config.settings", "execute", [saved["result"][0]["id"]])
                self.assertEqual(self.error_name(saved), "ValidationError", saved)
                self.assertIn(label, saved["error"]["data"]["message"])
                self.assertIn("negative", saved["error"]["data"]["message"])
        self.env.invalidate_all()
        self.assertEqual(self.company.simotel_originate_call_limit, 0)
        self.assertEqual(self.company.simotel_originate_grace, grace)
        self.assertEqual(self.company.simotel_originate_timeout, timeout)
        # Zero stays allowed: "no limit".
        saved = self.web_save("res.config.settings", [], {"simotel_originate_call_limit": 0})
        self.assertNotIn("error", self.call_button("res.config.settings", "execute", [saved["result"][0]["id"]]))

    def test_a_negative_call_limit_stored_earlier_is_not_sent(self):
        """A negative limit already in the database (saved before the check existed, or written in SQL)
        is not sent: click-to-call sends ``call_limit`` only when it is positive."""
        self.env.cr.execute(
            "UPDATE res_company SET simotel_originate_call_limit = -60 WHERE id = %s", [self.company.id]
        )
        self.company.invalidate_recordset()
        self.authenticate("cl_agent", "cl_agent_pw")
        answer = self.call_button("res.partner", "action_simotel_call", [self.customer.id])
        self.assertNotIn("error", answer)
        bodies = [r["json"] for r in self.fake.requests if r["service"] == ORIGINATE]
        self.assertEqual(len(bodies), 1)
        self.assertNotIn("call_limit", bodies[0])
