"""Attacks on the SEA Transfer events and on the Trunk API reply of lookups.

Each test posts through Odoo's real HTTP stack, as the PBX does, and states the attack and the safe
behaviour expected.
"""

import base64
import json

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import HttpCase, tagged

from . import sea_samples as samples
from .common import SeaCase, salesperson

CUID = "1613906999.41"
CUSTOMER = "09121234567"


def cdr(dst="557"):
    """An answered inbound call from the customer's mobile to extension ``dst``."""
    return {**samples.CDR_INCOMING_V3, "cuid": CUID, "dst": dst, "src": CUSTOMER}


def transfer(who, transferred_to, transferred_from=CUSTOMER):
    return {
        "event_name": "Transfer",
        "unique_id": CUID,
        "transferer": who,
        "transferred_from": transferred_from,
        "transferred_to": transferred_to,
    }


@tagged("post_install", "-at_install")
class TestAttackSeaEvents(SeaCase):
    def setUp(self):
        super().setUp()
        self.sara = salesperson(self.env, "sara.attack_sea", "557", name="Sara Sales")
        self.reza = salesperson(self.env, "reza.attack_sea", "558", name="Reza Support")
        # The customer's salesperson is nobody: only the agent of the call sees it.
        self.customer = self.env["res.partner"].create({"name": "Customer Ali", "mobile": "0912 123 4567"})

    def call(self):
        return self.call_of(CUID)

    def test_transfer_back_and_forth_keeps_the_real_final_agent(self):
        """Attack: a call is handed 557 -> 558, back 558 -> 557, then again 557 -> 558 (the customer is
        passed around; a PBX user can also do it on purpose). The third Transfer has the same three
        fields as the first and is dropped as a "repetition", so Odoo names Sara (557) the call's
        final agent: Reza, who finished the call, loses it from his calls and his survey scores go to
        Sara. Expected: each real hand-over counts (only a retry of the latest step is a repetition):
        the call's agent is Reza, and the chain has three steps."""
        self.deliver(cdr())
        self.process()
        self.assertEqual(self.call().user_id, self.sara)
        self.deliver(transfer("557", "558"))
        self.deliver(transfer("558", "557"))
        self.deliver(transfer("557", "558"))
        self.env.invalidate_all()
        call = self.call()
        self.assertEqual(call.simotel_transfer_ids.mapped("transferred_to"), ["558", "557", "558"], "three hand-overs")
        self.assertEqual((call.user_id, call.extension), (self.reza, "558"), "the last hand-over decides the agent")

    def test_transfer_to_a_number_of_no_agent_keeps_the_agent(self):
        """Attack: the agent transfers the call to an extension that is no Odoo agent's (a queue such
        as 902, an IVR, a desk phone). ``_simotel_apply`` takes any 2-6 digit number for an agent's
        extension and writes an empty agent: the call is taken away from Sara, who spoke with the
        customer (she can no longer open it, set its result or hear its recording), and its scores
        belong to nobody, while a transfer to an outside number keeps her. Expected: a hand-over to a
        number that is no agent's leaves the call's agent as it was."""
        self.deliver(cdr())
        self.process()
        self.assertEqual(self.call().user_id, self.sara)
        self.deliver(transfer("557", "902"))
        self.env.invalidate_all()
        call = self.call()
        self.assertEqual(call.simotel_transfer_ids.transferred_to, "902")
        self.assertEqual(call.user_id, self.sara, "no agent on 902: the call stays Sara's")
        self.assertTrue(call.with_user(self.sara).has_access("read"), "Sara still sees the call she took")

    def test_voicemails_without_a_number_to_call_back_make_no_leads(self):
        """Attack: a caller who hides their number (or a colleague on extension 558) leaves voicemails.
        With "Voicemail from Unknown Numbers: Create a lead", each one becomes a new lead named
        "Voicemail from ?" (or "from 558") with an activity for the voicemail user: there is no number
        to find the previous lead by, so nothing is merged, and anybody with a withheld number floods
        the CRM and the voicemail user's activities (ten calls, ten leads). Expected: a voicemail
        without a caller number that Odoo can call back is only listed in Simotel > Voicemails."""
        self.company.simotel_voicemail_unknown = "lead"
        Lead = self.env["crm.lead"].with_context(active_test=False)
        before = Lead.search_count([])
        for index, caller in enumerate(["", "", "", "558"]):
            self.deliver(
                {
                    "event_name": "VoiceMail",
                    "id": "attack-vm-%d" % index,
                    "number": "5555",
                    "state": "SUCCESS",
                    "date": "2020-12-31 12:27:31.752195",
                    "filename": "5555_1609417639-vm-record-file-%d.wav" % index,
                    "duration": "14",
                    "caller": caller,
                }
            )
        self.env.invalidate_all()
        self.assertEqual(self.env["simotel.voicemail"].search_count([("key", "like", "attack-vm-")]), 4)
        self.assertEqual(
            Lead.search([], order="id").mapped("name")[before:], [], "leads made for callers nobody can call back"
        )


