"""Set-up shared by the test modules: the test company, SEA and real-transaction base classes, salespeople with
extensions, the live bus, Persian."""

import contextlib
import json
import time
import uuid
from contextlib import contextmanager
from unittest.mock import patch

from odoo import SUPERUSER_ID, api, sql_db
from odoo.tests import HttpCase, TransactionCase, new_test_user

from odoo.addons.bus.models.bus import ImBus, channel_with_db, dispatch, hashable
from odoo.addons.bus.websocket import WebsocketConnectionHandler

from .fake_simotel import FakeSimotel

SALESMAN_GROUP = "sales_team.group_sale_salesman"
SEA_AUTH = ("simotel", "sea-secret")


def inbound_settings(auth, **values):
    """Company values for Simotel requests with basic ``auth`` (user, password) and times in UTC."""
    return {
        "simotel_inbound_auth": "basic",
        "simotel_inbound_username": auth[0],
        "simotel_inbound_password": auth[1],
        "simotel_time_mode": "utc",
        **values,
    }


def originate_settings(env, **values):
    """Company values for click-to-call through the PBX's ``main_routing`` context and trunk ``trunk1``."""
    return {
        "simotel_context": "main_routing",
        "simotel_trunk_name": "trunk1",
        "simotel_originate_timeout": 30,
        "simotel_originate_method": "PUT",
        "simotel_phone_country_id": env.ref("base.ir").id,
        **values,
    }


def iran_company(case, **values):
    """``case.company``, the test's company, in Iran (numbers without a country code are Iranian),
    with more company ``values``. ``case`` may be the test or, in ``setUpClass``, its class."""
    case.company = case.env.company
    case.company.write({"country_id": case.env.ref("base.ir").id, **values})
    return case.company


