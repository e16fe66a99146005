"""Set-up shared by the test modules: inbound settings, salespeople with extensions, the live bus, Persian."""

from unittest.mock import patch

from odoo.tests import new_test_user

from odoo.addons.bus.models.bus import ImBus, channel_with_db, dispatch, hashable
from odoo.addons.bus.websocket import WebsocketConnectionHandler

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