@tagged("post_install", "-at_install")
class TestAttackTrunkApi(HttpCase):
    USERNAME, PASSWORD = "simotel", "trunk-attack-pass"

    def setUp(self):
        super().setUp()
        self.env.company.write(
            {
                "country_id": self.env.ref("base.ir").id,
                "simotel_inbound_auth": "basic",
                "simotel_inbound_username": self.USERNAME,
                "simotel_inbound_password": self.PASSWORD,
                "simotel_inbound_ips": False,
            }
        )

    def lookup(self, code, src):
        token = base64.b64encode(f"{self.USERNAME}:{self.PASSWORD}".encode()).decode()
        return self.url_open(
            f"/simotel/lookup/{code}",
            data=json.dumps({"src": src, "dst": "02191001000", "unique_id": "1610778618.378", "app_name": "trunk"}),
            headers={"Authorization": f"Basic {token}", "Content-Type": "application/json"},
        )

    def trunk_call(self, code, *items, **values):
        """A Trunk API call "Call back the customer" through NasimTrunk answering the values of ``items``."""
        return self.env["simotel.api.call"].create(
            {
                "name": "Call back the customer",
                "code": code,
                "reply_format": "trunk",
                "trunk_name": "NasimTrunk",
                "item_ids": [Command.create(item) for item in items],
                **values,
            }
        )

    def test_the_customer_never_chooses_the_number_or_trunk_the_company_pays_for(self):
        """Attack: the Trunk API answers which trunk the PBX takes and which outside number it dials at
        the company's cost. Its items accept the "Customer name" and "Customer code" kinds for the
        ``extension`` and ``trunk`` properties, and the answer takes their text as is. A customer
        controls their own name (portal "My account", website forms, e-mail gateway leads): naming
        themselves "0088213555010" makes the PBX dial that premium international number through the
        company's trunk on each of their calls (toll fraud). Expected: such an item is refused when
        it is saved, or the answer never dials a number (nor picks a trunk) taken from the customer's
        own text."""
        self.env["res.partner"].create({"name": "0088213555010", "mobile": CUSTOMER})
        try:
            with self.env.cr.savepoint():
                self.trunk_call(
                    "trunk-attack", {"kind": "name", "key": "extension"}, {"kind": "customer_code", "key": "trunk"}
                )
        except ValidationError:
            return  # refused when saved: safe
        response = self.lookup("trunk-attack", CUSTOMER)
        self.assertEqual(response.status_code, 200, response.text)
        body = response.json()
        self.assertNotEqual(body.get("extension"), "0088213555010", "the customer chose the number dialled: %s" % body)

    def test_customer_text_kinds_are_refused_for_the_trunk_and_the_number_dialled(self):
        """The name and customer-code kinds are refused for ``trunk`` and ``extension`` of a Trunk API
        call, whichever way the item gets there (created, its kind or property changed, the call
        turned into a Trunk API call); they stay allowed for the generic format."""
        ApiCall = self.env["simotel.api.call"]
        trunk = ApiCall.create({"name": "Trunk", "code": "trunk-kinds", "reply_format": "trunk", "trunk_name": "T1"})
        for values in ({"kind": "name", "key": "extension"}, {"kind": "customer_code", "key": "trunk"}):
            with self.subTest(values=values), self.assertRaises(ValidationError), self.env.cr.savepoint():
                trunk.write({"item_ids": [Command.create(values)]})
        trunk.write({"item_ids": [Command.create({"kind": "agent", "key": "extension"})]})
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            trunk.item_ids.kind = "name"
        generic = ApiCall.create(
            {
                "name": "Generic",
                "code": "generic-kinds",
                "reply_format": "generic",
                "item_ids": [Command.create({"kind": "name", "key": "extension"})],
            }
        )
        self.assertEqual(generic.item_ids.kind, "name", "the generic format may answer the customer's name")
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            generic.reply_format = "trunk"

    def test_the_trunk_reply_dials_only_a_number_and_takes_only_a_code_like_trunk(self):
        """Items saved before the kinds were refused (or a value that is no number to dial, no trunk
        name) never reach the PBX: the answer falls back to the call's default number and trunk, as
        when no item has a value."""
        self.env["res.partner"].create({"name": "0088213555010", "ref": "Trunk9", "mobile": CUSTOMER})
        trunk = self.trunk_call(
            "trunk-fallback",
            {"kind": "agent", "key": "extension"},
            {"kind": "agent", "key": "trunk"},
            {"kind": "known", "key": "extension", "value_true": "0912 123 4567 x"},
            {"kind": "known", "key": "trunk", "value_true": "Nasim Trunk"},
            empty_value="02191001000",
        )
        # As saved by an earlier version, before the rule: the customer's name and code.
        self.env.cr.execute(
            "UPDATE simotel_api_call_item SET kind = CASE key WHEN 'extension' THEN 'name' ELSE 'customer_code' END"
            " WHERE id IN %s AND kind = 'agent'",
            [tuple(trunk.item_ids.ids)],
        )
        self.env.invalidate_all()
        self.assertEqual(sorted(trunk.item_ids.mapped("kind")), ["customer_code", "known", "known", "name"])
        response = self.lookup("trunk-fallback", CUSTOMER)
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.json(), {"ok": "1", "trunk": "NasimTrunk", "extension": "02191001000"})
