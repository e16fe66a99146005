import logging

from odoo import SUPERUSER_ID
from odoo.http import Controller, request, route

from ..tools import inbound, sea

_logger = logging.getLogger(__name__)


def refusal_level(status):
    """Log level of a refusal: 429s are summed up by the cool-down's single warning."""
    return logging.DEBUG if status == 429 else logging.INFO


class SimotelSeaController(Controller):
    """SEA webhook: Simotel POSTs (JSON) or GETs (query string) its events here."""

    @route(["/simotel/sea", "/simotel/sea/<string:event>"], **inbound.ROUTE_OPTIONS)
    def simotel_sea(self, event=None, **_kwargs):
        """Store the event; 2xx only once it is committed.

        Call reports are then processed by the cron, in batches; other events
        right here (see ``simotel.event._simotel_deferred_events``).
        """
        httprequest = request.httprequest
        if not request.db:  # the database is unreachable (served without one, see server_wide_modules)
            _logger.warning("Simotel SEA from %s refused: no database available", httprequest.remote_addr)
            return request.make_json_response({"success": 0, "message": "service unavailable"}, status=503)
        try:
            company = (
                request.env["res.company"]
                .sudo()
                ._simotel_inbound_company(httprequest.remote_addr, inbound.basic_credentials(httprequest))
            )
            payload = inbound.read_payload(httprequest)
            name = sea.event_name(event, payload)
            sea.normalize(name, payload)  # refuse what could never be processed
        except inbound.InboundError as e:
            _logger.log(
                refusal_level(e.status),
                "Simotel SEA %s from %s refused: %s %s",
                (event or "-")[:60],
                httprequest.remote_addr,
                e.status,
                e.message,
            )
            return request.make_json_response({"success": 0, "message": e.message}, status=e.status)
        env = request.env(user=SUPERUSER_ID, context={**request.env.context, "allowed_company_ids": company.ids})
        stored = env["simotel.event"]._simotel_store(company, name, payload, httprequest)
        if name not in stored._simotel_deferred_events:
            # Processing runs in a savepoint: whatever it does, the raw event is kept. A conflict with a
            # concurrent event of the same extension is retried once, whole (Odoo runs the request again);
            # a second one leaves the event failed, for the cron: a worker is not held for seconds.
            tries = httprequest.environ["simotel.sea.tries"] = httprequest.environ.get("simotel.sea.tries", 0) + 1
            stored._simotel_process_inline(retry_conflict=tries < 2)
        # Odoo commits the request's transaction before the answer is sent: 2xx means stored.
        return request.make_json_response({"success": 1, "message": "stored", "data": {"id": stored.id}})
