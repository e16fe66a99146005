import logging

import psycopg2
from werkzeug.exceptions import HTTPException

from odoo import models
from odoo.http import request

from ..tools import inbound

_logger = logging.getLogger(__name__)


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    @classmethod
    def _handle_error(cls, exception):
        """Errors of Simotel's requests (SEA, lookups) answer JSON in Simotel's shape, never an HTML page."""
        path = request.httprequest.path
        if not inbound.is_inbound_path(path):
            return super()._handle_error(exception)
        if isinstance(exception, HTTPException) and exception.code:
            status, message = exception.code, exception.name.lower()
        elif isinstance(exception, (psycopg2.OperationalError, psycopg2.InterfaceError)):
            status, message = 503, "service unavailable"
        else:
            status, message = 500, "internal error"
        _logger.info("Simotel %s from %s answered %s: %s", path[:80], request.httprequest.remote_addr, status, message)
        return request.make_json_response(inbound.error_body(path, message), status=status)
