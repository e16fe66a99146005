"""Attacks on the agents kept in memory, the agent rows and the steering of extensions."""

import contextlib
from concurrent.futures import ThreadPoolExecutor

from odoo import SUPERUSER_ID, api, sql_db
from odoo.modules.registry import Registry
from odoo.tests import HttpCase, tagged

from .common import CommittedAgentCase, post_sea
from .test_agents_http import CUSTOMER, AgentsCommon


@tagged("post_install", "-at_install")
class TestAttackAgentRows(AgentsCommon, HttpCase):
    def test_former_agent_cannot_steer_an_extension_given_to_a_colleague(self):
        """An agent opens the systray (their row of extension 557 is created with them as its agent); an
        administrator then takes 557 from them and gives it to a colleague. No event of 557 has come since.

        Attack: the former agent pauses the row of 557 over RPC (the row still names them as its agent).
        Safe: refused like any colleague's extension (the agent of a row is who has the extension now),
        and nothing is sent to the PBX: the colleague is not paused in their queues.
        """
        self.authenticate("agent557", "agent557pw")
        row_id, error = self.rpc("simotel.agent.state", "simotel_my_row", [])
        self.assertIsNone(error)
        self.authenticate("admin", "admin")
        _result, error = self.rpc("res.users", "write", [self.agent.ids, {"simotel_extension": False}])
        self.assertIsNone(error)
        _result, error = self.rpc("res.users", "write", [self.colleague.ids, {"simotel_extension": "557"}])
        self.assertIsNone(error)
        self.fake.requests.clear()
        self.authenticate("agent557", "agent557pw")
        _result, error = self.rpc("simotel.agent.state", "action_pause", [[row_id], False])
        self.assertEqual(self.sa_services(), [], "nothing sent to the PBX for the former agent")
        self.assertFalse(self.fake.members["900"]["557"]["paused"], "the colleague is not paused")
        self.assertIsNotNone(error)
        self.assertEqual(error[0], "odoo.exceptions.AccessError")

    def test_systray_of_another_company_shows_no_call_of_that_pbx(self):
        """Extension 557 is the agent's on the PBX of their main company. They also work in a second
        company, whose own PBX has an extension 557 too (nobody's in Odoo), now talking to a customer.

        Attack: the agent switches to the second company (company switcher) and opens the systray
        (``simotel_my_state``, as the web client calls it).
        Safe: the systray shows the agent's own extension only (that of the PBX of their main company) or
        nothing; never the live call of another PBX's extension (its caller's number and name).
        """
        other = self.env["res.company"].create({"name": "Branch Co", "country_id": self.env.ref("base.ir").id})
        self.agent.company_ids = [(4, other.id)]
        self.State._simotel_on_new_state(
            other, {"exten": "557", "state": "InUse", "participant": CUSTOMER, "direction": "in", "unique_id": "b.1"}
        )
        self.authenticate("agent557", "agent557pw")
        data, error = self.rpc(
            "simotel.agent.state",
            "simotel_my_state",
            [],
            {"context": {"allowed_company_ids": [other.id, self.company.id]}},
        )
        self.assertIsNone(error)
        shown = data.get("state") or {}
        self.assertNotEqual(shown.get("company_id"), other.id, "a row of the other company's PBX is shown")
        self.assertFalse(shown.get("participant"), "the caller of another PBX's extension is shown")

    def test_sa_answer_larger_than_any_page_is_refused(self):
        """A compromised PBX answers the directory search (``pbx/users/search``) with a 32 MB JSON body: a
        valid envelope padded with junk. (Recordings are capped and streamed; the JSON answers of the other
        services are read whole, however large, before they are parsed.)

        Attack: a Simotel administrator presses Sync on the extensions; the PBX's answer has no end in sight.
        Safe: an answer larger than any page the SA sends (a few MB at most) is refused before it is read
        whole: the sync fails with a clear message and the directory is left as it was.
        """
        body = b'{"success": 1, "message": "", "data": [], "padding": "' + b"x" * (32 * 1024 * 1024) + b'"}'
        self.fake.forced = (200, "application/json", body)
        self.authenticate("admin", "admin")
        answer = self.call_button("simotel.extension", "action_simotel_sync", [])
        self.assertEqual(answer["result"]["params"]["type"], "danger", "the sync fails")
        self.env.invalidate_all()
        numbers = self.env["simotel.extension"].search([("company_id", "=", self.company.id)]).mapped("number")
        self.assertEqual(numbers, ["557", "558"], "the directory is left as it was")


