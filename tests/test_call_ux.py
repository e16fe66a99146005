"""What an agent does with calls: sync, call back, create the contact, search numbers, read notes.

Buttons are pressed the way the web client presses them (``/web/dataset/call_button``
with the ids the view sends), searches go through the search view's own domains.
"""

import json
from datetime import datetime

from lxml import etree

from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

from . import sea_samples as samples
from .common import originate_body, pbx_company, persian, post_sea, salesperson
from .fake_simotel import ORIGINATE
from .rpc_session import RpcSession

AUTH = ("simotel", "sea-secret")


class CallUxCase(RpcSession, HttpCase):
    """A fake SA server, a salesperson with extension 557, a customer; SEA accepts ``AUTH``."""

    def setUp(self):
        super().setUp()
        pbx_company(self, AUTH, simotel_tz="Asia/Tehran", simotel_missed_call_activity=True)
        self.salesman = salesperson(self.env, "simotel_ux", password="simotel_ux_pw", tz="Asia/Tehran")
        self.customer = self.env["res.partner"].create(
            {"name": "Customer Ali", "mobile": "0912 123 4567", "user_id": self.salesman.id}
        )
        self.Call = self.env["simotel.call"]

    # -- helpers -----------------------------------------------------------
    def press(self, model, method, ids, context=None):
        """A button of a view: what the web client posts to ``/web/dataset/call_button``."""
        return self.call_button(model, method, ids, context)

    def sea(self, **values):
        """Deliver one CDR through the SEA webhook and process it as the cron does."""
        payload = dict(samples.CDR_INCOMING_V3, **values)
        response = post_sea(self, payload, AUTH)
        self.assertEqual(response.status_code, 200, response.text)
        self.env["simotel.event"]._cron_process()
        self.env.invalidate_all()
        return self.Call.search([("unique_id", "=", values["cuid"]), ("company_id", "=", self.company.id)])

    def missed(self, cuid="m.1", src="09121234567", **values):
        values = {"src": src, "disposition": "NO ANSWER", "billsec": 0, "record": "", **values}
        return self.sea(cuid=cuid, **values)

    def call_back(self, cuid, disposition, **values):
        """The salesperson (557) calls the customer's mobile; ``disposition``: whether the customer answered."""
        values = {"src": "557", "dst": "09121234567", "type": "outgoing", "disposition": disposition, **values}
        return self.sea(cuid=cuid, **values)

    def open_activities(self, partner):
        return self.env["mail.activity"].search([("res_model", "=", "res.partner"), ("res_id", "=", partner.id)])


@tagged("post_install", "-at_install")
class TestSyncButton(CallUxCase):
    """The "Sync calls" button of the Calls list (issue: it crashed with a TypeError)."""

    def setUp(self):
        super().setUp()
        self.manager = new_test_user(
            self.env,
            login="simotel_ux_manager",
            password="simotel_ux_manager_pw",
            groups="simotel_connector.group_simotel_manager",
        )
        self.known = self.Call.create(
            {"unique_id": "known.1", "direction": "inbound", "external_number": "09121234567"}
        )

    def test_list_button_syncs_with_and_without_a_selection(self):
        list_arch = self.Call.get_views([(False, "list")])["views"]["list"]["arch"]
        self.assertIn('name="action_simotel_sync"', list_arch)
        for login in ("admin", "simotel_ux_manager"):
            self.authenticate(login, login if login == "admin" else "simotel_ux_manager_pw")
            for ids in ([], [self.known.id]):  # nothing selected / rows selected
                with self.subTest(login=login, ids=ids):
                    answer = self.press("simotel.call", "action_simotel_sync", ids)
                    self.assertNotIn("error", answer, answer)
                    self.assertEqual(answer["result"]["tag"], "display_notification")
                    self.assertEqual(answer["result"]["params"]["type"], "success", answer)
        self.assertEqual([r["service"] for r in self.fake.requests], ["reports/cdr/search"] * 4)

    def test_simotel_user_is_refused_without_a_crash(self):
        self.authenticate("simotel_ux", "simotel_ux_pw")
        answer = self.press("simotel.call", "action_simotel_sync", [self.known.id])
        self.assertEqual(answer["error"]["data"]["name"], "odoo.exceptions.AccessError", answer)
        self.assertFalse(self.fake.requests)


