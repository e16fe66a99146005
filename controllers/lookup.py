import contextlib
import logging
import time

import psycopg2

from odoo import http
from odoo.http import request

from ..tools import api_component, inbound

_logger = logging.getLogger(__name__)


class SimotelLookupController(http.Controller):
    @http.route("/simotel/lookup/<string:code>", **inbound.ROUTE_OPTIONS)
    def simotel_lookup(self, code, **_kwargs):
        """Answer a dialplan API component (or the generic API call module) during a call."""
        started = time.perf_counter()
        shown_code = code if api_component.valid_code(code) else "<invalid>"
        httprequest = request.httprequest
        if not request.db:  # the database is unreachable (served without one, see server_wide_modules)
            _logger.warning("Simotel lookup %s from %s: no database available", shown_code, httprequest.remote_addr)
            return request.make_json_response(api_component.failure(), status=503)
        ApiCall = request.env["simotel.api.call"].sudo()
        config, payload, caller = None, {}, None
        try:
            config = ApiCall._simotel_config_for(
                code,
                httprequest.remote_addr,
                inbound.basic_credentials(httprequest),
            )
            payload = inbound.read_payload(httprequest)
            body, caller = ApiCall._simotel_lookup(config, payload)
            status, message = 200, "ok"
        except inbound.InboundError as e:
            status, message = e.status, e.message
        except (psycopg2.OperationalError, psycopg2.InterfaceError):
            _logger.warning("Simotel lookup %s: database unavailable", shown_code, exc_info=True)
            with contextlib.suppress(psycopg2.Error):
                request.env.cr.rollback()
            status, message = 503, "database unavailable"
        except Exception:
            _logger.exception("Simotel lookup %s: internal error", shown_code)
            request.env.cr.rollback()
            status, message = 500, "internal error"
        if status != 200:
            body = api_component.failure(config and config["format"], config and config["error_values"])
        duration_ms = round((time.perf_counter() - started) * 1000)
        if config:
            ApiCall._simotel_log(config, payload, caller, status, body, duration_ms)
        # Answered lookups: not formatted unless debugging; a refusal is one line (429s: see the cool-down's warning).
        level = logging.DEBUG if status < 400 or status == 429 else logging.INFO if status < 500 else logging.WARNING
        if _logger.isEnabledFor(level):
            if not payload and status != 429:  # refused before its fields were read: say which call it was
                with contextlib.suppress(inbound.InboundError):
                    payload = inbound.read_payload(httprequest)
            _logger.log(
                level,
                "Simotel lookup %s from %s number=%r status=%s result=%s (%s) %dms",
                shown_code,
                httprequest.remote_addr,
                str(payload.get(config["number_param"] if config else "src") or "")[:32],
                status,
                api_component.summary(body),
                message,
                duration_ms,
            )
        return request.make_json_response(body, status=status)
