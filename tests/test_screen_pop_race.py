import contextlib
import time
from concurrent.futures import ThreadPoolExecutor

import requests

from odoo import sql_db
from odoo.tests import tagged

from .common import CommittedAgentCase

DELIVERIES = 4


@tagged("post_install", "-at_install")
class TestScreenPopRace(CommittedAgentCase):
    """Identical ``NewState`` deliveries racing in real, concurrent transactions (as on a multi-worker server).

    The test leaves Odoo's test mode, where every request shares the test transaction: each delivery
    gets its own transaction, so the database really arbitrates. Its data is committed, then removed.
    """

    label = "Race"
    extension = "577"

    def deliver(self, unique_id):
        return requests.post(
            self.base_url() + "/simotel/sea/NewState",
            json={
                "event_name": "NewState",
                "exten": "577",
                "state": "Ringing",
                "participant": "09123456789",
                "direction": "in",
                "unique_id": unique_id,
            },
            auth=self.auth,
            timeout=30,
        )

    def waiting_backends(self, cr):
        cr.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cr.fetchone()[0]

    def test_identical_new_state_racing_pop_once_and_end_done(self):
        unique_id = "race.%s" % self.suffix
        # Another transaction holds the card's row while every delivery reaches it, then gives it up: the
        # deliveries insert it one after the other, each in a transaction that began before the first commit.
        with contextlib.closing(sql_db.db_connect(self.cr.dbname).cursor()) as blocker:
            blocker.execute(
                "INSERT INTO simotel_screen_pop (company_id, user_id, unique_id, number) VALUES (%s, %s, %s, 'x')",
                (self.company_id, self.user_id, unique_id),
            )
            with ThreadPoolExecutor(max_workers=DELIVERIES) as pool:
                responses = [pool.submit(self.deliver, unique_id) for _n in range(DELIVERIES)]
                with contextlib.closing(sql_db.db_connect(self.cr.dbname).cursor()) as watcher:
                    deadline = time.monotonic() + 20
                    while self.waiting_backends(watcher) < DELIVERIES and time.monotonic() < deadline:
                        watcher.rollback()
                        time.sleep(0.05)
                    self.assertEqual(self.waiting_backends(watcher), DELIVERIES, "every delivery waits")
                blocker.rollback()
                statuses = [response.result().status_code for response in responses]
        self.assertEqual(statuses, [200] * DELIVERIES)
        with self.registry.cursor() as cr:
            cr.execute("SELECT state, error FROM simotel_event WHERE company_id = %s", [self.company_id])
            events = cr.fetchall()
            self.assertEqual(events, [("done", None)] * DELIVERIES)
            cr.execute("SELECT user_id FROM simotel_screen_pop WHERE unique_id = %s", [unique_id])
            self.assertEqual(cr.fetchall(), [(self.user_id,)])
            cr.execute(
                "SELECT count(*) FROM bus_bus WHERE channel LIKE %s AND message LIKE %s",
                ['%%"res.partner",%d]' % self.partner_id, "%simotel/screen_pop%"],
            )
            self.assertEqual(cr.fetchone()[0], 1, "one card shown")