@tagged("post_install", "-at_install")
class TestMissedCallActions(CallUxCase):
    def test_call_back_button_on_list_and_form_of_missed_calls(self):
        views = self.Call.with_user(self.salesman).get_views([(False, "list"), (False, "form")])["views"]
        for view_type in ("list", "form"):
            with self.subTest(view=view_type):
                arch = etree.fromstring(views[view_type]["arch"])
                button = arch.xpath("//button[@name='action_simotel_call_back']")
                self.assertEqual(len(button), 1)
                self.assertIn("not missed", button[0].get("invisible"))

    def test_call_back_rings_the_agent_then_the_customer(self):
        lead = self.env["crm.lead"].create({"name": "Deal", "mobile": "09121234567", "partner_id": self.customer.id})
        call = self.missed()
        self.assertEqual((call.missed, call.partner_id, call.lead_id), (True, self.customer, lead))
        self.authenticate("simotel_ux", "simotel_ux_pw")
        answer = self.press("simotel.call", "action_simotel_call_back", [call.id])
        self.assertEqual(answer["result"]["params"]["type"], "success", answer)
        self.assertIn("Calling 09121234567 from extension 557", answer["result"]["params"]["message"])
        self.assertEqual(self.fake.bodies(ORIGINATE), [originate_body("09121234567")])
        back = self.Call.search([("originated_call_id", "!=", False)])
        self.assertRecordValues(
            back,
            [{"user_id": self.salesman.id, "partner_id": self.customer.id, "lead_id": lead.id, "state": "originated"}],
        )

    def test_call_back_of_a_call_the_user_cannot_read(self):
        other_company = self.env["res.company"].create({"name": "Elsewhere"})
        foreign = self.Call.create(
            {
                "company_id": other_company.id,
                "unique_id": "x.1",
                "direction": "inbound",
                "disposition": "no_answer",
                "external_number": "09121234567",
            }
        )
        self.authenticate("simotel_ux", "simotel_ux_pw")
        answer = self.press("simotel.call", "action_simotel_call_back", [foreign.id])
        self.assertEqual(answer["error"]["data"]["name"], "odoo.exceptions.AccessError", answer)
        self.assertFalse(self.fake.requests)

    def test_create_contact_from_an_unknown_missed_number(self):
        first = self.missed("u.1", src="09351112233")
        second = self.missed("u.2", src="+989351112233")
        self.assertFalse(first.partner_id or second.partner_id)
        form = etree.fromstring(self.Call.get_views([(False, "form")])["views"]["form"]["arch"])
        button = form.xpath("//button[@name='action_simotel_create_partner']")
        self.assertEqual(len(button), 1)
        self.assertIn("partner_id", button[0].get("invisible"))
        self.authenticate("simotel_ux", "simotel_ux_pw")
        action = self.press("simotel.call", "action_simotel_create_partner", [first.id])["result"]
        self.assertEqual((action["res_model"], action["views"][0][1]), ("res.partner", "form"))
        self.assertEqual(action["context"]["default_mobile"], "09351112233")
        # The form opened by the action, saved by the user after typing a name.
        saved = self.call_kw(
            "res.partner",
            "web_save",
            [[], {"name": "Reza New", "mobile": action["context"]["default_mobile"]}],
            {"context": action["context"], "specification": {"display_name": {}}},
        )
        partner = self.env["res.partner"].browse(saved["result"][0]["id"])
        self.assertEqual(partner.name, "Reza New")
        self.assertEqual((first.partner_id, second.partner_id), (partner, partner))

    def test_landline_number_prefills_the_phone(self):
        call = self.missed("u.3", src="02188776655")
        self.authenticate("simotel_ux", "simotel_ux_pw")
        action = self.press("simotel.call", "action_simotel_create_partner", [call.id])["result"]
        self.assertEqual(action["context"]["default_phone"], "02188776655")
        self.assertNotIn("default_mobile", action["context"])


