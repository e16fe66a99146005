import base64
import json
import time

from odoo import Command
from odoo.tests import HttpCase, TransactionCase, new_test_user, tagged

from ..models.res_partner import SimotelCaller
from ..models.simotel_api_call import domain_refusal
from ..models.simotel_api_call_item import REFUSED_WARNINGS
from .common import inbound_settings, iran_company
from .rpc_session import RpcSession

USERNAME, PASSWORD = "simotel", "inbound-s3cret"
SA_PASSWORD = "Zq9-sa-password"


@tagged("post_install", "-at_install")
class TestAttackRoutingDomain(RpcSession, HttpCase):
    """A Simotel administrator (not a system administrator) reads settings only system
    administrators may read, through the routing conditions of API calls: they are checked with
    the administrator's rights when saved, but evaluated as superuser at call time."""

    def setUp(self):
        super().setUp()
        iran_company(
            self,
            **inbound_settings(
                (USERNAME, PASSWORD),
                simotel_phone_country_id=False,
                simotel_inbound_ips=False,
                simotel_api_password=SA_PASSWORD,
            ),
        )
        # The attacker's own phone is a contact of the company (the PBX looks it up when they call).
        self.env["res.partner"].create(
            {"name": "Attacker's phone", "mobile": "09121234567", "company_id": self.company.id}
        )
        new_test_user(
            self.env,
            "attack_simotel_admin",
            groups="base.group_user,simotel_connector.group_simotel_manager",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )

    def lookup(self, code):
        token = base64.b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode()
        response = self.url_open(
            f"/simotel/lookup/{code}",
            data=json.dumps({"src": "09121234567", "dst": "02191001000", "unique_id": "1.1", "app_name": "x"}),
            headers={"Authorization": f"Basic {token}", "Content-Type": "application/json"},
        )
        self.assertEqual(response.status_code, 200, response.text)
        return response.json()

    def protected(self, prefix):
        return repr([("company_id.simotel_api_password", "=like", prefix + "%")])

    def test_contract_domain_saved_before_the_source_is_switched_is_not_checked(self):
        """The condition is written while the contract source is "fields" (not checked), then
        the source is switched to "domain" (the constraint does not watch it)."""
        self.login_as("attack_simotel_admin")
        # The check does refuse the protected field when it runs:
        answer = self.call_kw(
            "simotel.api.call",
            "create",
            [{"name": "Probe", "code": "probe0", "contract_source": "domain", "contract_domain": self.protected("Z")}],
        )
        self.assertIsNotNone(self.error_name(answer), "precondition: the protected field is refused when checked")
        results = {}
        for guess in ("Z", "Q"):
            code = f"probe-{guess}"
            answer = self.call_kw(
                "simotel.api.call",
                "create",
                [
                    {
                        "name": f"Probe {guess}",
                        "code": code,
                        "reply_format": "generic",
                        "contract_source": "fields",
                        "contract_domain": self.protected(guess),
                        "item_ids": [Command.create({"kind": "contract"})],
                    }
                ],
            )
            self.assertIsNone(self.error_name(answer), answer)
            api_call_id = answer["result"]
            answer = self.web_save("simotel.api.call", [api_call_id], {"contract_source": "domain"})
            if self.error_name(answer):
                results[guess] = "refused"
                continue
            results[guess] = self.lookup(code)
        self.assertEqual(
            results["Z"],
            results["Q"],
            "the answers to the PBX (also in the lookup log) tell which guess of the SA password is right",
        )

    def test_item_condition_that_changes_after_the_check(self):
        """A condition is code: it can name an allowed field when saved and the protected one
        at call time."""
        self.login_as("attack_simotel_admin")
        at = time.time() + 2
        items = [
            Command.create(
                {
                    "kind": "domain",
                    "key": f"guess_{guess}",
                    "domain": f"[('company_id.simotel_api_password' if time.time() > {at} else 'name', "
                    f"'=like', '{guess}%')]",
                }
            )
            for guess in ("Z", "Q")
        ]
        answer = self.call_kw(
            "simotel.api.call",
            "create",
            [{"name": "Probe", "code": "probe-items", "reply_format": "generic", "item_ids": items}],
        )
        if self.error_name(answer):
            return  # refused: nothing to probe
        time.sleep(max(0, at - time.time()) + 0.5)
        reply = self.lookup("probe-items")
        self.assertEqual(
            reply.get("guess_Z"),
            reply.get("guess_Q"),
            "the answer to the PBX (also in the lookup log) tells which guess of the SA password is right",
        )


@tagged("post_install", "-at_install")
class TestRoutingDomainRefusal(TransactionCase):
    """The call-time check of routing conditions: a pure function of the evaluated domain."""

    def test_domain_refusal(self):
        registry = self.env.registry
        allowed = [
            [],
            [("name", "=like", "A%")],
            ["|", ("category_id.name", "=", "VIP"), "!", ("commercial_partner_id.ref", "=", "1")],
            [(1, "=", 1)],
            [("child_ids", "any", [("email", "!=", False)])],
            [("simotel_contract_state", "=", "active")],  # not stored, searchable
        ]
        for domain in allowed:
            with self.subTest(domain=domain):
                self.assertIsNone(domain_refusal(registry, "res.partner", domain))
        refused = [
            [("company_id.simotel_api_password", "=like", "Z%")],  # groups=base.group_system
            [("user_ids.password", "!=", False)],  # not stored, not searchable
            [("no_such_field", "=", 1)],
            [("name.id", "=", 1)],  # a path through a text field
            [("child_ids", "any", [("company_id.simotel_inbound_password", "!=", False)])],
            [("child_ids", "not any", [("user_ids.password", "=", "x")])],
            "[('name', '=', 'x')]",  # not evaluated
            [("name", "=")],
            [(("name",), "=", "x")],
        ]
        for domain in refused:
            with self.subTest(domain=domain):
                self.assertTrue(domain_refusal(registry, "res.partner", domain))

    def test_refused_condition_logs_once_per_api_call(self):
        api_call = self.env["simotel.api.call"].create(
            {"name": "Probe", "code": "probe-log", "item_ids": [Command.create({"kind": "domain", "key": "vip"})]}
        )
        partner = self.env["res.partner"].create({"name": "Caller"})
        caller = SimotelCaller(partner.id, partner.id, partner.name, "", "", "none", "")
        config = api_call._simotel_config()
        Item = self.env["simotel.api.call.item"]
        REFUSED_WARNINGS._last.pop(config["id"], None)
        protected = "[('company_id.simotel_api_password', '!=', False)]"
        with self.assertLogs("odoo.addons.simotel_connector.models.simotel_api_call_item", "WARNING") as logs:
            for _repeat in range(3):
                self.assertFalse(Item._simotel_matches(caller, protected, config))
        self.assertEqual(len(logs.output), 1, logs.output)
        self.assertNotIn("Zq9", logs.output[0])