@tagged("post_install", "-at_install")
class TestAttackAgentsInMemory(CommittedAgentCase):
    """The agents kept in memory (``res.users._simotel_active_extensions``) against real, concurrent
    transactions of one Odoo process (the threaded server: its requests and cron threads share one registry)."""

    label = "Round 4"

    def ringing(self, unique_id):
        response = post_sea(
            self,
            {
                "event_name": "NewState",
                "exten": "578",
                "state": "Ringing",
                "participant": "09123456789",
                "direction": "in",
                "unique_id": unique_id,
            },
            self.auth,
            "/simotel/sea/NewState",
        )
        self.assertEqual(response.status_code, 200, response.text)

    def test_agent_removed_from_simotel_while_an_event_is_processed_gets_no_later_call(self):
        """An administrator takes the agent of extension 578 out of the Simotel users group (the RPC writes,
        which empties the agents kept in memory, then commits and signals the change, as
        ``odoo.service.model.retrying`` does). Between the write and the commit, the PBX delivers a
        ``NewState`` of 578, processed in another thread of the same server: it reads the agents as still
        committed (578 still theirs) and keeps them in memory again.

        Attack: a customer calls 578 after the change is committed.
        Safe: the user is nobody's agent any more: no screen pop of the caller's card for them, the agent row
        of 578 has no agent (the agents kept in memory are forgotten once the change is committed, not only
        when it is written).
        """
        group = self.env.ref("simotel_connector.group_simotel_user")
        with self.registry.cursor() as admin_cr:
            admin_env = api.Environment(admin_cr, SUPERUSER_ID, {})
            admin_env["res.users"].browse(self.user_id).write({"groups_id": [(3, group.id)]})
            admin_env.flush_all()
            self.ringing("before.%s" % self.suffix)
            admin_cr.commit()
            # Odoo's test classes replace the signaling by a simulation that skips the database: the server's.
            Registry.signal_changes(self.registry)
        later = "after.%s" % self.suffix
        self.ringing(later)
        self.assertNoAgentOf578(later)

    def test_later_state_delivered_while_an_earlier_one_is_applied_is_not_lost(self):
        """Extension 578 rings (``Ringing``), and the agent answers at once: the PBX delivers ``InUse`` while
        the ``Ringing`` delivery still holds the agent's row (here: its screen pop waits for another
        transaction). ``InUse`` was received later: it is the newer state.

        Attack: two distinct, concurrent ``NewState`` deliveries of one extension.
        Safe: the states apply one after the other and the agent shows the newer one (in use), not the
        ringing one until some later event; an event whose state was not applied is not marked done.
        """
        ringing = "ring.%s" % self.suffix
        # The agent's row exists (their phone reported idle earlier).
        idle = post_sea(self, {"event_name": "NewState", "exten": "578", "state": "Idle"}, self.auth, "/simotel/sea")
        self.assertEqual(idle.status_code, 200)
        with contextlib.closing(sql_db.db_connect(self.cr.dbname).cursor()) as blocker:
            blocker.execute(
                "INSERT INTO simotel_screen_pop (company_id, user_id, unique_id, number) VALUES (%s, %s, %s, 'x')",
                (self.company_id, self.user_id, ringing),
            )
            with ThreadPoolExecutor(max_workers=2) as pool:
                first = pool.submit(self.ringing, ringing)
                self.wait_for_waiting(1)
                second = pool.submit(
                    post_sea,
                    self,
                    {"event_name": "NewState", "exten": "578", "state": "InUse", "unique_id": ringing},
                    self.auth,
                    "/simotel/sea/NewState",
                )
                self.wait_for_waiting(2)
                blocker.rollback()
                first.result()
                self.assertEqual(second.result().status_code, 200)
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT state FROM simotel_agent_state WHERE company_id = %s AND extension = '578'", [self.company_id]
            )
            self.assertEqual(cr.fetchall(), [("in_use",)], "the agent shows the newer state")
