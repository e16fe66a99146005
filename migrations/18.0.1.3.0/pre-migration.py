import logging

from odoo.tools.sql import column_exists

_logger = logging.getLogger(__name__)


def migrate(cr, version):
    _remove_duplicate_call_backs(cr)


def _remove_duplicate_call_backs(cr):
    """One open "Call back" activity per customer and user: the extra ones are removed before the
    unique index ``mail_activity_simotel_call_back_uniq`` is created.

    Concurrent reports of missed calls could each schedule one. The oldest is kept (its due date is
    that of the first missed call); the others only repeated it.
    """
    if not column_exists(cr, "mail_activity", "simotel_call_id"):
        return
    cr.execute(
        """
        DELETE FROM mail_activity a
         USING (SELECT id, row_number() OVER (PARTITION BY res_model_id, res_id, user_id ORDER BY id) AS rank
                  FROM mail_activity WHERE simotel_call_id IS NOT NULL AND active) d
         WHERE d.id = a.id AND d.rank > 1
     RETURNING a.res_model, a.res_id, a.user_id
        """
    )
    removed = cr.fetchall()
    if removed:
        _logger.warning(
            "Simotel: removed %d duplicate open call-back activities (kept the oldest of each customer and user): %s",
            len(removed),
            ", ".join("%s,%s for user %s" % row for row in sorted(removed)[:20]),
        )