@tagged("post_install", "-at_install")
class TestCallBackActivity(CallUxCase):
    def test_done_when_the_customer_calls_again_and_is_answered(self):
        self.missed("a.1", starttime="2024-01-16 06:00:00")
        activity = self.open_activities(self.customer)
        self.assertEqual(len(activity), 1)
        self.missed("a.2", starttime="2024-01-16 06:10:00")
        self.assertTrue(activity.exists(), "a second missed call leaves it open")
        self.sea(cuid="a.3", starttime="2024-01-16 06:20:00", disposition="ANSWERED", billsec=40)
        self.assertFalse(self.open_activities(self.customer))
        done = self.env["mail.message"].search(
            [("model", "=", "res.partner"), ("res_id", "=", self.customer.id), ("mail_activity_type_id", "!=", False)]
        )
        self.assertEqual(len(done), 1, "the activity is marked done (a message), not deleted")

    def test_done_when_the_agent_calls_back_and_the_customer_answers(self):
        self.missed("b.1", starttime="2024-01-16 06:00:00")
        self.call_back("b.2", "NO ANSWER", starttime="2024-01-16 06:05:00", billsec=0)
        self.assertEqual(len(self.open_activities(self.customer)), 1, "the customer did not answer")
        self.call_back("b.3", "ANSWERED", starttime="2024-01-16 06:30:00", billsec=60)
        self.assertFalse(self.open_activities(self.customer))

    def test_an_older_answered_call_does_not_close_it(self):
        self.missed("c.1", starttime="2024-01-16 06:00:00")
        self.sea(cuid="c.0", starttime="2024-01-16 05:00:00", disposition="ANSWERED", billsec=40)  # synced late
        self.assertEqual(len(self.open_activities(self.customer)), 1)

    def test_a_missed_call_reported_after_a_later_answer_gets_no_activity(self):
        self.sea(cuid="e.2", starttime="2024-01-16 06:20:00", disposition="ANSWERED", billsec=40)
        self.missed("e.1", starttime="2024-01-16 06:00:00")  # synced late
        self.assertFalse(self.open_activities(self.customer))
        self.missed("e.3", starttime="2024-01-16 07:00:00")
        self.assertEqual(len(self.open_activities(self.customer)), 1)

    def test_other_call_activities_stay_open(self):
        self.customer.activity_schedule(
            act_type_xmlid="mail.mail_activity_data_call", summary="Discuss the contract", user_id=self.salesman.id
        )
        self.missed("d.1", starttime="2024-01-16 06:00:00")
        self.assertEqual(len(self.open_activities(self.customer)), 2)
        self.sea(cuid="d.2", starttime="2024-01-16 06:20:00", disposition="ANSWERED", billsec=40)
        self.assertEqual(self.open_activities(self.customer).summary, "Discuss the contract")