class TehranPbxCase(TransactionCase):
    """``company``, the test's company in Iran with its PBX on Tehran time; ``Call`` and ``Event``, the
    models of calls and of SEA events."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        iran_company(cls, simotel_tz="Asia/Tehran")
        cls.Call = cls.env["simotel.call"]
        cls.Event = cls.env["simotel.event"]


def fake_pbx(case, **values):
    """``case.fake``, a fake SA server, and ``case.company``, the test's company, pointing at it;
    ``values`` are more company values."""
    case.fake = case.enterContext(FakeSimotel())
    case.company = case.env.company
    case.fake.configure_company(case.company, **values)
    return case.fake


def pbx_company(case, auth, **values):
    """``case.fake``, a fake SA server, and ``case.company``, the test's company in Iran, set up for
    click-to-call through that server and for SEA requests with basic ``auth``; ``values`` are more
    company values (they win over the defaults)."""
    fake_pbx(
        case,
        **{
            "country_id": case.env.ref("base.ir").id,
            **originate_settings(case.env),
            **inbound_settings(auth),
            **values,
        },
    )


def recorded_call(case, record, audio, **values):
    """An inbound call (created as superuser) whose recording ``record`` the fake SA server ``case.fake``
    serves as ``audio``; ``values`` are more call values."""
    case.fake.files[record] = audio
    return case.env["simotel.call"].sudo().create({"direction": "inbound", "record": record, **values})


class RealTransactionsCase(HttpCase):
    """A test outside Odoo's test mode: each request and cursor gets its own transaction, so PostgreSQL
    really arbitrates concurrent ones. What the test commits is its own to remove. ``suffix``: a fresh
    suffix for names that must not collide with other runs."""

    def setUp(self):
        super().setUp()
        readonly = self.registry.test_readonly_enabled
        self.registry.leave_test_mode()
        self.addCleanup(self.registry.enter_test_mode, self.cr, readonly)
        self.suffix = uuid.uuid4().hex[:8]

    @contextmanager
    def committed_env(self):
        """A superuser environment in a transaction of its own, committed when the block ends."""
        with self.registry.cursor() as cr:
            yield api.Environment(cr, SUPERUSER_ID, {})


def remove_committed(env, *records):
    """Delete ``records`` committed by a test, each in turn; one something still refers to is archived."""
    for record in records:
        try:
            with env.cr.savepoint():
                record.unlink()
        except Exception:  # noqa: BLE001 - kept, but archived
            record.write({"active": False})


class CommittedAgentCase(RealTransactionsCase):
    """A committed company taking SEA requests with basic ``auth`` and its agent on ``extension``, for tests
    of real, concurrent transactions of one Odoo process (the threaded server: its requests and cron threads
    share one registry); removed after the test. ``label`` names them."""

    label = "Committed"
    extension = "578"

    def setUp(self):
        super().setUp()
        slug = self.label.lower().replace(" ", "")
        self.auth = ("%s-%s" % (slug, self.suffix), "secret-%s" % self.suffix)
        with self.committed_env() as env:
            company = env["res.company"].create(
                {
                    "name": "%s Co %s" % (self.label, self.suffix),
                    "simotel_inbound_auth": "basic",
                    "simotel_inbound_username": self.auth[0],
                    "simotel_inbound_password": self.auth[1],
                }
            )
            groups = [env.ref("base.group_user").id, env.ref("simotel_connector.group_simotel_user").id]
            user = env["res.users"].create(
                {
                    "name": "%s Agent" % self.label,
                    "login": "%s.%s" % (slug, self.suffix),
                    "company_id": company.id,
                    "company_ids": [(6, 0, company.ids)],
                    "simotel_extension": self.extension,
                    "groups_id": [(6, 0, groups)],
                }
            )
            self.company_id, self.user_id, self.partner_id = company.id, user.id, user.partner_id.id
        self.addCleanup(self._remove_committed_data)
        # As on any server that has signalled a cache change once: a sequence never called reads the
        # same before and after its first call, and the first signal would look like another process's.
        with self.registry.cursor() as cr:
            cr.execute("SELECT nextval('base_cache_signaling_default')")
        self.registry.check_signaling()

    def assertNoAgentOf578(self, unique_id):
        """The call ``unique_id`` to extension 578 popped for nobody, and 578 has no agent (committed data)."""
        with self.registry.cursor() as cr:
            cr.execute("SELECT user_id FROM simotel_screen_pop WHERE unique_id = %s", [unique_id])
            self.assertEqual(cr.fetchall(), [], "no screen pop for a user who is no Simotel user any more")
            cr.execute(
                "SELECT user_id FROM simotel_agent_state WHERE company_id = %s AND extension = '578'",
                [self.company_id],
            )
            self.assertEqual(cr.fetchall(), [(None,)], "extension 578 has no agent any more")

    def waiting_backends(self, cr):
        """How many backends of this database wait for a lock."""
        cr.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cr.fetchone()[0]

    def wait_for_waiting(self, count):
        """Wait (20 s at most) until ``count`` backends wait for a lock."""
        with contextlib.closing(sql_db.db_connect(self.cr.dbname).cursor()) as watcher:
            deadline = time.monotonic() + 20
            while self.waiting_backends(watcher) < count and time.monotonic() < deadline:
                watcher.rollback()
                time.sleep(0.05)
            self.assertEqual(self.waiting_backends(watcher), count)

    def _remove_committed_data(self):
        self.registry.clear_cache()
        with self.committed_env() as env:
            for table in ("simotel_screen_pop", "simotel_agent_pause", "simotel_agent_state", "simotel_event"):
                env.cr.execute(f"DELETE FROM {table} WHERE company_id = %s", [self.company_id])  # noqa: S608
            env.cr.execute("DELETE FROM bus_bus WHERE channel LIKE %s", ['%%"res.partner",%d]' % self.partner_id])
            remove_committed(env, env["res.users"].browse(self.user_id), env["res.company"].browse(self.company_id))
            company = env["res.company"].browse(self.company_id).exists()
            company.write({"simotel_inbound_auth": "basic", "simotel_inbound_password": False})


def post_sea(case, payload, auth, path="/simotel/sea"):
    """POST ``payload`` to the SEA webhook as Simotel does (JSON, basic ``auth``); the response."""
    return case.opener.post(
        case.base_url() + path,
        data=json.dumps(payload),
        auth=auth,
        timeout=30,
        headers={"Content-Type": "application/json"},
    )


class SeaCase(HttpCase):
    """``company``, the test's company in Iran, takes SEA requests with basic ``SEA_AUTH``; with
    ``missed_call_activity``, a missed call gives its customer's salesperson a "Call back" activity."""

    missed_call_activity = False

    def setUp(self):
        super().setUp()
        iran_company(self, **inbound_settings(SEA_AUTH, simotel_missed_call_activity=self.missed_call_activity))

    def post(self, payload, path="/simotel/sea"):
        return post_sea(self, payload, SEA_AUTH, path)

    def deliver(self, payload, path="/simotel/sea"):
        """``payload`` sent as Simotel does, and stored; the response."""
        response = self.post(payload, path)
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.json()["success"], 1, response.text)
        return response

    def process(self):
        """What the cron does with the stored events."""
        self.env["simotel.event"]._cron_process()
        self.env.invalidate_all()

    def call_of(self, unique_id):
        return self.env["simotel.call"].search([("unique_id", "=", unique_id), ("company_id", "=", self.company.id)])


