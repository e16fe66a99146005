from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    """The retry cron became the processing cron ``ir_cron_simotel_event_process``: drop the old one."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    old = env.ref("simotel_connector.ir_cron_simotel_event_retry", raise_if_not_found=False)
    if old:
        old.unlink()
