from odoo.tests import HttpCase, tagged

from .common import allow_websockets, inbound_settings, ringing
from .test_screen_pop import ScreenPopCommon

SEA_USER, SEA_PASSWORD = "simotel", "tour-secret"


class ScreenPopHttpCommon(ScreenPopCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.sudo().write(inbound_settings((SEA_USER, SEA_PASSWORD)))

    def post_event(self, name, **values):
        return self.opener.post(
            f"{self.base_url()}/simotel/sea/{name}",
            json={"event_name": name, **values},
            auth=(SEA_USER, SEA_PASSWORD),
            timeout=12,
        )


@tagged("post_install", "-at_install")
class TestScreenPopHttp(ScreenPopHttpCommon, HttpCase):
    def ring(self, **values):
        event = ringing(self.caller, **values)
        return self.post_event("NewState", **{key: value for key, value in event.items() if value is not None})

    def test_ringing_notifies_the_agent_only(self):
        response = self.ring()
        self.assertTrue(response.ok, response.text)
        self.assertEqual(len(self.pops()), 1)
        [card] = self.pops(self.agent)
        self.assertEqual(card["partner"]["name"], "Ali Rezaei")

    def test_event_is_stored_and_done(self):
        self.assertTrue(self.ring(exten=557).ok)
        event = self.env["simotel.event"].search([("unique_id", "=", "1610778618.378")])
        self.assertEqual(event.mapped("state"), ["done"])
        self.assertEqual(len(self.pops(self.agent)), 1)

    def test_repeated_events_notify_once(self):
        self.assertTrue(self.ring().ok)
        self.assertTrue(self.ring(cuid="1610778618.378", unique_id=None).ok)
        response = self.post_event("IncomingCall", number=self.caller, entry_point="557", unique_id="1610778618.378")
        self.assertTrue(response.ok, response.text)
        self.assertEqual(len(self.pops()), 1)

    def test_unknown_extension_notifies_nobody(self):
        response = self.ring(exten="999")
        self.assertTrue(response.ok, response.text)
        self.assertEqual(self.pops(), [])

    def test_not_ringing_notifies_nobody(self):
        self.assertTrue(self.ring(state="InUse").ok)
        self.assertTrue(self.ring(direction="out", unique_id="2").ok)
        self.assertEqual(self.pops(), [])


@tagged("post_install", "-at_install")
class TestScreenPopTour(ScreenPopHttpCommon, HttpCase):
    """The agent's browser receives the card over the real websocket and opens the customer."""

    def setUp(self):
        super().setUp()
        allow_websockets(self)

    def test_tour_screen_pop_opens_the_customer(self):
        self.start_tour("/web", "simotel_connector.screen_pop", login="simotel_agent")

    def test_tour_unknown_number_creates_a_contact(self):
        self.start_tour("/web", "simotel_connector.screen_pop_unknown", login="simotel_agent")