@tagged("post_install", "-at_install")
class TestNumberSearch(CallUxCase):
    FORMS = ("+98 935 111 2233", "09351112233", "۰۹۳۵ ۱۱۱ ۲۲۳۳", "989351112233", "00989351112233", "935-111-2233")

    def setUp(self):
        super().setUp()
        self.call = self.missed("s.1", src="09351112233")
        self.other_call = self.missed("s.2", src="09121112234")
        self.partner = self.env["res.partner"].create({"name": "Searched", "phone": "0935 111 2233"})
        self.other_partner = self.env["res.partner"].create({"name": "Not searched", "phone": "09121112234"})
        self.lead = self.env["crm.lead"].create(
            {"name": "Searched lead", "mobile": "+98 935 111 22 33", "user_id": self.salesman.id}
        )
        self.other_lead = self.env["crm.lead"].create(
            {"name": "Other lead", "mobile": "09121112234", "user_id": self.salesman.id}
        )

    def search_field_domain(self, model, field_name, value):
        """The domain the search view builds when ``value`` is searched in its field ``field_name``."""
        arch = etree.fromstring(self.env[model].get_views([(False, "search")])["views"]["search"]["arch"])
        # Contacts: "phone" in Odoo's view, "phone_mobile_search" once SMS is installed.
        node = arch.xpath(f"//field[@name='{field_name}'] | //field[@name='phone_mobile_search']")[0]
        field_name = node.get("name")
        if node.get("filter_domain"):
            return safe_eval(node.get("filter_domain"), {"self": value})
        return [(field_name, node.get("operator") or "ilike", value)]

    def found(self, model, field_name, value):
        answer = self.call_kw(
            model,
            "web_search_read",
            [self.search_field_domain(model, field_name, value)],
            {"specification": {"display_name": {}}},
        )
        self.assertNotIn("error", answer, answer)
        return {row["id"] for row in answer["result"]["records"]}

    def test_any_form_finds_calls_contacts_and_leads(self):
        self.authenticate("simotel_ux", "simotel_ux_pw")
        for model, field_name, record in (
            ("simotel.call", "external_number", self.call),
            ("res.partner", "phone", self.partner),
            ("crm.lead", "phone_mobile_search", self.lead),
        ):
            for value in self.FORMS:
                with self.subTest(model=model, value=value):
                    self.assertEqual(self.found(model, field_name, value), {record.id})

    def test_partial_numbers_still_match(self):
        self.authenticate("simotel_ux", "simotel_ux_pw")
        self.assertEqual(self.found("simotel.call", "external_number", "0935 111"), {self.call.id})
        self.assertEqual(self.found("simotel.call", "external_number", "2233"), {self.call.id})
        self.assertEqual(self.found("res.partner", "phone", "111 2233"), {self.partner.id})
        self.assertEqual(self.found("crm.lead", "phone_mobile_search", "0935 111"), {self.lead.id})

    def test_hostile_input(self):
        self.authenticate("simotel_ux", "simotel_ux_pw")
        for value in ("", "%", "_", "x" * 5000, "0" * 5000, "\u202e0935", "' OR 1=1 --"):
            with self.subTest(value=value[:20]):
                self.assertLessEqual(
                    self.found("simotel.call", "external_number", value), {self.call.id, self.other_call.id}
                )
        answer = self.call_kw("simotel.call", "search", [[("simotel_number_search", "ilike", ["x"])]])
        self.assertIn("error", answer)

    def test_empty_page_tells_why(self):
        self.authenticate("simotel_ux", "simotel_ux_pw")

        def calls_help():
            """The help the Calls list shows when it is empty, as the web client loads its action."""
            return self.url_open(
                "/web/action/load",
                data=json.dumps({"params": {"action_id": "simotel_connector.action_simotel_call"}}),
                headers={"Content-Type": "application/json"},
            ).json()["result"]["help"]

        page_help = calls_help()
        self.assertIn("No call matches", page_help)
        self.assertIn("+98 935 111 2233", page_help)
        self.env["simotel.call"].search([]).unlink()
        page_help = calls_help()
        self.assertIn("No calls yet", page_help)
        self.assertNotIn("No call matches", page_help)


@tagged("post_install", "-at_install")
class TestCallNotes(CallUxCase):
    def note_of(self, call):
        notes = self.env["mail.message"].search(
            [
                ("model", "=", "res.partner"),
                ("res_id", "=", call.partner_id.id),
                ("body", "ilike", 'data-oe-model="simotel.call"'),
            ]
        )
        return notes.filtered(lambda note: f'data-oe-model="simotel.call" data-oe-id="{call.id}"' in note.body)

    def test_note_dated_at_the_call_with_its_time_and_links(self):
        call = self.sea(cuid="n.1", starttime="2024-01-16 09:05:00", billsec=245, record="rec-1.mp3")
        note = self.note_of(call)
        self.assertEqual(len(note), 1)
        self.assertEqual(note.date, datetime(2024, 1, 16, 9, 5))
        self.assertIn("12:35", note.body)  # 09:05 UTC in the salesperson's time zone (Tehran)
        self.assertIn("01/16/2024", note.body)
        self.assertIn("4 min 5 s", note.body)
        long_call = self.sea(cuid="n.3", starttime="2024-01-16 12:00:00", billsec=3661)
        self.assertIn("answered, 1 h 1 min 1 s", self.note_of(long_call).body)
        self.assertIn(f'href="/simotel/call/{call.id}/recording"', note.body)
        later = self.sea(cuid="n.2", starttime="2024-01-16 11:40:00", billsec=10, record="")
        self.assertNotIn("/recording", self.note_of(later).body)
        self.assertEqual(self.note_of(later).date, datetime(2024, 1, 16, 11, 40))

    def test_note_in_the_salesperson_language_jalali_and_persian_commas(self):
        persian(self, self.salesman, modules=())
        agent = new_test_user(
            self.env, login="simotel_ux_agent", groups="simotel_connector.group_simotel_user", lang="en_US"
        )
        agent.simotel_extension = "558"
        call = self.sea(cuid="p.1", starttime="2024-01-16 09:05:00", dst="558", billsec=245)
        self.assertEqual(call.user_id, agent)
        body = self.note_of(call).body
        self.assertIn("تماس ورودی", body)
        self.assertIn("1402/10/26", body)  # 16 January 2024 in the Persian calendar
        self.assertIn("12:35", body)
        self.assertIn("، ", body)
        self.assertNotIn(", ", body)
        self.assertNotIn("Incoming", body)


