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
