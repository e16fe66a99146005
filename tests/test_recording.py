import time
from unittest.mock import patch

from odoo.tests import HttpCase, new_test_user, tagged

from ..tools import sa_client
from .fake_simotel import FakeSimotel
from .rpc_session import RpcSession


@tagged("post_install", "-at_install")
class TestRecordingServedSafely(RpcSession, HttpCase):
    """/simotel/call/<id>/recording: what the PBX sends cannot run in Odoo's origin, nor pin a worker."""

    def setUp(self):
        super().setUp()
        self.fake = self.enterContext(FakeSimotel())
        self.fake.configure_company(self.env.company)
        self.user = new_test_user(self.env, "rec_sales", groups="sales_team.group_sale_salesman")
        self.call = (
            self.env["simotel.call"]
            .sudo()
            .create({"unique_id": "rec.1", "direction": "inbound", "record": "rec1.mp3", "user_id": self.user.id})
        )
        self.url = "/simotel/call/%d/recording" % self.call.id
        self.authenticate("rec_sales", "rec_sales")

    def assertSafeHeaders(self, response):
        self.assertEqual(response.headers["X-Content-Type-Options"], "nosniff")
        csp = response.headers["Content-Security-Policy"]
        self.assertIn("default-src 'none'", csp)
        self.assertIn("sandbox", csp)

    def assertRefused(self, response, *words):
        """A clear 502 in plain text, never a part of the file."""
        self.assertEqual(response.status_code, 502)
        self.assertTrue(response.headers["Content-Type"].startswith("text/plain"))
        self.assertSafeHeaders(response)
        for word in words:
            self.assertIn(word, response.text)
        self.assertNotIn(b"ID3", response.content)

    def test_audio_is_played_inline(self):
        self.fake.files["rec1.mp3"] = ("audio/x-wav", b"RIFF-fake-wav")
        response = self.url_open(self.url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["Content-Type"], "audio/x-wav")
        self.assertTrue(response.headers["Content-Disposition"].startswith("inline"))
        self.assertSafeHeaders(response)
        self.assertEqual(response.content, b"RIFF-fake-wav")

    def test_play_and_download_buttons_open_the_recording(self):
        """The call's Play and Download buttons open the recording's address (in a new tab, in this one), for the
        users who may read the call only."""
        self.fake.files["rec1.mp3"] = b"ID3-fake-mp3"
        play = self.call_button("simotel.call", "action_simotel_play_recording", self.call.ids)["result"]
        self.assertEqual((play["type"], play["url"], play["target"]), ("ir.actions.act_url", self.url, "new"))
        download = self.call_button("simotel.call", "action_simotel_download_recording", self.call.ids)["result"]
        self.assertEqual((download["url"], download["target"]), (self.url + "?download=1", "self"))
        self.assertTrue(self.url_open(download["url"]).headers["Content-Disposition"].startswith("attachment"))
        new_test_user(self.env, "rec_colleague", groups="sales_team.group_sale_salesman")
        self.authenticate("rec_colleague", "rec_colleague")
        for method in ("action_simotel_play_recording", "action_simotel_download_recording"):
            with self.subTest(method=method):
                answer = self.call_button("simotel.call", method, self.call.ids)
                self.assertEqual(self.error_name(answer), "AccessError", answer)

    def test_html_from_the_pbx_is_a_download_not_a_page(self):
        for content_type in ("text/html", "text/html; charset=utf-8", "image/svg+xml", "audio/<script>", ""):
            with self.subTest(content_type=content_type):
                self.fake.files["rec1.mp3"] = (content_type, b"<html><script>alert(document.cookie)</script></html>")
                response = self.url_open(self.url)
                self.assertEqual(response.status_code, 200)
                self.assertEqual(response.headers["Content-Type"], "application/octet-stream")
                self.assertTrue(response.headers["Content-Disposition"].startswith("attachment"))
                self.assertSafeHeaders(response)

    def test_file_over_the_size_cap_is_refused(self):
        too_big = b"\0" * (sa_client.RECORDING_MAX_BYTES + 1)
        self.fake.files["rec1.mp3"] = ("audio/mpeg", too_big)
        started = time.monotonic()
        self.assertRefused(self.url_open(self.url, timeout=60), "larger than 50 MB")
        self.assertLess(time.monotonic() - started, 5, "refused from its announced length, before reading it")
        # Without Content-Length, the cap stops the reading.
        self.fake.send_length = False
        self.assertRefused(self.url_open(self.url, timeout=60), "larger than 50 MB")

    def test_slow_drip_is_abandoned_at_the_deadline(self):
        """A PBX sending a byte every 50 ms never hits the per-read timeout (2 s): the total deadline stops it."""
        self.fake.files["rec1.mp3"] = ("audio/mpeg", b"ID3" + b"x" * 200)
        self.fake.drip = (1, 0.05)
        with patch.object(sa_client, "RECORDING_DEADLINE", 1.0):
            started = time.monotonic()
            response = self.url_open(self.url, timeout=30)
            elapsed = time.monotonic() - started
        self.assertRefused(response, "in time")
        self.assertLess(elapsed, 3)

    def test_cut_transfer_is_not_served(self):
        """A file shorter than its announced length is an error, not a recording."""
        self.fake.files["rec1.mp3"] = ("audio/mpeg", b"ID3" + b"x" * 100)
        self.fake.announced_length = 5000
        self.assertRefused(self.url_open(self.url, timeout=30), "failed")