@tagged("post_install", "-at_install")
class TestCallViews(CallUxCase):
    def test_form_has_no_technical_statusbar(self):
        arch = self.Call.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertNotIn('widget="statusbar"', arch)
        labels = dict(self.Call._fields["state"]._description_selection(self.env))
        self.assertNotIn("CDR", " ".join(labels.values()))

    def test_durations_use_the_duration_widget_and_reports_count_calls(self):
        views = self.Call.get_views([(False, "list"), (False, "form"), (False, "pivot"), (False, "graph")])["views"]
        for view_type in ("list", "form", "pivot"):
            arch = etree.fromstring(views[view_type]["arch"])
            for node in arch.xpath("//field[contains(@name, '_seconds')]"):
                with self.subTest(view=view_type, field=node.get("name")):
                    self.assertEqual(node.get("widget"), "simotel_duration")
        pivot = etree.fromstring(views["pivot"]["arch"])
        self.assertEqual(pivot.get("display_quantity"), "1")
        self.assertEqual([n.get("name") for n in pivot.xpath("//field[@type='measure']")], ["talk_seconds"])
        graph = etree.fromstring(views["graph"]["arch"])
        self.assertFalse(graph.xpath("//field[@type='measure']"), "the graph counts calls")
        self.assertEqual(self.Call._fields["talk_seconds"].string, "Talk Time")


@tagged("post_install", "-at_install")
class TestCallTours(CallUxCase):
    """An agent's day in the browser, in English and in Persian."""

    CALLS_URL = "/web#action=simotel_connector.action_simotel_call"

    def setUp(self):
        super().setUp()
        self.missed_call = self.missed("t.1", src="09351112233", starttime="2024-01-16 06:00:00")
        self.answered = self.sea(cuid="t.2", starttime="2024-01-16 09:05:00", billsec=245, record="rec-t2.mp3")
        self.long_call = self.sea(cuid="t.3", src="09121110000", starttime="2024-01-16 10:00:00", billsec=3661)

    def as_persian(self):
        persian(self, self.salesman, modules=("web", "mail"))

    def test_search_a_call_by_number(self):
        self.start_tour(self.CALLS_URL, "simotel_calls_search", login="simotel_ux")

    def test_search_a_call_by_number_in_persian(self):
        self.as_persian()
        self.start_tour(self.CALLS_URL, "simotel_calls_search", login="simotel_ux")

    def check_call_back(self):
        self.start_tour(self.CALLS_URL, "simotel_call_back_from_list", login="simotel_ux")
        self.assertEqual([body["callee"] for body in self.fake.bodies(ORIGINATE)], ["09351112233"])
        self.assertEqual(self.fake.bodies(ORIGINATE)[0]["caller"], "557")

    def test_call_back_a_missed_call_from_the_list(self):
        self.check_call_back()

    def test_call_back_a_missed_call_from_the_list_in_persian(self):
        self.as_persian()
        self.check_call_back()

    def test_note_carries_the_call_time(self):
        self.start_tour(
            f"/web#model=res.partner&id={self.customer.id}&view_type=form", "simotel_call_note", login="simotel_ux"
        )

    def test_note_carries_the_call_time_in_persian(self):
        self.as_persian()
        # Notes are written when the call report arrives, in the language of the salesperson then.
        call = self.sea(cuid="t.4", starttime="2024-01-16 09:05:00", billsec=245, record="rec-t4.mp3")
        self.assertIn(
            "1402/10/26 12:35", self.env["mail.message"].search([("body", "ilike", f'data-oe-id="{call.id}"')]).body
        )
        self.start_tour(
            f"/web#model=res.partner&id={self.customer.id}&view_type=form", "simotel_call_note", login="simotel_ux"
        )