def originate_body(callee, extension="557"):
    """The body of the SA ``call/originate/act`` request that ``extension`` calling ``callee`` sends with
    :func:`originate_settings`, as Simotel documents it."""
    return {
        "caller": extension,
        "callee": callee,
        "context": "main_routing",
        "caller_id": extension,
        "trunk_name": "trunk1",
        "timeout": "30",
    }


def salesperson(env, login, extension="557", groups=SALESMAN_GROUP, company=None, **values):
    """An internal user of ``company`` (default: the current one) with ``extension``."""
    company = company or env.company
    user = new_test_user(env, login=login, groups=groups, company_id=company.id, company_ids=[company.id], **values)
    user.simotel_extension = extension
    return user


def supervisor(env, login, company=None, **values):
    """A Simotel supervisor (and salesperson) of ``company`` (default: the current one), without an extension."""
    company = company or env.company
    return new_test_user(
        env,
        login=login,
        groups=f"simotel_connector.group_simotel_supervisor,{SALESMAN_GROUP}",
        company_id=company.id,
        company_ids=[company.id],
        **values,
    )


def allow_websockets(case):
    """Odoo disables websockets in tests and drops the post-commit NOTIFY that wakes them:
    allow them, and wake them when the bus rows exist."""
    case.startPatcher(patch.object(WebsocketConnectionHandler, "websocket_allowed", return_value=True))
    send = ImBus._sendone

    def sendone(bus, target, notification_type, message):
        send(bus, target, notification_type, message)
        channel = hashable(channel_with_db(bus.env.cr.dbname, target))

        @bus.env.cr.precommit.add
        def wake_websockets():
            for websocket in list(dispatch._channels_to_ws.get(channel, ())):
                websocket.trigger_notification_dispatching()

    case.startPatcher(patch.object(ImBus, "_sendone", sendone))


def persian(case, *users, modules=("web",)):
    """Persian installed with the terms of this addon and of ``modules``, and the language of ``users``."""
    case.env["res.lang"]._activate_lang("fa_IR")
    case.env["ir.module.module"]._load_module_terms([*modules, "simotel_connector"], ["fa_IR"], overwrite=True)
    for user in users:
        user.lang = "fa_IR"


def ringing(caller, **values):
    """A ``NewState`` event: extension 557 rings for ``caller``; ``values`` change or add fields."""
    return {
        "exten": "557",
        "state": "Ringing",
        "participant": caller,
        "direction": "in",
        "unique_id": "1610778618.378",
        **values,
    }
