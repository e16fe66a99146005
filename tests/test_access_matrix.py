import json

from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged

from ..models.simotel_event import MAX_ATTEMPTS
from .common import fake_pbx, recorded_call
from .rpc_session import RpcSession

USERS = ("portal", "internal", "own_sales", "all_sales", "simotel_admin", "system_admin")
GROUPS = {
    "portal": "base.group_portal",
    "internal": "base.group_user",
    "own_sales": "sales_team.group_sale_salesman",
    "all_sales": "sales_team.group_sale_salesman_all_leads",
    "simotel_admin": "simotel_connector.group_simotel_manager",
    "system_admin": "base.group_system",
}
# What each user may do (1) or not (0), in the order of USERS. "The salesperson" is own_sales.
MATRIX = {
    "call: taken by the salesperson": (0, 0, 1, 1, 1, 0),
    "call: of the salesperson's customer": (0, 0, 1, 1, 1, 0),
    "call: of the salesperson's customer's contact": (0, 0, 1, 1, 1, 0),
    "call: of the salesperson's lead": (0, 0, 1, 1, 1, 0),
    "call: of another salesperson": (0, 0, 0, 1, 1, 0),
    "call: of another company": (0, 0, 0, 0, 0, 0),
    "recording: call taken by the salesperson": (0, 0, 1, 1, 1, 0),
    "recording: call of another salesperson": (0, 0, 0, 1, 1, 0),
    "survey: of the salesperson's customer's call": (0, 0, 1, 1, 1, 0),
    "survey: of another salesperson's call": (0, 0, 0, 1, 1, 0),
    "survey: of another company": (0, 0, 0, 0, 0, 0),
    "transfer: of a call taken by the salesperson": (0, 0, 1, 1, 1, 0),
    "transfer: of another salesperson's call": (0, 0, 0, 1, 1, 0),
    "voicemail: owned by the salesperson": (0, 0, 1, 1, 1, 0),
    "voicemail: of another salesperson": (0, 0, 0, 1, 1, 0),
    "voicemail: of another company": (0, 0, 0, 0, 0, 0),
    "voicemail audio: owned by the salesperson": (0, 0, 1, 1, 1, 0),
    "voicemail audio: of another salesperson": (0, 0, 0, 1, 1, 0),
    "events: read": (0, 0, 0, 0, 1, 0),
    "events: retry": (0, 0, 0, 0, 1, 0),
    "lookup logs: read": (0, 0, 0, 0, 1, 0),
    "API calls: read": (0, 0, 0, 0, 1, 0),
    "API calls: change": (0, 0, 0, 0, 1, 0),
    "settings: read SA password": (0, 0, 0, 0, 0, 1),
    "settings: test connection": (0, 0, 0, 0, 0, 1),
    "call result: set on a call taken by the salesperson": (0, 0, 1, 1, 1, 0),
    "call result: set on a call of another salesperson": (0, 0, 0, 1, 1, 0),
    "call result: set on a call of another company": (0, 0, 0, 0, 0, 0),
    "call results: read the list": (0, 0, 1, 1, 1, 0),
    "call results: change the list": (0, 0, 0, 0, 1, 0),
    "extensions: set own": (0, 0, 0, 0, 1, 0),
    "extensions: set another user's": (0, 0, 0, 0, 1, 0),
}


