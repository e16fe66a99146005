"""Set-up shared by the test modules: inbound settings, salespeople with extensions, the live bus, Persian."""

import json
import uuid
from unittest.mock import patch

from odoo.tests import new_test_user

from odoo.addons.bus.models.bus import ImBus, channel_with_db, dispatch, hashable
from odoo.addons.bus.websocket import WebsocketConnectionHandler

from .fake_simotel import FakeSimotel

SALESMAN_GROUP = "sales_team.group_sale_salesman"


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


def pbx_company(case, auth, **values):
    """``case.fake``, a fake SA server, and ``case.company``, the test's company in Iran, set up for
    click-to-call through that server and for SEA requests with basic ``auth``; ``values`` are more
    company values (they win over the defaults)."""
    case.fake = case.enterContext(FakeSimotel())
    case.company = case.env.company
    case.fake.configure_company(
        case.company,
        **{
            "country_id": case.env.ref("base.ir").id,
            **originate_settings(case.env),
            **inbound_settings(auth),
            **values,
        },
    )


def real_transactions(case):
    """Leave Odoo's test mode for the rest of ``case``'s test: each request and cursor gets its own
    transaction, so PostgreSQL really arbitrates concurrent ones. What the test commits is its own to
    remove. Returns a fresh suffix for names that must not collide with other runs."""
    readonly = case.registry.test_readonly_enabled
    case.registry.leave_test_mode()
    case.addCleanup(case.registry.enter_test_mode, case.cr, readonly)
    return uuid.uuid4().hex[:8]


def post_sea(case, payload, auth, path="/simotel/sea"):
    """POST ``payload`` to the SEA webhook as Simotel does (JSON, basic ``auth``); the response."""
    return case.opener.post(
        case.base_url() + path,
        data=json.dumps(payload),
        auth=auth,
        timeout=30,
        headers={"Content-Type": "application/json"},
    )


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
