"""SEA Transfer, Survey and VoiceMail through Odoo's HTTP stack: one effect each, whatever the order and retries."""

from datetime import datetime, timedelta

from odoo.tests import new_test_user, tagged

from . import sea_samples as samples
from .common import SeaCase, persian, salesperson
from .fake_simotel import FakeSimotel
from .rpc_session import RpcSession

CUID = "1613906376.30"


def cdr(unique_id=CUID, dst="557", **values):
    """An answered inbound call from the customer's mobile to extension ``dst``."""
    return {
        **samples.CDR_INCOMING_V3,
        "cuid": unique_id,
        "dst": dst,
        "src": "09121234567",
        **values,
    }


def transfer(transferred_from="09121234567", transferred_to="558", who="557", spelling="transferer", **values):
    return {
        "event_name": "Transfer",
        "unique_id": CUID,
        spelling: who,
        "transferred_from": transferred_from,
        "transferred_to": transferred_to,
        **values,
    }


def survey(point=5, label="MySurvey", **values):
    """The documented sample: the name in ``event``, the call in ``unique_id``."""
    return {
        "event": "Survey",
        "unique_id": CUID,
        "src": "09121234567",
        "dst": "557",
        "queue": "902",
        "date": "2021-01-09 07:47:45.483185",
        "point": point,
        "label": label,
        **values,
    }


def voicemail(caller="09121234567", voicemail_id="5fedc3b31b05af9835bbcfdd", **values):
    """The documented sample of a saved voicemail."""
    return {
        "event_name": "VoiceMail",
        "id": voicemail_id,
        "number": "5555",
        "state": "SUCCESS",
        "date": "2020-12-31 12:27:31.752195",
        "filename": "5555_1609417639-vm-record-file-8766.wav",
        "duration": "14",
        "caller": caller,
        **values,
    }


