import json
from datetime import datetime, timedelta

from odoo import fields
from odoo.tests import TransactionCase, tagged

from ..tools import sea
from ..tools.inbound import InboundError
from . import sea_samples as samples
from .common import TehranPbxCase
from .fake_simotel import FakeSimotel


@tagged("post_install", "-at_install")
class TestSeaTools(TransactionCase):
    def test_event_names(self):
        for raw in ("Cdr", "CDR", "cdr", "CdrQueue", "cdr_queue", "CDRQueue", "newstate", "Ping"):
            self.assertTrue(sea.canonical_event(raw), raw)
        self.assertEqual(sea.event_name("cDr", {"event_name": "Ping"}), "Cdr")
        self.assertEqual(sea.event_name(None, {"event": "survey"}), "Survey")
        for path, payload in ((None, {}), ("Explode", {}), (None, {"event_name": 12})):
            with self.assertRaises(InboundError) as caught:
                sea.event_name(path, payload)
            self.assertEqual(caught.exception.status, 400)

    def test_aliases(self):
        normalized = sea.normalize("Cdr", samples.CDR_INCOMING_V3)
        self.assertEqual(normalized["unique_id"], "1510564538.919")
        self.assertEqual(normalized["starttime"], "2017-11-12 11:55:33.208640")
        self.assertEqual(normalized["endtime"], "2017-11-12 11:55:51.208640")
        self.assertEqual(normalized["poll_label"], "mypoll")
        self.assertNotIn("cuid", normalized)
        # The canonical key wins over an alias; cuid wins over SA's second id "uniqueid".
        self.assertEqual(sea.normalize("Cdr", {"unique_id": "a", "cuid": "b"})["unique_id"], "a")
        self.assertEqual(sea.normalize("Cdr", samples.report_row("1.5", "1400-04-01 10:19:04"))["unique_id"], "1.5")
        self.assertEqual(sea.normalize("OutgoingCall", {"entry_point": "center"})["outgoing_point"], "center")
        self.assertEqual(sea.normalize("NewState", {"dialing": "yes", "cuid": "9"})["dialer"], "yes")

    def test_jalali(self):
        """Jalali dates (years below 1700) are read with jdatetime, in the PBX's time zone."""
        for text, expected in (
            ("1400-04-01", datetime(2021, 6, 22)),
            ("1403/01/01", datetime(2024, 3, 20)),
            ("1357-11-22", datetime(1979, 2, 11)),
            ("1404-12-29", datetime(2026, 3, 20)),
            ("1399/12/30", datetime(2021, 3, 20)),  # 30 Esfand of a leap year
            ("1403-12-30", datetime(2025, 3, 20)),  # 30 Esfand of a leap year
            ("1408-12-30 23:59:59", datetime(2030, 3, 20, 23, 59, 59)),
        ):
            self.assertEqual(sea.parse_time(text), expected, text)
        self.assertEqual(sea.parse_time("1399-12-30 03:30:00", "Asia/Tehran"), datetime(2021, 3, 20))

    def test_jalali_invalid(self):
        """An impossible Jalali date is no time at all (never a neighbouring day)."""
        for text in (
            "1400-12-30",  # 30 Esfand of a common year
            "1404-12-30 10:00",  # 30 Esfand of a common year
            "1400-13-01",  # month 13
            "1400-00-10",  # month 0
            "1400-07-31",  # the second half-year has 30-day months
            "1400-01-00",
            "1400-01-32",
            "0000-01-01",
        ):
            self.assertIsNone(sea.parse_time(text), text)

    def test_parse_time(self):
        self.assertEqual(sea.parse_time("2021-01-16 06:30:37.471398"), datetime(2021, 1, 16, 6, 30, 37, 471398))
        self.assertEqual(sea.parse_time("1400-04-01 10:19:04", "Asia/Tehran"), datetime(2021, 6, 22, 5, 49, 4))
        self.assertEqual(sea.parse_time("2021-01-16 06:30:37", "Asia/Tehran"), datetime(2021, 1, 16, 3, 0, 37))
        self.assertEqual(
            sea.parse_time({"$date": {"$numberLong": "1624340947977"}}), datetime(2021, 6, 22, 5, 49, 7, 977000)
        )
        self.assertEqual(sea.parse_time("1610782193"), datetime(2021, 1, 16, 7, 29, 53))
        self.assertEqual(sea.parse_time("2021-01-16T06:30:37+03:30"), datetime(2021, 1, 16, 3, 0, 37))
        for junk in ("", None, "yesterday", "2021-13-45 10:00", [], True):
            self.assertIsNone(sea.parse_time(junk))
        self.assertEqual(sea.to_int("00:00:54"), 54)
        self.assertEqual((sea.to_int("31"), sea.to_int(9.6), sea.to_int("x"), sea.to_int(-3)), (31, 10, None, None))


