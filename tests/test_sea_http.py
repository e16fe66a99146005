import json
import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import requests

from odoo.tests import tagged

from . import sea_samples as samples
from .common import SEA_AUTH, SeaCase, salesperson


@tagged("post_install", "-at_install")
class TestSeaHttp(SeaCase):
    missed_call_activity = True

    def setUp(self):
        super().setUp()
        self.salesman = salesperson(self.env, "sara.sea", name="Sara Sales")
        self.customer = self.env["res.partner"].create(
            {
                "name": "Customer Ali",
                "mobile": "0912 123 4567",
                "user_id": self.salesman.id,
            }
        )
        self.Call = self.env["simotel.call"]
        self.Event = self.env["simotel.event"]

    # -- helpers -----------------------------------------------------------
    def post(self, payload, path="/simotel/sea", auth=SEA_AUTH, raw=None, content_type="application/json"):
        data = raw if raw is not None else json.dumps(payload)
        return self.opener.post(
            self.base_url() + path, data=data, auth=auth, timeout=30, headers={"Content-Type": content_type}
        )

    def get(self, payload, path="/simotel/sea", auth=SEA_AUTH):
        return self.opener.get(self.base_url() + path + "?" + urlencode(payload), auth=auth, timeout=30)

    def notes_of(self, partner):
        return self.env["mail.message"].search(
            [
                ("model", "=", "res.partner"),
                ("res_id", "=", partner.id),
                ("body", "ilike", "call"),
            ]
        )

    def assertStored(self, response, status=200):
        self.assertEqual(response.status_code, status, response.text)
        self.assertEqual(response.json()["success"], 1)

    def assertRefused(self, response, status):
        self.assertEqual(response.status_code, status, response.text)
        body = response.json()
        self.assertEqual(body["success"], 0)
        self.assertTrue(body["message"])

    # -- documented samples ----------------------------------------------
    def test_g4_cdr_inbound_v3_spelling(self):
        events_before = self.Event.search_count([])
        self.assertStored(self.post(samples.CDR_INCOMING_V3))
        self.process()
        call = self.call_of("1510564538.919")
        self.assertEqual(len(call), 1)
        self.assertEqual(call.direction, "inbound")
        self.assertEqual(call.disposition, "answered")
        self.assertEqual(call.partner_id, self.customer)
        self.assertEqual(call.user_id, self.salesman)
        self.assertEqual(call.talk_seconds, 192)
        self.assertEqual(call.wait_seconds, 15)
        self.assertEqual(str(call.start), "2017-11-12 11:55:33.208640"[:19])
        self.assertEqual(call.record, "0999911_2017111201756.553.151048.mp3")
        event = self.Event.search([], limit=1)
        self.assertEqual(self.Event.search_count([]), events_before + 1)
        self.assertEqual((event.event_name, event.state, event.call_id), ("Cdr", "done", call))
        self.assertNotIn("Authorization", event.headers)
        self.assertNotIn(SEA_AUTH[1], event.headers)
        self.assertEqual(json.loads(event.payload)["cuid"], "1510564538.919")
        notes = self.notes_of(self.customer)
        self.assertEqual(len(notes), 1)
        self.assertIn("Incoming call from 0912", notes.body)
        self.assertIn("3 min 12 s", notes.body)
        self.assertEqual(notes.subtype_id, self.env.ref("mail.mt_note"))

    def test_rest4_path_any_case_and_get(self):
        for path, unique_id in (("/simotel/sea/Cdr", "r.1"), ("/simotel/sea/cdr", "r.2"), ("/simotel/sea/CDR", "r.3")):
            payload = dict(samples.CDR_LOCAL, unique_id=unique_id)
            del payload["event_name"]
            self.assertStored(self.post(payload, path=path))
        self.assertStored(self.get(dict(samples.CDR_NO_ANSWER, unique_id="g.1")))
        self.assertStored(
            self.get(dict(samples.CDR_NO_ANSWER, unique_id="g.2", event_name="x"), path="/simotel/sea/cdr")
        )
        self.process()
        for unique_id in ("r.1", "r.2", "r.3"):
            self.assertEqual(self.call_of(unique_id).direction, "internal")
        call = self.call_of("g.1")
        self.assertEqual((call.direction, call.disposition, call.duration_seconds), ("internal", "no_answer", 1))
        self.assertTrue(self.call_of("g.2"))

    def test_cdr_queue(self):
        self.assertStored(self.post(samples.CDR_QUEUE, path="/simotel/sea/CdrQueue"))
        self.process()
        call = self.call_of("1610782193.391")
        self.assertEqual((call.queue, call.extension, call.user_id), ("902", "557", self.salesman))
        self.assertEqual(call.partner_id, self.customer)
        self.assertEqual(call.talk_seconds, 31)

    def test_other_events_are_stored_and_acknowledged(self):
        for name, payload in samples.OTHER_EVENTS.items():
            with self.subTest(event=name):
                self.assertStored(self.post(payload))
                event = self.Event.search([], limit=1)
                self.assertEqual(event.event_name, name)
                expected = "done" if hasattr(event, "_simotel_process_" + name.lower()) else "ignored"
                self.assertEqual(event.state, expected)
        self.assertFalse(self.call_of("1610782193.392"))

    def test_cdr_is_stored_and_deferred_to_the_cron(self):
        """The POST stores the report, answers 2xx and triggers the cron; the cron makes the call."""
        cron = self.env.ref("simotel_connector.ir_cron_simotel_event_process")
        Trigger = self.env["ir.cron.trigger"]
        triggers_before = Trigger.search_count([("cron_id", "=", cron.id)])
        response = self.post(dict(samples.CDR_INCOMING_V3, cuid="defer.1"))
        self.assertStored(response)
        event = self.Event.browse(response.json()["data"]["id"])
        self.assertEqual((event.event_name, event.state, event.attempts, event.call_id), ("Cdr", "new", 0, self.Call))
        self.assertFalse(self.call_of("defer.1"))
        self.assertFalse(self.notes_of(self.customer))
        self.assertEqual(Trigger.search_count([("cron_id", "=", cron.id)]), triggers_before + 1)
        self.assertEqual(cron.code, "model._cron_process()")
        self.process()
        self.assertEqual((event.state, event.attempts, event.call_id), ("done", 1, self.call_of("defer.1")))
        self.assertEqual(len(self.notes_of(self.customer)), 1)
        # Other events are processed in the request and trigger nothing.
        triggers_before = Trigger.search_count([("cron_id", "=", cron.id)])
        response = self.post(samples.OTHER_EVENTS["NewState"])
        self.assertStored(response)
        self.assertNotEqual(self.Event.browse(response.json()["data"]["id"]).state, "new")
        self.assertEqual(Trigger.search_count([("cron_id", "=", cron.id)]), triggers_before)

    def test_local_time_setting(self):
        self.company.simotel_time_mode = "local"
        self.assertStored(self.post(dict(samples.CDR_LOCAL, unique_id="tz.1")))
        self.process()
        # 06:30:37 in Tehran (UTC+03:30 in January) is 03:00:37 UTC.
        self.assertEqual(str(self.call_of("tz.1").start)[:19], "2021-01-16 03:00:37")

    # -- hostile input -------------------------------------------------------
    def test_malformed_and_hostile_bodies(self):
        count = self.Event.search_count([])
        cases = [
            ("bad json", dict(raw="{not json"), 400),
            ("json array", dict(raw="[1, 2]"), 400),
            ("wrong type", dict(payload=dict(samples.CDR_LOCAL, src={"a": 1})), 400),
            ("wrong list", dict(payload=dict(samples.CDR_QUEUE, detail="x")), 400),
            ("1 MB", dict(raw=json.dumps(dict(samples.CDR_LOCAL, pad="x" * 1024 * 1024))), 413),
            ("unknown event", dict(payload=dict(samples.CDR_LOCAL, event_name="Explode")), 400),
            ("no event", dict(payload={k: v for k, v in samples.CDR_LOCAL.items() if k != "event_name"}), 400),
            ("no unique id", dict(payload={k: v for k, v in samples.CDR_LOCAL.items() if k != "unique_id"}), 400),
            ("content type", dict(raw="event_name=Cdr", content_type="text/plain"), 415),
            ("no auth", dict(payload=samples.CDR_LOCAL, auth=None), 401),
            ("wrong password", dict(payload=samples.CDR_LOCAL, auth=(SEA_AUTH[0], "nope")), 401),
        ]
        for name, kwargs, status in cases:
            with self.subTest(case=name):
                self.assertRefused(self.post(kwargs.pop("payload", None), **kwargs), status)
        self.assertRefused(self.post(samples.CDR_LOCAL, path="/simotel/sea/Nope"), 400)
        self.assertEqual(self.Event.search_count([]), count, "a refused delivery stores nothing")
        self.assertFalse(self.call_of(samples.CDR_LOCAL["unique_id"]))

    def test_ip_protection(self):
        self.company.write({"simotel_inbound_auth": "basic_ip", "simotel_inbound_ips": "10.9.9.9"})
        self.assertRefused(self.post(samples.CDR_LOCAL), 403)
        self.company.simotel_inbound_ips = "127.0.0.1/32"
        self.assertStored(self.post(samples.CDR_LOCAL))

    # -- exactly once ------------------------------------------------------------
    def test_same_missed_cdr_20_times_8_concurrently(self):
        """20 deliveries (8 at once): one call, one note, one activity, 20 × 2xx.

        The 20 stored events are processed by the cron in one batch: the
        duplicates of the batch and of the database make no second call.

        HttpCase's server shares the test transaction and serialises requests
        on its test cursor, so this proves idempotency under concurrent HTTP
        delivery (threads, retries), not a database race: that one is
        exercised by benchmarks/cdr_ingest.py on a real multi-worker server.
        """
        payload = dict(samples.CDR_INCOMING_V3, cuid="dup.1", disposition="NO ANSWER", billsec=0)
        barrier = threading.Barrier(8)
        body = json.dumps(payload)
        self.env.flush_all()  # the test's opener flushes the shared cursor: not from 8 threads at once

        def deliver(index):
            path = "/simotel/sea/cdr" if index % 2 else "/simotel/sea"
            if index < 8:
                barrier.wait(timeout=30)
            with requests.Session() as session:
                return session.post(
                    self.base_url() + path,
                    data=body,
                    auth=SEA_AUTH,
                    timeout=60,
                    headers={"Content-Type": "application/json"},
                ).status_code

        with ThreadPoolExecutor(max_workers=8) as pool:
            statuses = list(pool.map(deliver, range(20)))
        self.env.invalidate_all()
        self.assertEqual(statuses, [200] * 20)
        self.assertEqual(self.Event.search_count([("unique_id", "=", "dup.1"), ("state", "=", "new")]), 20)
        self.assertFalse(self.call_of("dup.1"), "the request only stores")
        self.process()
        self.process()  # a second run finds nothing to do
        call = self.call_of("dup.1")
        self.assertEqual(len(call), 1)
        self.assertTrue(call.missed)
        self.assertEqual(len(self.notes_of(self.customer)), 1)
        activities = self.env["mail.activity"].search(
            [("res_model", "=", "res.partner"), ("res_id", "=", self.customer.id)]
        )
        self.assertEqual(len(activities), 1)
        self.assertEqual(activities.user_id, self.salesman)
        self.assertEqual(activities.activity_type_id, self.env.ref("mail.mail_activity_data_call"))
        self.assertEqual(self.Event.search_count([("unique_id", "=", "dup.1"), ("state", "=", "done")]), 20)

    def test_claim_lost_to_another_transaction(self):
        """The database decides: a claim on a taken unique id returns nothing."""
        self.assertStored(self.post(dict(samples.CDR_INCOMING_V3, cuid="race.1")))
        self.process()
        values = self.Call._simotel_cdr_values(
            self.company, {"unique_id": "race.1", "src": "09121234567", "dst": "557"}, "UTC"
        )
        self.assertIsNone(self.Call._simotel_claim(self.company, values))
        self.assertEqual(len(self.call_of("race.1")), 1)

    def test_recording_download_access(self):
        from .fake_simotel import FakeSimotel

        fake = self.enterContext(FakeSimotel())
        fake.configure_company(self.company)
        fake.files["0999911_2017111201756.553.151048.mp3"] = b"ID3-fake-mp3"
        self.assertStored(self.post(samples.CDR_INCOMING_V3))
        self.process()
        call = self.call_of("1510564538.919")
        url = "/simotel/call/%d/recording" % call.id
        self.authenticate("sara.sea", "sara.sea")
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.content, b"ID3-fake-mp3")
        self.assertEqual(response.headers["Content-Type"], "audio/mpeg")
        self.assertTrue(response.headers["Content-Disposition"].startswith("inline"))
        self.assertTrue(self.url_open(url + "?download=1").headers["Content-Disposition"].startswith("attachment"))
        self.assertEqual(fake.requests[-1]["json"], {"file": "0999911_2017111201756.553.151048.mp3"})
        # Another company's user may not see the call, so gets nothing.
        other = self.env["res.company"].create({"name": "Other Co"})
        self.env["res.users"].create(
            {
                "name": "Olga Other",
                "login": "olga.sea",
                "password": "olga.sea.pw",
                "company_id": other.id,
                "company_ids": [(6, 0, other.ids)],
                "groups_id": [(6, 0, [self.env.ref("sales_team.group_sale_salesman").id])],
            }
        )
        self.authenticate("olga.sea", "olga.sea.pw")
        calls_before = len(fake.requests)
        self.assertEqual(self.url_open(url).status_code, 404)
        self.assertEqual(len(fake.requests), calls_before, "no download for a user who may not see the call")
