import logging

from odoo.http import Controller, request, route

from ..tools import inbound

_logger = logging.getLogger(__name__)


class SimotelNotFoundController(Controller):
    """Any other address under /simotel/: a JSON 404 (503 without a database), never Odoo's HTML page.

    More specific routes (SEA, lookups, recordings) win over this one.
    """

    @route(
        ["/simotel/", "/simotel/<path:subpath>"],
        type="http",
        auth="none",
        csrf=False,
        save_session=False,
        readonly=True,
    )
    def simotel_not_found(self, subpath=None, **_kwargs):
        path = request.httprequest.path
        status, message = (404, "not found") if request.db else (503, "service unavailable")
        _logger.info(
            "Simotel %s %s from %s refused: %s",
            request.httprequest.method,
            path[:80],
            request.httprequest.remote_addr,
            status,
        )
        return request.make_json_response(inbound.error_body(path, message), status=status)
