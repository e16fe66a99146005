from odoo.tests import HttpCase, new_test_user, tagged

from .common import inbound_settings
from .rpc_session import RpcSession

AUTH = ("simotel", "attack-s3cret")
JSON = {"Content-Type": "application/json"}


@tagged("post_install", "-at_install")
class TestAttackInbound(HttpCase):
    """Hostile bodies an authenticated (or compromised) PBX can send."""

    def setUp(self):
        super().setUp()
        self.env.company.write(inbound_settings(AUTH, country_id=self.env.ref("base.ir").id))
        self.env["simotel.api.call"].create(
            {"name": "Probe", "code": "probe", "reply_format": "generic", "item_ids": [(0, 0, {"kind": "known"})]}
        )

    def test_lone_surrogates_are_a_clear_400_not_a_500(self):
        r"""JSON may escape a lone UTF-16 surrogate (``"\ud800"``): Python reads it, UTF-8 cannot
        encode it, and the request fails as an internal error (500) on both routes."""
        cases = [
            ("/simotel/sea", b'{"event_name": "Cdr", "unique_id": "1.1", "src": "\\ud800", "dst": "557"}'),
            (
                "/simotel/sea",
                b'{"event_name": "NewState", "unique_id": "\\ud800", "exten": "557", "state": "Ringing"}',
            ),
            ("/simotel/lookup/probe", b'{"src": "\\ud800"}'),
            ("/simotel/lookup/probe", b'{"src": "09121234567", "data": "\\udfff"}'),
        ]
        for path, body in cases:
            with self.subTest(path=path, body=body):
                response = self.opener.post(self.base_url() + path, data=body, auth=AUTH, headers=JSON, timeout=30)
                self.assertEqual(response.status_code, 400, response.text)
                self.assertEqual(response.headers["Content-Type"], "application/json; charset=utf-8")


@tagged("post_install", "-at_install")
class TestAttackCacheFlush(RpcSession, HttpCase):
    """Any logged-in user, portal included, empties the server's method cache with a refused write."""

    def cached(self):
        cache = self.registry._Registry__caches["default"]
        return any("_simotel_settings_by_company" in repr(key) for key in list(cache.d))

    def test_refused_writes_do_not_clear_the_cache(self):
        new_test_user(self.env, "attack_portal", groups="base.group_portal")
        self.login_as("attack_portal")
        portal = self.env["res.users"].search([("login", "=", "attack_portal")])
        for model, ids, values in [
            ("res.users", portal.ids, {"login": "attack_portal2"}),  # control: refused, cache kept
            ("res.users", portal.ids, {"active": True}),
            ("res.partner", self.env.company.partner_id.ids, {"tz": "UTC"}),
        ]:
            with self.subTest(model=model, values=values):
                self.env["res.company"]._simotel_settings_by_company()
                self.assertTrue(self.cached())
                answer = self.call_kw(model, "write", [ids, values])
                self.assertEqual(self.error_name(answer), "AccessError", answer)
                self.assertTrue(self.cached(), "a refused write emptied the cache every request reads")
