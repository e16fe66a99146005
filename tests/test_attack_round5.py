"""Attacks on the capped SA answers, the agents kept in memory and the retried NewState deliveries."""

import contextlib
import gzip
import time
import tracemalloc
import zlib
from concurrent.futures import ThreadPoolExecutor

from odoo import SUPERUSER_ID, api, sql_db
from odoo.modules.registry import Registry
from odoo.tests import HttpCase, tagged

from .common import CommittedAgentCase, post_sea
from .test_agents_http import AgentsCommon


def _gzip_zeros(size):
    """``size`` zero bytes, gzip-compressed without holding them whole in memory."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = bytes(1024 * 1024)
    parts = [compressor.compress(block) for _ in range(size // len(block))]
    parts.append(compressor.flush())
    return b"".join(parts)


@tagged("post_install", "-at_install")
class TestAttackSaAnswers(AgentsCommon, HttpCase):
    def test_sa_answer_compressed_unasked_is_not_inflated_in_memory(self):
        """A compromised PBX answers the directory search (``pbx/users/search``) with a body of a few
        kilobytes announced as ``Content-Encoding: gzip, gzip`` (though Odoo asks for ``identity``): it
        inflates to 256 MB of zeros (and could as well to many gigabytes) in one read.

        Attack: a Simotel administrator presses Sync on the extensions.
        Safe: the answer is refused with a clear message without Odoo ever holding far more than the 8 MB
        cap of a JSON answer in memory (an encoding that was not asked for is refused or inflated a
        bounded piece at a time): the peak of memory of the request stays well under 64 MB.
        """
        body = gzip.compress(_gzip_zeros(256 * 1024 * 1024))
        self.assertLess(len(body), 64 * 1024, "the bomb is small on the wire")
        self.fake.forced = (200, "application/json", body, {"Content-Encoding": "gzip, gzip"})
        self.authenticate("admin", "admin")
        tracemalloc.start()
        try:
            answer = self.call_button("simotel.extension", "action_simotel_sync", [])
            _current, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        self.assertEqual(answer["result"]["params"]["type"], "danger", "the sync fails")
        self.assertLess(peak, 64 * 1024 * 1024, "the answer was inflated whole in memory")


@tagged("post_install", "-at_install")
class TestAttackRound5InMemory(CommittedAgentCase):
    """The agents kept in memory against real, concurrent transactions of one Odoo process."""

    label = "Round 5"

    def new_state(self, extension, state, unique_id=None):
        payload = {"event_name": "NewState", "exten": extension, "state": state}
        if unique_id:
            payload.update(participant="09123456789", direction="in", unique_id=unique_id)
        return post_sea(self, payload, self.auth, "/simotel/sea/NewState")

    def test_event_begun_before_the_commit_keeps_no_removed_agent_in_memory(self):
        """An administrator takes the agent of extension 578 out of the Simotel users group and commits (the
        agents kept in memory are forgotten at the write and again after the commit). Meanwhile a
        ``NewState`` of another extension (579, nobody's) was being processed in another thread of the
        same server: it began before the commit (its snapshot still shows 578 as the agent's) and waits
        for its row; it reads the agents only after the commit, and keeps them in memory again.

        Attack: a customer calls 578 afterwards.
        Safe: the user is nobody's agent any more: no screen pop of the caller's card for them, and the row
        of 578 has no agent (what is kept in memory never comes from a snapshot older than the last change).
        """
        self.assertEqual(self.new_state("578", "Idle").status_code, 200)
        self.assertEqual(self.new_state("579", "Idle").status_code, 200)
        group = self.env.ref("simotel_connector.group_simotel_user")
        with contextlib.closing(sql_db.db_connect(self.cr.dbname).cursor()) as blocker:
            blocker.execute(
                "SELECT id FROM simotel_agent_state WHERE company_id = %s AND extension = '579' FOR UPDATE",
                [self.company_id],
            )
            with ThreadPoolExecutor(max_workers=1) as pool:
                pending = pool.submit(self.new_state, "579", "InUse")
                self.wait_for_waiting(1)
                with self.registry.cursor() as admin_cr:
                    admin_env = api.Environment(admin_cr, SUPERUSER_ID, {})
                    admin_env["res.users"].browse(self.user_id).write({"groups_id": [(3, group.id)]})
                    admin_env.flush_all()
                    admin_cr.commit()
                    Registry.signal_changes(self.registry)
                blocker.rollback()
                self.assertEqual(pending.result().status_code, 200)
        later = "after.%s" % self.suffix
        self.assertEqual(self.new_state("578", "Ringing", later).status_code, 200)
        self.assertNoAgentOf578(later)

    def test_new_state_meeting_a_busy_row_is_answered_fast(self):
        """The row of extension 578 is written again and again by other transactions (a burst of events of
        578 on other workers, a supervisor steering the agent): every try of a ``NewState`` delivery of 578
        meets a serialization failure on the row, now raised so that Odoo runs the delivery again, up to
        its limit of tries, sleeping in the worker between them (up to 2, 4, 8 and 16 s).

        Attack: a ``NewState`` delivered while the row stays busy (a handful of such deliveries holds every
        worker of the server, and the call-time lookups that share them wait or time out).
        Safe: the delivery is answered within a few seconds, in Simotel's shape, and its raw event is kept
        (as any event whose processing fails: the cron applies it later, if still newer), never sleeping
        tens of seconds in a worker to end with nothing stored.
        """
        self.assertEqual(self.new_state("578", "Idle").status_code, 200)
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT id FROM simotel_agent_state WHERE company_id = %s AND extension = '578'", [self.company_id]
            )
            row_id = cr.fetchone()[0]
        stop = []

        def keep_busy():
            with contextlib.closing(sql_db.db_connect(self.cr.dbname).cursor()) as busy:
                while not stop:
                    busy.execute("UPDATE simotel_agent_state SET write_date = now() WHERE id = %s", [row_id])
                    time.sleep(0.2)
                    busy.commit()

        unique_id = "busy.%s" % self.suffix
        with ThreadPoolExecutor(max_workers=1) as pool:
            busy = pool.submit(keep_busy)
            started = time.monotonic()
            try:
                response = self.opener.post(
                    self.base_url() + "/simotel/sea/NewState",
                    json={
                        "event_name": "NewState",
                        "exten": "578",
                        "state": "InUse",
                        "participant": "09123456789",
                        "direction": "in",
                        "unique_id": unique_id,
                    },
                    auth=self.auth,
                    timeout=120,
                )
            finally:
                elapsed = time.monotonic() - started
                stop.append(True)
                busy.result()
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT count(*) FROM simotel_event WHERE company_id = %s AND unique_id = %s",
                [self.company_id, unique_id],
            )
            kept = cr.fetchone()[0]
        self.assertEqual(response.headers.get("Content-Type", "").split(";")[0], "application/json", response.text)
        self.assertLess(elapsed, 5, "the delivery held a worker for %.1f s" % elapsed)
        self.assertEqual(kept, 1, "the raw event is kept (answer %s %s)" % (response.status_code, response.text[:200]))


@tagged("post_install", "-at_install")
class TestAttackSaAnswerNesting(AgentsCommon, HttpCase):
    def test_sa_answer_nested_deeper_than_python_is_refused_clearly(self):
        """A compromised PBX answers the directory search (``pbx/users/search``) with 200 KB of ``[``: well
        under the 8 MB cap of an answer, but nested deeper than Python's JSON reader can follow (it raises
        ``RecursionError``, not the ``ValueError`` of a malformed answer).

        Attack: a Simotel administrator presses Sync on the extensions.
        Safe: refused like any answer Odoo does not understand: the sync fails with a clear message (a
        notification, not a server error with a traceback) and the directory is left as it was.
        """
        self.fake.forced = (200, "application/json", b"[" * (200 * 1024))
        self.authenticate("admin", "admin")
        answer = self.call_button("simotel.extension", "action_simotel_sync", [])
        self.assertNotIn("error", answer, "a server error instead of a clear message")
        self.assertEqual(answer["result"]["params"]["type"], "danger", "the sync fails")
        self.env.invalidate_all()
        numbers = self.env["simotel.extension"].search([("company_id", "=", self.company.id)]).mapped("number")
        self.assertEqual(numbers, ["557", "558"], "the directory is left as it was")