@tagged("post_install", "-at_install")
class TestSeaCallEvents(RpcSession, SeaCase):
    def setUp(self):
        super().setUp()
        self.sara = salesperson(self.env, "sara.events", "557", name="Sara Sales")
        self.reza = salesperson(self.env, "reza.events", "558", name="Reza Support")
        self.mina = salesperson(self.env, "mina.events", "559", name="Mina Sales")
        self.customer = self.env["res.partner"].create(
            {"name": "Customer Ali", "mobile": "0912 123 4567", "user_id": self.sara.id}
        )
        self.Event = self.env["simotel.event"]

    # -- helpers -----------------------------------------------------------
    def deliver(self, payload, path="/simotel/sea"):
        return self.Event.browse(super().deliver(payload, path).json()["data"]["id"])

    def refused(self, payload, path="/simotel/sea"):
        response = self.post(payload, path)
        self.assertEqual(response.status_code, 400, response.text)
        body = response.json()
        self.assertEqual(body["success"], 0)
        self.assertTrue(body["message"])
        return body["message"]

    def call(self, unique_id=CUID):
        return self.call_of(unique_id)

    def transfers(self, unique_id=CUID):
        return self.env["simotel.call.transfer"].search([("unique_id", "=", unique_id)], order="sequence, id")

    def surveys(self, unique_id=CUID):
        return self.env["simotel.call.survey"].search([("unique_id", "=", unique_id)], order="id")

    # -- Transfer ------------------------------------------------------------
    def test_transfer_after_cdr_builds_the_chain_both_spellings(self):
        self.deliver(cdr())
        self.process()
        self.assertEqual(self.call().user_id, self.sara)
        first = self.deliver(transfer("09121234567", "558", who="557", spelling="transferer"))
        self.env.invalidate_all()
        self.assertEqual((first.state, first.call_id), ("done", self.call()))
        second = self.deliver(transfer("557", "559", who="558", spelling="transfer"))
        self.env.invalidate_all()
        self.assertEqual(second.state, "done")
        # Simotel's Transfer carries no time: a retry is a resend of the latest step (it follows its
        # first delivery); the first step sent again now would be a new hand-over back to 558.
        for _retry in range(2):
            self.deliver(transfer("557", "559", who="558", spelling="transfer"))
            self.deliver(transfer("557", "559", who="558"))
        self.env.invalidate_all()
        call = self.call()
        self.assertRecordValues(
            call.simotel_transfer_ids,
            [
                {"sequence": 1, "transferer": "557", "transferred_to": "558", "to_user_id": self.reza.id},
                {"sequence": 2, "transferer": "558", "transferred_to": "559", "to_user_id": self.mina.id},
            ],
        )
        self.assertEqual(call.simotel_transfer_ids.transferer_user_id, self.sara | self.reza)
        self.assertEqual((call.user_id, call.extension), (self.mina, "559"), "the final agent is the call's agent")

    def test_transfer_before_cdr_waits_for_the_call(self):
        self.deliver(transfer("09121234567", "558", who="557"))
        self.deliver(transfer("09121234567", "558", who="557"))  # retry before the call exists
        self.env.invalidate_all()
        self.assertEqual(len(self.transfers()), 1)
        self.assertFalse(self.transfers().call_id)
        self.assertFalse(self.call())
        self.deliver(cdr())
        self.deliver(cdr())  # the report's retry
        self.process()
        call = self.call()
        self.assertEqual(len(call), 1)
        self.assertEqual(call.simotel_transfer_ids, self.transfers())
        self.assertEqual((call.user_id, call.extension), (self.reza, "558"))
        # The queue report of the same call names the agent who answered first: the transfer still decides.
        self.deliver(
            dict(
                samples.CDR_QUEUE,
                unique_id=CUID,
                src="09121234567",
                detail=[{"src": "09121234567", "dst": "557", "billsec": 30, "wait": 2, "disposition": "ANSWERED"}],
            )
        )
        self.process()
        self.assertEqual(self.call().user_id, self.reza)
        self.assertEqual(len(self.transfers()), 1)

    def test_hostile_transfers_are_refused_whole(self):
        before = self.Event.search_count([])
        for payload in (
            transfer(unique_id=""),
            dict(transfer(), unique_id=None),
            transfer(transferred_to={"$gt": ""}),
            transfer(transferer=["557"]),
            transfer(unique_id="1" * 500),
        ):
            with self.subTest(payload=str(payload)[:80]):
                self.refused(payload)
        self.assertEqual(self.Event.search_count([]), before, "nothing half-written")
        self.assertFalse(self.env["simotel.call.transfer"].search_count([]))
        # Huge texts are cut, not a failure.
        event = self.deliver(transfer(transferred_to="5" * 4000))
        self.assertEqual(event.state, "done")
        self.assertEqual(len(self.transfers().transferred_to), 64)

    # -- Survey --------------------------------------------------------------
    def test_survey_before_and_after_cdr_event_or_event_name(self):
        first = self.deliver(survey(point=4, label="agent"))  # documented: the name in "event"
        self.deliver(survey(point=4, label="agent"))  # a retry
        self.env.invalidate_all()
        self.assertEqual(first.event_name, "Survey")
        self.assertEqual(first.state, "done")
        self.assertEqual(len(self.surveys()), 1)
        self.deliver(cdr())
        self.process()
        call = self.call()
        self.assertEqual(self.surveys().call_id, call)
        self.assertEqual(call.survey_score, 4)
        # After the report: the name in "event_name", the call in "cuid", and in the URL path.
        payload = dict(survey(point=2, label="service"), event_name="Survey", cuid=CUID)
        del payload["event"], payload["unique_id"]
        self.deliver(payload)
        self.deliver(dict(survey(point=2, label="service"), event="x"), path="/simotel/sea/survey")  # retry
        self.env.invalidate_all()
        self.assertRecordValues(
            self.surveys(),
            [
                {"label": "agent", "score": 4, "call_id": call.id, "user_id": self.sara.id, "queue": "902"},
                {"label": "service", "score": 2, "call_id": call.id, "user_id": self.sara.id, "queue": "902"},
            ],
        )
        self.assertEqual(self.surveys()[0].date, datetime(2021, 1, 9, 7, 47, 45))
        self.assertEqual(call.survey_score, 3)
        self.assertEqual(self.surveys().partner_id, self.customer)

    def test_survey_follows_the_final_agent_and_shows_on_the_partner(self):
        self.deliver(cdr())
        self.process()
        self.deliver(survey(point=5))
        self.deliver(cdr(unique_id="other.1"))
        self.process()
        self.deliver(survey(point=2, unique_id="other.1"))
        self.deliver(transfer("09121234567", "558", who="557"))
        self.env.invalidate_all()
        self.assertEqual(self.surveys().user_id, self.reza, "the score counts for the agent who ended the call")
        self.assertEqual(self.surveys("other.1").user_id, self.sara)
        # The salesperson reads the customer's average on the contact form.
        self.login_as("sara.events")
        answer = self.call_kw(
            "res.partner", "read", [[self.customer.id], ["simotel_survey_score", "simotel_survey_count"]]
        )
        self.assertEqual(answer["result"][0]["simotel_survey_count"], 2)
        self.assertEqual(answer["result"][0]["simotel_survey_score"], 3.5)
        action = self.call_button("res.partner", "action_simotel_surveys", [self.customer.id])["result"]
        self.assertEqual(action["res_model"], "simotel.call.survey")
        self.assertEqual(action["domain"], [["partner_id", "child_of", self.customer.id]])
        # Averages per agent, queue and customer: the report's groups.
        groups = self.call_kw("simotel.call.survey", "read_group", [[], ["score:avg"], ["user_id"]], {"lazy": False})
        by_agent = {group["user_id"][0]: group["score"] for group in groups["result"]}
        self.assertEqual(by_agent, {self.reza.id: 5, self.sara.id: 2}, "the scores of Sara's calls and customers")
        self.login_as("mina.events")
        answer = self.call_kw("simotel.call.survey", "read_group", [[], ["score:avg"], ["user_id"]], {"lazy": False})
        self.assertEqual(answer["result"], [], "a salesperson sees no score of others' calls and customers")
        answer = self.call_kw("res.partner", "read", [[self.customer.id], ["simotel_survey_count"]])
        self.assertEqual(answer["result"][0]["simotel_survey_count"], 0)

    def test_hostile_surveys_are_refused_whole(self):
        before = self.Event.search_count([])
        for point in ("abc", -1, "", None, [5], {"$gt": 0}, 10**7, "5\x00", "99:59:59", "1e5", "4.5", 4.5):
            with self.subTest(point=point):
                self.refused(survey(point=point))
        self.refused(dict(survey(), unique_id=""))
        self.refused(survey(label={"a": 1}))
        self.refused(survey(date="not a date"))
        self.assertEqual(self.Event.search_count([]), before)
        self.assertFalse(self.surveys())

    def test_poll_report_sync_adds_only_new_scores(self):
        fake = self.enterContext(FakeSimotel())
        fake.configure_company(self.company, simotel_backfill=True)
        self.deliver(survey(point=5, label="sale"))
        fake.poll_rows = [
            {  # already known from SEA
                "_id": "602244a95f1eb5fb5d42cb2a",
                "uniqueid": CUID,
                "src": "09121234567",
                "dst": "555",
                "point": 1,
                "label": "sale",
                "qnum": "900",
                "date": "1399-11-21 11:45:37",
            },
            {
                "_id": "602244a95f1eb5fb5d42cb2b",
                "uniqueid": "1612858371.2269",
                "src": "09121234567",
                "dst": "555",
                "point": 15,
                "label": "sale",
                "qnum": "900",
                "date": "1399-11-21 11:45:37",
            },
            {"uniqueid": "bad.1", "point": "many", "label": "sale"},
            "not a row",
        ]
        self.env["simotel.call"]._cron_backfill()
        self.env["simotel.call"]._cron_backfill()  # the next run reads the same rows
        self.env.invalidate_all()
        self.assertEqual(self.surveys().score, 5, "the SEA score stays")
        synced = self.surveys("1612858371.2269")
        self.assertRecordValues(synced, [{"score": 15, "queue": "900", "source": "backfill"}])
        # 1399-11-21 11:45:37 Tehran (UTC+3:30) is 2021-02-09 08:15:37 UTC.
        self.assertEqual(synced.date, datetime(2021, 2, 9, 8, 15, 37))
        self.assertFalse(self.surveys("bad.1"))
        self.assertTrue(any(r["path"].endswith("reports/poll/search") for r in fake.requests))

    # -- VoiceMail -----------------------------------------------------------
    def notes(self, record):
        return self.env["mail.message"].search(
            [("model", "=", record._name), ("res_id", "=", record.id), ("body", "ilike", "/simotel/voicemail/")]
        )

    def activities(self, record):
        return self.env["mail.activity"].search([("res_model", "=", record._name), ("res_id", "=", record.id)])

    def test_voicemail_of_a_customer_is_a_note_with_audio_and_an_activity(self):
        fake = self.enterContext(FakeSimotel())
        fake.configure_company(self.company)
        fake.files["5555_1609417639-vm-record-file-8766.wav"] = ("audio/x-wav", b"RIFF-voicemail")
        for _delivery in range(3):  # retries
            event = self.deliver(voicemail())
        self.env.invalidate_all()
        self.assertEqual(event.state, "done")
        message = self.notes(self.customer)
        self.assertEqual(len(message), 1)
        self.assertIn("Voicemail from 09121234567", message.body)
        self.assertEqual(message.date, datetime(2020, 12, 31, 12, 27, 31))
        activity = self.activities(self.customer)
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.sara)
        record = self.env["simotel.voicemail"].search([])
        self.assertRecordValues(
            record, [{"partner_id": self.customer.id, "user_id": self.sara.id, "duration_seconds": 14}]
        )
        # The link of the note plays the audio for the owner, with the recordings' safety rules.
        url = "/simotel/voicemail/%d/audio" % record.id
        self.assertIn(url, message.body)
        self.login_as("sara.events")
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["Content-Type"], "audio/x-wav")
        self.assertTrue(response.headers["Content-Disposition"].startswith("inline"))
        self.assertIn("sandbox", response.headers["Content-Security-Policy"])
        self.assertEqual(response.content, b"RIFF-voicemail")
        fake.files["5555_1609417639-vm-record-file-8766.wav"] = ("text/html", b"<script>alert(1)</script>")
        response = self.url_open(url)
        self.assertEqual(response.headers["Content-Type"], "application/octet-stream")
        self.assertTrue(response.headers["Content-Disposition"].startswith("attachment"))
        # The list's Listen button opens the same address.
        action = self.call_button("simotel.voicemail", "action_simotel_play", record.ids)["result"]
        self.assertEqual(action["url"], url)
        # Another salesperson cannot listen; a portal user neither.
        self.login_as("reza.events")
        self.assertEqual(self.url_open(url).status_code, 404)
        self.assertEqual(
            self.error_name(self.call_button("simotel.voicemail", "action_simotel_play", record.ids)), "AccessError"
        )
        new_test_user(self.env, "portal.events", groups="base.group_portal")
        self.login_as("portal.events")
        self.assertEqual(self.url_open(url).status_code, 404)

    def test_voicemail_of_an_unknown_number_makes_one_lead(self):
        self.company.simotel_voicemail_user_id = self.mina
        self.deliver(voicemail(caller="09351112233", voicemail_id="vm.1"))
        self.deliver(voicemail(caller="09351112233", voicemail_id="vm.1"))
        self.env.invalidate_all()
        lead = self.env["crm.lead"].search([("phone", "=", "09351112233")])
        self.assertEqual(len(lead), 1)
        self.assertEqual(lead.user_id, self.mina)
        self.assertEqual(len(self.notes(lead)), 1)
        self.assertEqual(self.activities(lead).user_id, self.mina)
        # A second voicemail of the same number goes to the same lead.
        self.deliver(voicemail(caller="09351112233", voicemail_id="vm.2"))
        self.env.invalidate_all()
        self.assertEqual(self.env["crm.lead"].search_count([("phone", "=", "09351112233")]), 1)
        self.assertEqual(len(self.notes(lead)), 2)

    def test_voicemail_note_in_the_owners_language(self):
        persian(self, self.sara)
        self.deliver(voicemail())
        self.env.invalidate_all()
        body = self.notes(self.customer).body
        self.assertIn("پیام صوتی از \u206809121234567\u2069", body)
        self.assertIn("شنیدن پیام صوتی", body)
        self.assertEqual(self.activities(self.customer).summary, "پیام صوتی")

    def test_voicemail_settings_and_failed_voicemails(self):
        self.company.simotel_voicemail_unknown = "none"
        self.deliver(voicemail(caller="09351112233", voicemail_id="vm.3"))
        failed = {
            "event_name": "VoiceMail",
            "id": "5fedc34a1b05af9835bbcfdc",
            "number": "5555",
            "state": "FAILED",
            "date": "2020-12-31 12:25:46.417210",
            "message": "Hangup call",
            "caller": "09121234567",
        }
        self.deliver(failed)
        self.env.invalidate_all()
        self.assertFalse(self.env["crm.lead"].search([("phone", "=", "09351112233")]))
        self.assertFalse(self.notes(self.customer))
        self.assertRecordValues(
            self.env["simotel.voicemail"].search([], order="key"),
            [
                {"key": "5fedc34a1b05af9835bbcfdc", "state": "failed", "pbx_message": "Hangup call", "lead_id": False},
                {"key": "vm.3", "state": "success", "pbx_message": False, "lead_id": False},
            ],
        )

    def test_hostile_voicemails_are_refused_whole(self):
        before = self.Event.search_count([])
        for payload in (
            voicemail(id={"$oid": "x"}),
            voicemail(caller=["0912"]),
            voicemail(date="yesterday"),
            voicemail(filename={"path": "/etc/passwd"}),
        ):
            with self.subTest(payload=str(payload)[:80]):
                self.refused(payload)
        self.assertEqual(self.Event.search_count([]), before)
        self.assertFalse(self.env["simotel.voicemail"].search_count([]))
        event = self.deliver(voicemail(caller="0912" + " " * 3000 + "1234567", voicemail_id="vm.huge"))
        self.assertEqual(event.state, "done")
        self.assertLessEqual(len(self.env["simotel.voicemail"].search([]).caller), 64)

    def test_voicemail_without_id_is_recognised_by_its_box_caller_and_date(self):
        payload = voicemail()
        del payload["id"]
        self.deliver(payload)
        self.deliver(payload)
        self.deliver(dict(payload, date="2020-12-31 12:40:00"))
        self.env.invalidate_all()
        self.assertEqual(self.env["simotel.voicemail"].search_count([]), 2)
        self.assertEqual(len(self.notes(self.customer)), 2)
        self.assertLess(self.env["simotel.voicemail"].search([], limit=1).date, datetime.now() + timedelta(days=1))
