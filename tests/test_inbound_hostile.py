"""Hostile requests to the inbound routes (SEA, lookups, anything under /simotel/), through the real HTTP stack.

Every answer must be JSON in Simotel's shape, 4xx (never 5xx, never HTML) and fast.
"""

import base64
import contextlib
import json
import logging
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from urllib.parse import urlencode

import odoo
from odoo import Command
from odoo.tests import BaseCase, HttpCase, tagged
from odoo.tools import config

from ..hooks import post_load
from ..tools import inbound
from . import sea_samples as samples
from .common import inbound_settings
from .rpc_session import RpcSession

_logger = logging.getLogger(__name__)

A_AUTH = ("pbx-a", "a-secret-1")
B_AUTH = ("pbx-b", "b-secret-2")
FAST = 1.0  # seconds: every refusal answers within this


def basic(auth):
    return "Basic " + base64.b64encode(("%s:%s" % auth).encode()).decode()


class InboundCase(RpcSession, HttpCase):
    """Two companies: A with Basic credentials, B protected by IP only (127.0.0.1, where the tests come from)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # pytest imports the addon before Odoo loads it, so Odoo skipped the manifest's post_load hook in this
        # process (a server runs it when it imports the module; TestInboundOutage checks one): run it as Odoo does.
        post_load()
        cls.company_a = cls.env.company
        cls.company_a.write(
            inbound_settings(A_AUTH, country_id=cls.env.ref("base.ir").id, simotel_inbound_ips=False, sequence=10)
        )
        cls.company_b = cls.env["res.company"].create(
            {
                "name": "Branch B",
                "country_id": cls.env.ref("base.ir").id,
                "simotel_inbound_auth": "ip",
                "simotel_inbound_ips": "127.0.0.1",
                "sequence": 1,  # before A: the first company whose protection accepts is not the answer
            }
        )
        ApiCall = cls.env["simotel.api.call"]
        cls.ivr_a = ApiCall.create(
            {
                "name": "IVR A",
                "code": "ivr-a",
                "company_id": cls.company_a.id,
                "reply_format": "ivr",
                "empty_value": "a-default",
                "item_ids": [Command.create({"kind": "known", "value_true": "a-known", "value_false": ""})],
            }
        )
        cls.ivr_b = ApiCall.create(
            {
                "name": "IVR B",
                "code": "ivr-b",
                "company_id": cls.company_b.id,
                "reply_format": "ivr",
                "empty_value": "b-default",
                "item_ids": [Command.create({"kind": "known", "value_true": "b-known", "value_false": ""})],
            }
        )
        cls.Event = cls.env["simotel.event"]

    def setUp(self):
        super().setUp()
        inbound.FAILED_CREDENTIALS.reset()
        self.addCleanup(inbound.FAILED_CREDENTIALS.reset)
        # A server builds its routing map at its first request, once: not part of what is timed here.
        self.opener.get(self.base_url() + "/simotel/", timeout=30)

    def request(self, path, data=None, auth=None, content_type="application/json", method="POST", headers=None):
        headers = dict(headers or {})
        if auth:
            headers["Authorization"] = basic(auth)
        if content_type:
            headers["Content-Type"] = content_type
        started = time.perf_counter()
        response = self.opener.request(method, self.base_url() + path, data=data, headers=headers, timeout=30)
        response.elapsed_s = time.perf_counter() - started
        return response

    def sea(self, payload, auth=A_AUTH, raw=None, path="/simotel/sea", **kwargs):
        data = raw if raw is not None else json.dumps(payload)
        return self.request(path, data, auth=auth, **kwargs)

    def lookup(self, code, payload, auth=A_AUTH, raw=None, **kwargs):
        data = raw if raw is not None else json.dumps(payload)
        return self.request("/simotel/lookup/" + code, data, auth=auth, **kwargs)

    def assertJson(self, response, status, body=None):
        """A fast JSON answer with ``status`` (and ``body`` when given)."""
        self.assertEqual(response.status_code, status, response.text[:300])
        self.assertEqual(response.headers.get("Content-Type"), "application/json; charset=utf-8", response.text[:300])
        self.assertLess(response.elapsed_s, FAST)
        if body is not None:
            self.assertEqual(response.json(), body)
        return response.json()

    def assertSeaRefused(self, response, status):
        body = self.assertJson(response, status)
        self.assertEqual(body["success"], 0)
        self.assertTrue(body["message"])


@tagged("post_install", "-at_install")
class TestInboundIdentity(InboundCase):
    """Which company an inbound request belongs to, and what an address may try."""

    def test_credentials_decide_the_company_not_the_ip(self):
        response = self.sea(dict(samples.CDR_LOCAL, unique_id="ident.1"), auth=A_AUTH)
        self.assertJson(response, 200)
        event = self.Event.search([("unique_id", "=", "ident.1")])
        self.assertEqual(event.company_id, self.company_a, "A's credentials from an address B allows land in A")
        self.assertJson(
            self.lookup("ivr-a", {"src": "09121234567"}, auth=A_AUTH), 200, {"ok": "1", "case": "a-default"}
        )

    def test_wrong_credentials_never_fall_back_to_an_ip_only_company(self):
        count = self.Event.search_count([])
        self.assertSeaRefused(self.sea(dict(samples.CDR_LOCAL, unique_id="ident.2"), auth=(A_AUTH[0], "guess")), 401)
        self.assertEqual(self.Event.search_count([]), count)
        self.assertJson(self.lookup("ivr-b", {"src": "0912"}, auth=(A_AUTH[0], "guess")), 401, {"ok": "0"})

    def test_ip_only_company_when_no_credentials_company_claims_the_request(self):
        self.assertJson(self.sea(dict(samples.CDR_LOCAL, unique_id="ident.3"), auth=None), 200)
        self.assertEqual(self.Event.search([("unique_id", "=", "ident.3")]).company_id, self.company_b)
        self.assertJson(self.lookup("ivr-b", {"src": "0912"}, auth=None), 200, {"ok": "1", "case": "b-default"})
        # Another company's code is not served to this company's credentials.
        self.assertJson(self.lookup("ivr-b", {"src": "0912"}, auth=A_AUTH), 404, {"ok": "0"})

    def test_codes_cannot_be_enumerated(self):
        self.company_b.simotel_inbound_ips = "10.1.2.3"  # nobody here is let in by IP
        known = self.lookup("ivr-a", {"src": "0912"}, auth=(A_AUTH[0], "guess"))
        unknown = self.lookup("no-such-code", {"src": "0912"}, auth=(A_AUTH[0], "guess"))
        self.assertJson(known, 401, {"ok": "0"})
        self.assertJson(unknown, 401, {"ok": "0"})
        anonymous = [self.lookup(code, {"src": "0912"}, auth=None) for code in ("ivr-a", "no-such-code")]
        self.assertEqual(
            [(r.status_code, r.text) for r in anonymous], [(anonymous[0].status_code, anonymous[0].text)] * 2
        )
        # Once authenticated, an unknown code is a 404.
        self.assertJson(self.lookup("no-such-code", {"src": "0912"}), 404, {"ok": "0"})

    def test_repeated_failed_credentials_cool_down(self):
        logger = "odoo.addons.simotel_connector.models.res_company"
        with self.assertLogs(logger, logging.INFO) as logs:
            for _i in range(inbound.FAILED_CREDENTIALS.limit):
                self.assertSeaRefused(self.sea(samples.CDR_LOCAL, auth=(A_AUTH[0], "guess")), 401)
            for _i in range(20):
                self.assertSeaRefused(self.sea(samples.CDR_LOCAL, auth=(A_AUTH[0], "guess")), 429)
            # The right password is refused too while the address cools down, on every route.
            self.assertSeaRefused(self.sea(samples.CDR_LOCAL, auth=A_AUTH), 429)
            self.assertJson(self.lookup("ivr-a", {"src": "0912"}, auth=A_AUTH), 429, {"ok": "0"})
        warnings = [line for line in logs.output if line.startswith("WARNING")]
        self.assertEqual(len(warnings), 1, logs.output)
        self.assertIn("127.0.0.1", warnings[0])
        for line in logs.output:
            self.assertNotIn("guess", line)
            self.assertNotIn(A_AUTH[1], line)
        inbound.FAILED_CREDENTIALS.reset()
        self.assertJson(self.sea(samples.CDR_LOCAL, auth=A_AUTH), 200)

    def test_each_refusal_logs_one_line_without_secrets(self):
        # Odoo names level 25 "INFO" too: the level is given as a number.
        secret_header = basic((A_AUTH[0], "guess-pass"))
        ours = "odoo.addons.simotel_connector."
        refusals = [
            ("controllers.sea", lambda: self.sea(samples.CDR_LOCAL, auth=(A_AUTH[0], "guess-pass"))),
            ("controllers.lookup", lambda: self.lookup("ivr-a", {"src": "0912"}, auth=(A_AUTH[0], "guess-pass"))),
            ("controllers.sea", lambda: self.sea(None, raw="{not json")),
            ("controllers.lookup", lambda: self.lookup("ivr-a", None, raw='{"src": "a\\u0000"}')),
            ("hooks", lambda: self.sea(None, raw=b"x" * (inbound.MAX_BODY_BYTES + 1))),
            ("controllers.not_found", lambda: self.request("/simotel/nope", b"{}", auth=A_AUTH)),
        ]
        for logger, refuse in refusals:
            with self.subTest(logger=logger):
                with self.assertLogs(ours + logger, logging.INFO) as logs:
                    response = refuse()
                self.assertGreaterEqual(response.status_code, 400)
                self.assertEqual(len(logs.output), 1, logs.output)
                for secret in ("guess-pass", A_AUTH[1], secret_header.split()[1]):
                    self.assertNotIn(secret, logs.output[0])

    def test_refused_lookup_logs_the_callers_number(self):
        """An admin reading the log of a refused lookup sees which call it was (number capped, no secret)."""
        ours = "odoo.addons.simotel_connector.controllers.lookup"
        with self.assertLogs(ours, logging.INFO) as logs:
            response = self.lookup("ivr-a", {"src": "09121234567", "data": "x" * 40}, auth=(A_AUTH[0], "guess-pass"))
        self.assertEqual(response.status_code, 401)
        self.assertIn("number='09121234567'", logs.output[0])
        self.assertNotIn("guess-pass", logs.output[0])
        with self.assertLogs(ours, logging.INFO) as logs:
            self.lookup("ivr-a", {"src": "0" * 300}, auth=(A_AUTH[0], "guess-pass"))
        self.assertIn("number='%s'" % ("0" * 32), logs.output[0])
        self.assertNotIn("0" * 33, logs.output[0])

    def test_settings_warn_about_ip_only_protection(self):
        arch = self.env["res.config.settings"].get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn("trust anything behind those addresses", arch)
        self.assertIn("proxy-mode", arch)


class TestResolveCompany(BaseCase):
    """The one decision of which company an inbound request belongs to (tools/inbound.py), case by case."""

    def test_resolve_company(self):
        net = inbound.parse_networks
        a = inbound.Protection("basic", "pbx-a", "pa", ())
        b = inbound.Protection("ip", "", "", tuple(net("10.0.0.0/8")))
        c = inbound.Protection("basic_ip", "pbx-c", "pc", tuple(net("192.168.1.0/24")))
        d = inbound.Protection("basic", "pbx-a", "pd", ())  # same username as A, another password
        candidates = [("B", b), ("A", a), ("C", c), ("D", d)]
        cases = [
            ("10.1.1.1", ("pbx-a", "pa"), "A"),  # A's credentials from B's network: A
            ("10.1.1.1", ("pbx-a", "pd"), "D"),
            ("10.1.1.1", ("pbx-a", "nope"), 401),  # A's username, wrong password: never B
            ("10.1.1.1", None, "B"),
            ("10.1.1.1", ("someone", "else"), "B"),  # a username nobody has: the IP-only company
            ("172.16.0.1", ("someone", "else"), 401),
            ("172.16.0.1", None, 401),
            ("192.168.1.5", ("pbx-c", "pc"), "C"),
            ("10.1.1.1", ("pbx-c", "pc"), 403),  # C's credentials from elsewhere: refused, not B
            ("::ffff:10.1.1.1", None, "B"),
            ("not an ip", None, 401),
        ]
        for address, credentials, expected in cases:
            with self.subTest(address=address, credentials=credentials):
                try:
                    result = inbound.resolve_company(candidates, address, credentials)
                except inbound.InboundError as e:
                    result = e.status
                self.assertEqual(result, expected)
        self.assertEqual(inbound.resolve_company([("B", b)], "10.0.0.1", ("x", "y")), "B")
        with self.assertRaises(inbound.InboundError) as refused:
            inbound.resolve_company([("B", b)], "11.0.0.1", None)
        self.assertEqual(refused.exception.status, 403)
        with self.assertRaises(inbound.InboundError) as refused:
            inbound.resolve_company([], "10.0.0.1", ("pbx-a", "pa"))
        self.assertEqual(refused.exception.status, 401)

    def test_failed_credentials_cool_down_and_are_forgotten(self):
        now = [1000.0]
        throttle = inbound.FailedCredentials(limit=3, window=60, cooldown=30, max_addresses=4, clock=lambda: now[0])
        self.assertEqual([throttle.failed("1.1.1.1") for _i in range(3)], [False, False, True])
        self.assertTrue(throttle.cooling("1.1.1.1"))
        self.assertFalse(throttle.cooling("2.2.2.2"))
        now[0] += 31
        self.assertFalse(throttle.cooling("1.1.1.1"), "the cool-down ends")
        self.assertFalse(throttle.failed("1.1.1.1"), "and counting starts again")
        throttle.failed("3.3.3.3")
        now[0] += 61
        self.assertEqual([throttle.failed("3.3.3.3") for _i in range(2)], [False, False], "old failures expire")
        for i in range(10):  # many addresses: memory stays bounded
            throttle.failed("10.0.0.%d" % i)
        self.assertLessEqual(len(throttle._addresses), 4)


@tagged("post_install", "-at_install")
class TestInboundBounds(InboundCase):
    """Every input bounded before it is parsed; every answer JSON in Simotel's shape."""

    def raw_post(self, path, length, sent, content_type="application/x-www-form-urlencoded"):
        """Announce ``length`` bytes, send ``sent`` of them, read the answer; ``(status, headers, body, seconds)``."""
        host, port = self.base_url().split("//")[1].split(":")
        started = time.perf_counter()
        with socket.create_connection((host, int(port)), timeout=5) as sock:
            head = (
                f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: {content_type}\r\n"
                f"Authorization: {basic(A_AUTH)}\r\nContent-Length: {length}\r\n\r\n"
            )
            sock.sendall(head.encode() + sent)
            data = b""
            while b"\r\n\r\n" not in data or len(data.split(b"\r\n\r\n", 1)[1]) < 2:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                data += chunk
        elapsed = time.perf_counter() - started
        head, _sep, body = data.partition(b"\r\n\r\n")
        lines = head.decode().split("\r\n")
        headers = dict(line.split(": ", 1) for line in lines[1:])
        return int(lines[0].split()[1]), headers, body, elapsed

    def test_huge_bodies_refused_before_they_are_read(self):
        for path, shape in (("/simotel/sea", "success"), ("/simotel/lookup/ivr-a", "ok")):
            with self.subTest(path=path):
                status, headers, body, elapsed = self.raw_post(path, 60 * 1024 * 1024, b"src=" + b"1" * 65536)
                self.assertEqual(status, 413)
                self.assertEqual(headers["Content-Type"], "application/json; charset=utf-8")
                self.assertIn(shape, json.loads(body.split(b"\r\n")[-1] or body))
                self.assertLess(elapsed, FAST)
        # The whole 60 MB sent by a client that does not wait.
        response = self.sea(
            None, raw=b"src=" + b"1" * (60 * 1024 * 1024), content_type="application/x-www-form-urlencoded"
        )
        self.assertSeaRefused(response, 413)
        chunked = self.request(
            "/simotel/sea",
            data=iter([b"event_name=Ping"]),
            auth=A_AUTH,
            content_type="application/x-www-form-urlencoded",
        )
        self.assertSeaRefused(chunked, 411)

    def test_adversarial_text_in_every_string_field(self):
        size = inbound.MAX_BODY_BYTES - 2048
        attacks = {
            "spaces": "0912" + " " * size + "1234567",
            "extension": "0912 " + "x " * (size // 2) + "1",
            "digits": "9" * size,
            "persian": "۰" * (size // 7),
            "date": "2021-01-16 06:30:37." + "1" * 20 + " " * size + "x",
        }
        cases = [("/simotel/lookup/ivr-a", {"src": "09121234567", "dst": "021", "data": "", "unique_id": "1.1"})]
        cases += [("/simotel/sea", dict(samples.CDR_QUEUE, detail=[]))]
        cases += [("/simotel/sea", payload) for payload in samples.OTHER_EVENTS.values()]
        for path, payload in cases:
            for field in [key for key, value in payload.items() if isinstance(value, str) and key != "event_name"]:
                for name, text in attacks.items():
                    with self.subTest(path=path, event=payload.get("event_name"), field=field, attack=name):
                        response = self.request(path, json.dumps(dict(payload, **{field: text})), auth=A_AUTH)
                        self.assertIn(response.status_code, (200, 400), response.text[:200])
                        self.assertJson(response, response.status_code)

    def test_phone_with_many_spaces_is_cheap_over_rpc(self):
        partner = self.env["res.partner"].create({"name": "Spacey"})
        self.authenticate("admin", "admin")
        started = time.perf_counter()
        answer = self.call_kw("res.partner", "write", [[partner.id], {"phone": "0912" + " " * 20000 + "1234567"}])
        self.assertEqual(answer.get("result"), True, answer)
        self.assertLess(time.perf_counter() - started, FAST)

    def test_nul_and_control_characters_are_refused(self):
        for field in ("unique_id", "src", "dst", "disposition"):
            for char in ("\x00", "\x07", "\x1b"):
                with self.subTest(field=field, char=repr(char)):
                    payload = dict(samples.CDR_LOCAL, **{field: "1610778618" + char + "378"})
                    self.assertSeaRefused(self.sea(payload), 400)
                    self.assertSeaRefused(
                        self.sea(None, raw=urlencode(payload), content_type="application/x-www-form-urlencoded"), 400
                    )
        query = "/simotel/sea/Cdr?" + urlencode(dict(samples.CDR_LOCAL, src="99\x001"))
        self.assertSeaRefused(self.request(query, auth=A_AUTH, method="GET", content_type=None), 400)
        for field in ("src", "data", "unique_id"):
            with self.subTest(lookup=field):
                response = self.lookup("ivr-a", {"src": "09121234567", field: "0912\x001234567"})
                self.assertJson(response, 400, {"ok": "0"})
        self.assertSeaRefused(self.sea(None, raw='{"event_name": "Ping", "a\\u0000b": 1}'), 400)

    def test_deeply_nested_json(self):
        for raw in ("[" * 30000 + "]" * 30000, '{"a":' * 10000 + "1" + "}" * 10000):
            with self.subTest(size=len(raw)):
                self.assertSeaRefused(self.sea(None, raw=raw), 400)
                self.assertJson(self.lookup("ivr-a", None, raw=raw), 400, {"ok": "0"})
        nested = json.dumps(dict(samples.CDR_LOCAL, extra=json.loads('{"a":' * 200 + "1" + "}" * 200)))
        self.assertSeaRefused(self.sea(None, raw=nested), 400)

    def test_absurd_dates_and_wrong_types(self):
        cases = {
            "month 13": dict(samples.CDR_LOCAL, starttime="2021-13-01 10:00:00"),
            "year 9999 minus an offset": dict(samples.CDR_LOCAL, starttime="9999-12-31 23:59:59-14:00"),
            "year 1 plus an offset": dict(samples.CDR_LOCAL, endtime="0001-01-01 00:00:00+14:00"),
            "timestamp far away": dict(samples.CDR_LOCAL, starttime="9999999999999.5"),
            "not a date": dict(samples.CDR_LOCAL, endtime="yesterday"),
            "unique_id true": dict(samples.CDR_LOCAL, unique_id=True),
            "unique_id list": dict(samples.CDR_LOCAL, unique_id=["1"]),
            "src object": dict(samples.CDR_LOCAL, src={"a": 1}),
            "huge number": None,
        }
        count = self.Event.search_count([])
        for name, payload in cases.items():
            with self.subTest(case=name):
                raw = (
                    json.dumps(payload)
                    if payload
                    else json.dumps(samples.CDR_LOCAL)[:-1] + ', "wait": 1' + "0" * 5000 + "}"
                )
                self.assertSeaRefused(self.sea(None, raw=raw), 400)
        self.assertEqual(self.Event.search_count([]), count, "a refused delivery stores nothing")
        self.assertJson(self.lookup("ivr-a", {"src": True}), 400, {"ok": "0"})
        self.assertJson(self.lookup("ivr-a", {"src": {"$gt": ""}}), 400, {"ok": "0"})

    def test_unique_id_is_kept_as_sent(self):
        raw = json.dumps(dict(samples.CDR_LOCAL, unique_id="X"))
        raw = raw.replace('"X"', "1610778618.30")
        self.assertJson(self.sea(None, raw=raw), 200)
        event = self.Event.search([("unique_id", "like", "1610778618.3%")])
        self.assertEqual(event.mapped("unique_id"), ["1610778618.30"])
        self.assertEqual(event._simotel_payload()["unique_id"], "1610778618.30")
        raw = json.dumps({"src": "09121234567", "unique_id": "X"}).replace('"X"', "1610778618.30")
        self.assertJson(self.lookup("ivr-a", None, raw=raw), 200)
        log = self.env["simotel.lookup.log"].search([("api_call_id", "=", self.ivr_a.id)], limit=1)
        self.assertEqual(log.unique_id, "1610778618.30")

    def test_every_answer_under_simotel_is_json(self):
        for method, path in (
            ("POST", "/simotel/nope"),
            ("GET", "/simotel/"),
            ("GET", "/simotel/lookup/ivr-a/extra"),
            ("POST", "/simotel/sea/Cdr/extra"),
        ):
            with self.subTest(path=path):
                response = self.request(path, b"{}", auth=A_AUTH, method=method)
                body = self.assertJson(response, 404)
                self.assertEqual(body, {"ok": "0"} if "lookup" in path else {"success": 0, "message": "not found"})
        self.assertJson(self.lookup("bad%20code", {"src": "0912"}), 404, {"ok": "0"})
        self.assertJson(self.lookup("x" * 65, {"src": "0912"}), 404, {"ok": "0"})
        response = self.request("/simotel/sea", b"{}", auth=A_AUTH, method="DELETE")
        self.assertIn(response.status_code, (404, 405))
        self.assertSeaRefused(response, response.status_code)


class UnixSocketRelay(threading.Thread):
    """PostgreSQL's Unix socket relayed through a directory of ours, until :meth:`cut` (a database going away)."""

    def __init__(self, target, directory, port):
        super().__init__(daemon=True)
        self.target = target
        self.path = os.path.join(directory, ".s.PGSQL.%d" % port)
        self.listener = socket.socket(socket.AF_UNIX)
        self.listener.bind(self.path)
        self.listener.listen(16)
        self.sockets = []

    def run(self):
        while True:
            try:
                client, _address = self.listener.accept()
            except OSError:
                return  # cut
            upstream = socket.socket(socket.AF_UNIX)
            upstream.connect(self.target)
            self.sockets += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self.pump, args=(source, sink), daemon=True).start()

    def pump(self, source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            _logger.debug("relay socket closed")
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def cut(self):
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)
        self.listener.close()
        with contextlib.suppress(OSError):
            os.unlink(self.path)
        for sock in self.sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


@tagged("post_install", "-at_install")
class TestInboundOutage(HttpCase):
    """With the database unreachable, a server loaded with ``--load=base,web,simotel_connector`` answers JSON 503."""

    def free_port(self):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            return sock.getsockname()[1]

    def start_server(self, *args):
        port = self.free_port()
        odoo_bin = os.path.join(os.path.dirname(os.path.dirname(odoo.__file__)), "odoo-bin")
        command = [sys.executable, odoo_bin, "-c", config.rcfile, "--load=base,web,simotel_connector"]
        command += ["--http-interface=127.0.0.1", "--http-port=%d" % port, "--max-cron-threads=0", "--workers=0"]
        command += ["--log-level=warn", *args]
        server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.addCleanup(server.wait, 30)
        self.addCleanup(server.terminate)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return "http://127.0.0.1:%d" % port
            except OSError:
                self.assertIsNone(server.poll(), "the server stopped")
                time.sleep(0.2)
        self.fail("the server did not start")

    def check_outage(self, base_url):
        for path, data in (("/simotel/sea", json.dumps(samples.CDR_LOCAL)), ("/simotel/lookup/x", '{"src": "0912"}')):
            for attempt in range(2):  # the first request may pay for the server's warm-up
                with self.subTest(path=path, attempt=attempt):
                    started = time.perf_counter()
                    response = self.opener.post(
                        base_url + path,
                        data=data,
                        headers={"Content-Type": "application/json", "Authorization": basic(A_AUTH)},
                        timeout=10,
                    )
                    elapsed = time.perf_counter() - started
                    self.assertEqual(response.status_code, 503, response.text[:300])
                    self.assertEqual(response.headers["Content-Type"], "application/json; charset=utf-8")
                    expected = {"ok": "0"} if "lookup" in path else {"success": 0, "message": "service unavailable"}
                    self.assertEqual(response.json(), expected)
                    if attempt:
                        self.assertLess(elapsed, FAST)
        response = self.opener.get(base_url + "/simotel/nope", timeout=10)
        self.assertEqual(response.status_code, 503)
        self.assertEqual(response.headers["Content-Type"], "application/json; charset=utf-8")

    def test_no_database_to_serve(self):
        # No --database: given one that does not exist, odoo-bin would create it.
        self.check_outage(self.start_server("--db-filter=^simotel_no_such_db$"))

    def test_database_lost_while_serving(self):
        pg_socket = "/var/run/postgresql/.s.PGSQL.%d" % (config["db_port"] or 5432)
        self.assertTrue(os.path.exists(pg_socket), "this test relays PostgreSQL's local socket")
        directory = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, directory, True)
        relay = UnixSocketRelay(pg_socket, directory, 5432)
        relay.start()
        self.addCleanup(relay.cut)
        db_name = self.env.cr.dbname
        base_url = self.start_server("--db_host=" + directory, "--db_port=5432", "--db-filter=^%s$" % db_name)
        # Served from the database: the test's own credentials are not committed there, so 401.
        response = self.opener.post(
            base_url + "/simotel/lookup/x", data="{}", headers={"Content-Type": "application/json"}, timeout=60
        )
        self.assertEqual((response.status_code, response.json()), (401, {"ok": "0"}), response.text[:300])
        relay.cut()
        self.check_outage(base_url)

    def test_database_server_down(self):
        self.check_outage(self.start_server("--db_port=%d" % self.free_port(), "--db_host=127.0.0.1"))
