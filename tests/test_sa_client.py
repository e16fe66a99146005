import json
import logging
import socket

import requests

from odoo.tests import TransactionCase, tagged

from ..tools.sa_client import SimotelError, _is_dns_failure
from .common import fake_pbx
from .fake_simotel import ERRORS


@tagged("post_install", "-at_install")
class TestSaClient(TransactionCase):
    def setUp(self):
        super().setUp()
        fake_pbx(self)

    def ping(self):
        """Ping through the real client; fail if a secret reaches any log line."""
        logger = logging.getLogger("odoo.addons.simotel_connector")
        with self.assertLogs(logger, level="DEBUG") as logs:
            logger.debug("ping")  # assertLogs needs at least one record
            try:
                return self.company._simotel_client().ping()
            finally:
                self._check_no_secret(logs)

    def _check_no_secret(self, logs):
        text = "\n".join(logs.output)
        for secret in (self.fake.password, self.fake.api_key):
            self.assertNotIn(secret, text)

    def test_ping_with_basic_and_api_key(self):
        self.ping()
        request = self.fake.requests[-1]
        self.assertEqual(request["method"], "POST")
        self.assertEqual(request["service"], "setting/ping/act")
        self.assertEqual(request["headers"]["X-APIKEY"], "token-123")
        self.assertTrue(request["headers"]["Authorization"].startswith("Basic "))
        self.assertEqual(request["headers"]["Content-Type"], "application/json")

    def test_auth_modes_send_only_what_is_configured(self):
        self.fake.auth_mode = "apikey"
        self.company.simotel_auth_mode = "apikey"
        self.ping()
        self.assertNotIn("Authorization", self.fake.requests[-1]["headers"])
        self.fake.auth_mode = "basic"
        self.company.simotel_auth_mode = "basic"
        self.ping()
        self.assertNotIn("X-APIKEY", self.fake.requests[-1]["headers"])

    def test_sa_error_table_becomes_clear_messages(self):
        expected = {
            "parse": ("bad_request", "400"),
            "auth_missing": ("auth_missing", "missing"),
            "auth_invalid": ("auth_invalid", "invalid"),
            "access_denied": ("access_denied", "Access denied"),
            "ip_denied": ("ip_denied", "IP address"),
            "not_found": ("not_found", "404"),
            "method": ("method", "405"),
            "media_type": ("media_type", "415"),
            "no_service": ("no_service", "501"),
        }
        self.assertEqual(set(expected), set(ERRORS))
        for name, (reason, words) in expected.items():
            with self.subTest(error=name):
                self.fake.forced = name
                with self.assertRaises(SimotelError) as caught:
                    self.ping()
                self.assertEqual(caught.exception.reason, reason)
                self.assertEqual(caught.exception.status, ERRORS[name][0])
                self.assertIn(words, str(caught.exception))

    def test_real_auth_failures(self):
        self.company.simotel_api_password = "wrong"
        with self.assertRaises(SimotelError) as caught:
            self.ping()
        self.assertEqual(caught.exception.reason, "auth_invalid")
        self.company.simotel_auth_mode = "apikey"  # server wants both: Basic is missing
        with self.assertRaises(SimotelError) as caught:
            self.ping()
        self.assertEqual(caught.exception.reason, "auth_missing")

    def test_success_zero_carries_simotel_message(self):
        with self.assertRaises(SimotelError) as caught:
            self.company._simotel_client().call("call/originate/act", {"caller": "557"}, method="PUT")
        self.assertEqual(caught.exception.reason, "failed")
        self.assertIn("Field 'callee':value is missing", str(caught.exception))

    def test_non_json_reply(self):
        self.fake.forced = (200, "text/html", b"<html>captive portal</html>")
        with self.assertRaises(SimotelError) as caught:
            self.ping()
        self.assertEqual(caught.exception.reason, "not_json")

    def test_report_pages(self):
        """A report page is read with or without its total; one without a list of rows is refused clearly."""
        client = self.company._simotel_client()
        searches = {
            "call report": lambda: client.cdr_search("2024-01-01 00:00", "2024-01-02 00:00"),
            "a report": lambda: client.poll_search("2024-01-01 00:00", "2024-01-02 00:00"),
        }
        replies = [
            ({"data": [{"cuid": "1.1"}], "pagination": {"total": "7"}}, ([{"cuid": "1.1"}], 7)),
            ({"data": [], "pagination": "none"}, ([], None)),
            ({"data": [], "pagination": {"total": "many"}}, ([], None)),
        ]
        for name, search in searches.items():
            for data, expected in replies:
                with self.subTest(name, data=data):
                    self.fake.forced = (200, "application/json", json.dumps({"success": 1, "data": data}).encode())
                    self.assertEqual(search(), expected)
            for data in ({"data": "rows"}, ["rows"], None):
                with self.subTest(name, data=data):
                    self.fake.forced = (200, "application/json", json.dumps({"success": 1, "data": data}).encode())
                    with self.assertRaises(SimotelError) as caught:
                        search()
                    self.assertEqual(caught.exception.reason, "not_json")
                    self.assertIn(name, str(caught.exception))

    def test_timeout(self):
        self.fake.delay = 1.5
        self.company.simotel_timeout = 0.3
        with self.assertRaises(SimotelError) as caught:
            self.ping()
        self.assertEqual(caught.exception.reason, "timeout")

    def test_connection_refused(self):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        self.company.simotel_server_url = f"http://127.0.0.1:{port}"
        with self.assertRaises(SimotelError) as caught:
            self.ping()
        self.assertEqual(caught.exception.reason, "refused")

    def test_dns_failure_is_recognised(self):
        # Odoo's test framework blocks requests to other hosts than localhost,
        # so the resolver error is built the way urllib3 wraps it.
        gaierror = socket.gaierror(-2, "Name or service not known")
        try:
            try:
                raise gaierror
            except socket.gaierror as inner:
                raise requests.exceptions.ConnectionError("Max retries exceeded") from inner
        except requests.exceptions.ConnectionError as error:
            self.assertTrue(_is_dns_failure(error))
        self.assertFalse(_is_dns_failure(requests.exceptions.ConnectionError("Connection refused")))

    def test_tls_failure(self):
        self.company.simotel_server_url = self.fake.url.replace("http://", "https://")
        with self.assertRaises(SimotelError) as caught:
            self.ping()
        self.assertEqual(caught.exception.reason, "tls")

    def test_not_configured(self):
        self.company.simotel_server_url = False
        with self.assertRaises(SimotelError) as caught:
            self.ping()
        self.assertEqual(caught.exception.reason, "not_configured")
        self.assertFalse(self.fake.requests)

    def test_settings_test_connection_button(self):
        settings = self.env["res.config.settings"].create({})
        action = settings.action_simotel_test_connection()
        self.assertEqual(action["params"]["type"], "success")
        self.fake.forced = "ip_denied"
        action = settings.action_simotel_test_connection()
        self.assertEqual(action["params"]["type"], "danger")
        self.assertIn("IP", action["params"]["message"])