@tagged("post_install", "-at_install")
class TestAccessMatrix(RpcSession, HttpCase):
    """Who may do what, through each user's own web session (JSON-RPC and HTTP)."""

    def setUp(self):
        super().setUp()
        fake_pbx(self)
        self.users = {
            name: new_test_user(
                self.env,
                f"matrix_{name}",
                groups=GROUPS[name],
                company_id=self.company.id,
                company_ids=[Command.set(self.company.ids)],
            )
            for name in USERS
        }
        seller = self.users["own_sales"]
        colleague = new_test_user(self.env, "matrix_colleague", groups="sales_team.group_sale_salesman")
        customer = self.env["res.partner"].create({"name": "Own Customer Co", "is_company": True, "user_id": seller.id})
        contact = self.env["res.partner"].create({"name": "Contact Of Own Customer", "parent_id": customer.id})
        lead = self.env["crm.lead"].create({"name": "Own Lead", "user_id": seller.id})
        stranger = self.env["res.partner"].create({"name": "Colleague's Customer", "user_id": colleague.id})
        other_company = self.env["res.company"].create({"name": "Matrix Other Co"})

        def call(name, user=colleague, **values):
            return recorded_call(self, f"{name}.mp3", b"ID3" + name.encode(), unique_id=name, user_id=user.id, **values)

        self.calls = {
            "taken": call("taken", seller),
            "customer": call("customer", partner_id=customer.id),
            "contact": call("contact", partner_id=contact.id),
            "lead": call("lead", lead_id=lead.id),
            "other": call("other", partner_id=stranger.id),
            "other_company": call("other_company", seller, company_id=other_company.id),
        }
        Survey = self.env["simotel.call.survey"].sudo()
        self.surveys = {
            key: Survey.create(
                {
                    "company_id": self.calls[key].company_id.id,
                    "unique_id": key,
                    "call_id": self.calls[key].id,
                    "score": 3,
                }
            )
            for key in ("customer", "other", "other_company")
        }
        Transfer = self.env["simotel.call.transfer"].sudo()
        self.transfers = {
            key: Transfer.create(
                {"company_id": self.company.id, "unique_id": key, "call_id": self.calls[key].id, "transferred_to": "9"}
            )
            for key in ("taken", "other")
        }
        Voicemail = self.env["simotel.voicemail"].sudo()

        def voicemail(name, user, company=self.company):
            self.fake.files[f"{name}.wav"] = b"RIFF" + name.encode()
            return Voicemail.create(
                {"company_id": company.id, "key": name, "filename": f"{name}.wav", "user_id": user.id}
            )

        self.voicemails = {
            "own": voicemail("own", seller),
            "other": voicemail("other", colleague),
            "other_company": voicemail("other_company", seller, other_company),
        }
        self.event = (
            self.env["simotel.event"]
            .sudo()
            .create(
                {
                    "event_name": "MatrixUnknownEvent",
                    "company_id": self.company.id,
                    "payload": "{}",
                    "state": "failed",
                    "attempts": 1,
                }
            )
        )
        self.api_call = self.env["simotel.api.call"].sudo().create({"name": "Matrix routing", "code": "matrix"})
        self.settings = self.env["res.config.settings"].create({})
        self.call_result = self.env.ref("simotel_connector.call_result_interested")
        self.extension = 600

    # -- one probe per row: True if allowed, False if refused, fails on anything else ------
    def rpc_allowed(self, answer):
        name = self.error_name(answer)
        self.assertIn(name, (None, "AccessError"), json.dumps(answer)[:2000])
        return name is None

    def read_call(self, key):
        return self.rpc_allowed(self.call_kw("simotel.call", "read", [[self.calls[key].id], ["unique_id"]]))

    def served(self, url, content):
        """True if ``url`` serves ``content``, False if it answers 404 (refused), fails on anything else."""
        response = self.url_open(url)
        self.assertIn(response.status_code, (200, 404))
        if response.status_code == 200:
            self.assertEqual(response.content, content)
        return response.status_code == 200

    def recording(self, key):
        return self.served("/simotel/call/%d/recording" % self.calls[key].id, b"ID3" + key.encode())

    def set_result(self, key):
        """The Call result button of the call's form, then Save in its dialog."""
        opened = self.call_button("simotel.call", "action_simotel_wrap_up", [self.calls[key].id])
        if not self.rpc_allowed(opened):
            return False
        saved = self.web_save(
            "simotel.call.wrap.up", [], {"call_id": self.calls[key].id, "result_id": self.call_result.id, "note": "x"}
        )
        if not self.rpc_allowed(saved):
            return False
        wizard_id = saved["result"][0]["id"]
        return self.rpc_allowed(self.call_button("simotel.call.wrap.up", "action_save", [wizard_id]))

    def read_allowed(self, record):
        return self.rpc_allowed(self.call_kw(record._name, "read", [record.ids, ["display_name"]]))

    def voicemail_audio(self, key):
        return self.served("/simotel/voicemail/%d/audio" % self.voicemails[key].id, b"RIFF" + key.encode())

    def set_extension(self, user):
        self.extension += 1
        return self.rpc_allowed(self.web_save("res.users", [user.id], {"simotel_extension": str(self.extension)}))

    def probe(self, row, user):
        probes = {
            "call: taken by the salesperson": lambda: self.read_call("taken"),
            "call: of the salesperson's customer": lambda: self.read_call("customer"),
            "call: of the salesperson's customer's contact": lambda: self.read_call("contact"),
            "call: of the salesperson's lead": lambda: self.read_call("lead"),
            "call: of another salesperson": lambda: self.read_call("other"),
            "call: of another company": lambda: self.read_call("other_company"),
            "recording: call taken by the salesperson": lambda: self.recording("taken"),
            "recording: call of another salesperson": lambda: self.recording("other"),
            "survey: of the salesperson's customer's call": lambda: self.read_allowed(self.surveys["customer"]),
            "survey: of another salesperson's call": lambda: self.read_allowed(self.surveys["other"]),
            "survey: of another company": lambda: self.read_allowed(self.surveys["other_company"]),
            "transfer: of a call taken by the salesperson": lambda: self.read_allowed(self.transfers["taken"]),
            "transfer: of another salesperson's call": lambda: self.read_allowed(self.transfers["other"]),
            "voicemail: owned by the salesperson": lambda: self.read_allowed(self.voicemails["own"]),
            "voicemail: of another salesperson": lambda: self.read_allowed(self.voicemails["other"]),
            "voicemail: of another company": lambda: self.read_allowed(self.voicemails["other_company"]),
            "voicemail audio: owned by the salesperson": lambda: self.voicemail_audio("own"),
            "voicemail audio: of another salesperson": lambda: self.voicemail_audio("other"),
            "events: read": lambda: self.rpc_allowed(
                self.call_kw("simotel.event", "search_read", [[("id", "=", self.event.id)], ["payload"]])
            ),
            "events: retry": lambda: self.rpc_allowed(
                self.call_button("simotel.event", "action_retry", self.event.ids)
            ),
            "lookup logs: read": lambda: self.rpc_allowed(
                self.call_kw("simotel.lookup.log", "search_read", [[], ["number"]])
            ),
            "API calls: read": lambda: self.rpc_allowed(
                self.call_kw("simotel.api.call", "read", [self.api_call.ids, ["code"]])
            ),
            "API calls: change": lambda: self.rpc_allowed(
                self.web_save("simotel.api.call", self.api_call.ids, {"name": f"Renamed by {user.login}"})
            ),
            "settings: read SA password": lambda: self.rpc_allowed(
                self.call_kw("res.company", "read", [self.company.ids, ["simotel_api_password"]])
            ),
            "settings: test connection": lambda: self.rpc_allowed(
                self.call_button("res.config.settings", "action_simotel_test_connection", self.settings.ids)
            ),
            "call result: set on a call taken by the salesperson": lambda: self.set_result("taken"),
            "call result: set on a call of another salesperson": lambda: self.set_result("other"),
            "call result: set on a call of another company": lambda: self.set_result("other_company"),
            "call results: read the list": lambda: self.rpc_allowed(
                self.call_kw("simotel.call.result", "search_read", [[("id", "=", self.call_result.id)], ["name"]])
            ),
            "call results: change the list": lambda: self.rpc_allowed(
                self.web_save("simotel.call.result", self.call_result.ids, {"name": f"Renamed by {user.login}"})
            ),
            "extensions: set own": lambda: self.set_extension(user),
            "extensions: set another user's": lambda: self.set_extension(self.users["own_sales"]),
        }
        return probes[row]()

    def test_access_matrix(self):
        self.assertEqual(len(self.calls["taken"].read(["unique_id"])), 1)
        seen = {}
        for name in USERS:
            user = self.users[name]
            self.login_as(user.login)
            for row in MATRIX:
                seen[row, name] = int(self.probe(row, user))
        actual = {row: tuple(seen[row, name] for name in USERS) for row in MATRIX}
        self.assertEqual(actual, MATRIX)
        # Refused calls changed nothing; the administrator's retry processed the event once.
        self.env.invalidate_all()
        self.assertRecordValues(self.event, [{"state": "ignored", "attempts": 1}])
        self.assertEqual(
            [r["service"] for r in self.fake.requests if r["service"] == "setting/ping/act"], ["setting/ping/act"]
        )

    def test_manual_retry_resets_the_attempt_limit(self):
        """The cron gives up after MAX_ATTEMPTS; a Simotel administrator's Retry processes the event again."""
        self.event.write({"attempts": MAX_ATTEMPTS})
        self.assertFalse(self.env["simotel.event"]._simotel_pending(10) & self.event)
        self.login_as("matrix_simotel_admin")
        self.assertNotIn("error", self.call_button("simotel.event", "action_retry", self.event.ids))
        self.env.invalidate_all()
        self.assertRecordValues(self.event, [{"state": "ignored", "attempts": 1}])
