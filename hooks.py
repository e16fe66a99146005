"""Install hooks: create the E.164 columns first, then fill them in set-based batches.

Creating the columns before the ORM sees the fields keeps Odoo from
recomputing them record by record, which takes hours on a million partners.
"""

import logging
import time

_logger = logging.getLogger(__name__)

E164_TABLES = ("res_partner", "crm_lead")


def pre_init_hook(env):
    for table in E164_TABLES:
        env.cr.execute(f"""
            ALTER TABLE {table}
                ADD COLUMN IF NOT EXISTS simotel_phone_e164 varchar,
                ADD COLUMN IF NOT EXISTS simotel_mobile_e164 varchar
        """)


def post_init_hook(env):
    for model in ("res.partner", "crm.lead"):
        start = time.perf_counter()
        rows = env[model]._simotel_init_e164()
        _logger.info("normalized %d %s numbers in %.1f s", rows, model, time.perf_counter() - start)


def post_load():
    """Guard the requests under /simotel/ before Odoo reads them (runs once per process, on import).

    With ``--load=base,web,simotel_connector`` (``server_wide_modules``) it
    runs at server start, before any database is chosen; otherwise when a
    database with the module installed is first loaded.
    """
    import json

    from werkzeug.wrappers import Response

    from odoo import http

    from .tools import inbound

    original = http.Application.__call__
    if getattr(original, "_simotel_guarded", False):
        return

    def __call__(self, environ, start_response):
        refused = inbound.early_refusal(environ)
        if refused is None:
            return original(self, environ, start_response)
        status, message = refused
        path = environ.get("PATH_INFO", "")
        _logger.info("Simotel %s from %s refused: %s %s", path[:80], environ.get("REMOTE_ADDR"), status, message)
        response = Response(
            json.dumps(inbound.error_body(path, message)),
            status=status,
            content_type="application/json; charset=utf-8",
            headers={"Connection": "close"},
        )
        return response(environ, start_response)

    __call__._simotel_guarded = True
    http.Application.__call__ = __call__