@tagged("post_install", "-at_install")
class TestSimotelCall(TehranPbxCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agent = cls.env["res.users"].create(
            {
                "name": "Reza Agent",
                "login": "reza.call",
                "simotel_extension": "562",
            }
        )

    def cdr(self, **values):
        payload = sea.normalize("Cdr", dict(samples.CDR_INCOMING_V3, **values))
        return self.Call._simotel_upsert_cdr(self.company, payload)

    def originate(self, partner, originated_call_id):
        """The call the agent (562) starts to ``partner``'s phone, as click-to-call records it."""
        return self.Call._simotel_register_originate(
            {
                "company_id": self.company.id,
                "user_id": self.agent.id,
                "partner_id": partner.id,
                "lead_id": False,
                "caller_number": "562",
                "callee_number": partner.phone,
                "originated_call_id": originated_call_id,
            }
        )

    def test_cdr_completes_click_to_call(self):
        partner = self.env["res.partner"].create({"name": "Dialled", "phone": "09365018573"})
        originated = self.originate(partner, "orig.call.1703145054.787335")
        self.assertEqual(
            (originated.state, originated.direction, originated.unique_id), ("originated", "outbound", False)
        )
        report = {
            "cuid": "1703145054.9",
            "src": "562",
            "dst": "09365018573",
            "type": "outgoing",
            "originated_call_id": "orig.call.1703145054.787335",
        }
        call, created = self.cdr(**report)
        self.assertTrue(created)
        self.assertEqual(call, originated)
        self.assertEqual(
            (call.state, call.unique_id, call.partner_id, call.user_id), ("done", "1703145054.9", partner, self.agent)
        )
        self.assertEqual(self.Call.search_count([("originated_call_id", "=", "orig.call.1703145054.787335")]), 1)
        again, created = self.cdr(**report)  # the same report again
        self.assertEqual((again, created), (originated, False))

    def test_direction_from_numbers_and_lead_link(self):
        lead = self.env["crm.lead"].create({"name": "Hot lead", "phone": "09130001122"})
        call, _created = self.cdr(cuid="d.1", type="", src="562", dst="09130001122")
        self.assertEqual(
            (call.direction, call.external_number, call.lead_id, call.user_id),
            ("outbound", "09130001122", lead, self.agent),
        )
        self.assertFalse(call.partner_id)
        call, _created = self.cdr(cuid="d.2", type="", src="09130001122", dst="562")
        self.assertEqual(call.direction, "inbound")
        call, _created = self.cdr(cuid="d.3", type="", src="562", dst="557")
        self.assertEqual(call.direction, "internal")

    def test_unmatched_call_is_rematched(self):
        call, _created = self.cdr(cuid="m.1", src="09187776655")
        self.assertFalse(call.partner_id)
        partner = self.env["res.partner"].create({"name": "Later"})
        partner.mobile = "+98 918 777 6655"
        self.assertEqual(call.partner_id, partner)
        newcomer = self.env["res.partner"].create({"name": "New", "phone": "09187776655"})
        self.assertEqual(call.partner_id, partner, "a matched call keeps its partner")
        call2, _created = self.cdr(cuid="m.2", src="09110000001")
        created = self.env["res.partner"].create({"name": "Created", "phone": "0911 000 0001"})
        self.assertEqual(call2.partner_id, created)
        self.assertNotEqual(newcomer, created)

    def test_missed_call_activity_setting(self):
        partner = self.env["res.partner"].create({"name": "No salesperson", "mobile": "09120000009"})
        self.company.simotel_missed_call_user_id = self.agent
        self.cdr(cuid="a.1", src="09120000009", disposition="BUSY", billsec=0)
        activity = self.env["mail.activity"].search([("res_model", "=", "res.partner"), ("res_id", "=", partner.id)])
        self.assertEqual(activity.user_id, self.agent)
        self.assertEqual(activity.summary, "Call back")
        self.cdr(cuid="a.2", src="09120000009", disposition="NO ANSWER", billsec=0)
        self.assertEqual(
            self.env["mail.activity"].search_count([("res_model", "=", "res.partner"), ("res_id", "=", partner.id)]),
            1,
            "one open call-back per customer",
        )
        other = self.env["res.partner"].create({"name": "Quiet", "mobile": "09120000010"})
        self.company.simotel_missed_call_activity = False
        self.cdr(cuid="a.3", src="09120000010", disposition="NO ANSWER", billsec=0)
        self.assertFalse(
            self.env["mail.activity"].search([("res_model", "=", "res.partner"), ("res_id", "=", other.id)])
        )

    def test_failed_processing_is_kept_and_retried(self):
        event = self.Event._simotel_store(self.company, "Cdr", dict(samples.CDR_INCOMING_V3, cuid="f.1"))
        event.payload = "{broken"
        event._simotel_process()
        self.assertEqual(event.state, "failed")
        self.assertIn("JSONDecodeError", event.error)
        self.assertFalse(self.Call.search([("unique_id", "=", "f.1")]))
        event.payload = json.dumps(dict(samples.CDR_INCOMING_V3, cuid="f.1"))
        self.Event._cron_process()
        self.assertEqual((event.state, event.attempts), ("failed", 1), "retried every 5 minutes at most")
        event.processed_at = fields.Datetime.now() - timedelta(minutes=6)
        self.Event._cron_process()
        self.assertEqual((event.state, event.attempts, event.error), ("done", 2, False))
        self.assertEqual(event.call_id.unique_id, "f.1")
        self.assertTrue(event.action_retry())  # a done event is left alone
        self.assertEqual(event.attempts, 2)

    def test_batch_exactly_once(self):
        """One cron batch: duplicates, a bad event, a click-to-call completion, a known call."""
        partner = self.env["res.partner"].create(
            {"name": "Batch customer", "mobile": "09120000077", "user_id": self.agent.id}
        )
        lead = self.env["crm.lead"].create({"name": "Batch lead", "phone": "09130000088"})
        dialled = self.env["res.partner"].create({"name": "Dialled", "phone": "09365018574"})
        originated = self.originate(dialled, "orig.batch.1")
        known, _created = self.cdr(cuid="b.known", src="09120000077")
        self.company.simotel_missed_call_activity = True
        missed = dict(samples.CDR_INCOMING_V3, src="09120000077", dst="562", disposition="NO ANSWER", billsec=0)
        payloads = [
            dict(missed, cuid="b.1"),
            dict(missed, cuid="b.1"),  # duplicate in the batch
            dict(missed, cuid="b.2"),  # second missed call: no second open activity
            dict(samples.CDR_INCOMING_V3, cuid="b.lead", src="09130000088", dst="562"),
            dict(
                samples.CDR_INCOMING_V3,
                cuid="b.orig",
                src="562",
                dst="09365018574",
                type="outgoing",
                originated_call_id="orig.batch.1",
            ),
            dict(samples.CDR_INCOMING_V3, cuid="b.known", src="09120000077"),  # already a call
            dict(samples.CDR_QUEUE, unique_id="b.2"),  # the queue report of b.2: a duplicate
        ]
        events = self.Event
        for payload in payloads:
            events |= self.Event._simotel_store(self.company, sea.event_name(None, payload), payload)
        bad = self.Event._simotel_store(self.company, "Cdr", dict(samples.CDR_INCOMING_V3, cuid="b.bad"))
        bad.payload = "{broken"
        events_before = self.env["mail.message"].search_count(
            [("model", "=", "res.partner"), ("res_id", "=", partner.id)]
        )
        self.Event._cron_process()
        self.assertEqual(bad.state, "failed")
        self.assertEqual(
            set(events.mapped("state")), {"done"}, [(e.event_name, e.unique_id, e.state, e.error) for e in events]
        )
        self.assertEqual(events.mapped("attempts"), [1] * len(events))
        calls = self.Call.search([("unique_id", "like", "b.")])
        self.assertEqual(sorted(calls.mapped("unique_id")), ["b.1", "b.2", "b.known", "b.lead", "b.orig"])
        self.assertEqual(
            [event.call_id.unique_id for event in events], ["b.1", "b.1", "b.2", "b.lead", "b.orig", "b.known", "b.2"]
        )
        b1 = calls.filtered(lambda call: call.unique_id == "b.1")
        self.assertEqual((b1.partner_id, b1.user_id, b1.missed), (partner, self.agent, True))
        self.assertEqual(calls.filtered(lambda call: call.unique_id == "b.lead").lead_id, lead)
        self.assertEqual((originated.unique_id, originated.state, originated.partner_id), ("b.orig", "done", dialled))
        self.assertEqual(self.Call.search_count([("originated_call_id", "=", "orig.batch.1")]), 1)
        notes = self.env["mail.message"].search([("model", "=", "res.partner"), ("res_id", "=", partner.id)])
        self.assertEqual(len(notes) - events_before, 2, "one note per new call (b.1, b.2), none for duplicates")
        self.assertEqual(
            len(
                self.env["mail.message"].search(
                    [("model", "=", "res.partner"), ("res_id", "=", dialled.id), ("body", "ilike", "Outgoing call")]
                )
            ),
            1,
        )
        self.assertEqual(
            len(
                self.env["mail.message"].search(
                    [("model", "=", "crm.lead"), ("res_id", "=", lead.id), ("body", "ilike", "Incoming call")]
                )
            ),
            1,
        )
        activities = self.env["mail.activity"].search([("res_model", "=", "res.partner"), ("res_id", "=", partner.id)])
        self.assertEqual((len(activities), activities.user_id), (1, self.agent))
        self.assertEqual(known.talk_seconds, 192, "a known call is left untouched")
        # Processing the same reports again (a retry racing the cron) changes nothing.
        again = self.Call._simotel_upsert_cdrs(self.company, [sea.normalize("Cdr", p) for p in payloads[:2]])
        self.assertEqual([(call.unique_id, created) for call, created in again], [("b.1", False), ("b.1", False)])
        self.assertEqual(self.Call.search_count([("unique_id", "like", "b.")]), 5)

    def test_batch_falls_back_to_one_by_one(self):
        """A batch that fails as a whole is processed event by event: only the bad one fails."""
        good = [
            self.Event._simotel_store(self.company, "Cdr", dict(samples.CDR_INCOMING_V3, cuid="fb.%d" % n))
            for n in range(3)
        ]
        bad = self.Event._simotel_store(
            self.company, "Cdr", dict(samples.CDR_INCOMING_V3, cuid="fb.bad", starttime="2021-01-16 06:30:37")
        )
        Call = type(self.Call)
        cdr_values = Call._simotel_cdr_values

        def failing_values(model, company, payload, tz_name):
            if payload["unique_id"] == "fb.bad":
                raise ValueError("boom")
            return cdr_values(model, company, payload, tz_name)

        self.patch(Call, "_simotel_cdr_values", failing_values)
        self.Event._cron_process()
        self.assertEqual((bad.state, bad.error), ("failed", "ValueError: boom"))
        self.assertEqual([event.state for event in good], ["done"] * 3)
        self.assertEqual(self.Call.search_count([("unique_id", "like", "fb.")]), 3)

    def test_autovacuum_keeps_failed_and_recent(self):
        self.company.simotel_event_retention_days = 10
        old = fields.Datetime.now() - timedelta(days=11)
        done = self.Event._simotel_store(self.company, "Ping", {"event_name": "Ping"})
        failed = self.Event._simotel_store(self.company, "Ping", {"event_name": "Ping"})
        recent = self.Event._simotel_store(self.company, "Ping", {"event_name": "Ping"})
        done.write({"state": "done", "received_at": old})
        failed.write({"state": "failed", "received_at": old})
        recent.write({"state": "done"})
        self.Event._gc_processed_events()
        self.assertFalse(done.exists())
        self.assertEqual((failed | recent).exists(), failed | recent)

    def test_backfill_pages_jalali_and_existing_untouched(self):
        fake = self.enterContext(FakeSimotel())
        fake.configure_company(self.company)
        # 7 rows on 1400-04-01 (2021-06-22) with Jalali start dates, served 3 per page.
        fake.cdr_rows = [samples.report_row("1624340875.%d" % n, "1400-04-01 10:%02d:04" % (10 + n)) for n in range(7)]
        fake.cdr_rows.append(samples.report_row("1624340875.99", "1400-04-05 10:00:00"))  # out of range
        existing, _created = self.cdr(cuid="1624340875.2", src="562", dst="09365018573", type="outgoing", billsec=7)
        write_date = existing.write_date
        self.env.flush_all()
        self.patch(type(self.Call), "_simotel_backfill_page_size", 3)
        result = self.Call._simotel_backfill(self.company, datetime(2021, 6, 22, 5, 0), datetime(2021, 6, 22, 6, 0))
        self.assertEqual(result, (7, 6, 0, True, datetime(2021, 6, 22, 6, 0)))
        searches = [r for r in fake.requests if r["service"] == "reports/cdr/search"]
        self.assertEqual([r["json"]["pagination"]["start"] for r in searches], [0, 3, 6])
        self.assertEqual(searches[0]["json"]["date_range"], {"from": "2021-06-22 09:30", "to": "2021-06-22 10:31"})
        calls = self.Call.search([("unique_id", "like", "1624340875.")])
        self.assertEqual(len(calls), 7)
        self.assertEqual((existing.talk_seconds, existing.write_date, existing.source), (7, write_date, "sea"))
        first = calls.filtered(lambda c: c.unique_id == "1624340875.0")
        self.assertEqual(first.start, datetime(2021, 6, 22, 5, 40, 4))
        self.assertEqual(
            (first.direction, first.talk_seconds, first.source, first.user_id), ("outbound", 54, "backfill", self.agent)
        )
        self.assertEqual(first.record, "20210622_1624340875.0.mp3")
        # A second run creates nothing.
        self.assertEqual(
            self.Call._simotel_backfill(self.company, datetime(2021, 6, 22, 5, 0), datetime(2021, 6, 22, 6, 0))[:2],
            (7, 0),
        )

    def test_sync_button_reports_errors(self):
        fake = self.enterContext(FakeSimotel())
        fake.configure_company(self.company)
        fake.forced = "access_denied"
        action = self.Call.action_simotel_sync()
        self.assertEqual(action["params"]["type"], "danger")
        fake.forced = None
        fake.cdr_rows = [samples.report_row("55.1", sea.format_local(fields.Datetime.now(), "Asia/Tehran") + ":00")]
        action = self.env["res.config.settings"].create({}).action_simotel_sync_calls()
        self.assertEqual(action["params"]["type"], "success")
        self.assertTrue(self.Call.search([("unique_id", "=", "55.1")]))
        self.assertTrue(self.company.simotel_last_sync)
