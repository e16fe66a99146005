from odoo import fields, models

from ..tools.sql import create_index

# One open "Call back" activity per customer (document) and user, whatever the number of workers.
CALL_BACK_INDEX = "mail_activity_simotel_call_back_uniq"


class MailActivity(models.Model):
    _inherit = "mail.activity"

    simotel_call_id = fields.Many2one(
        "simotel.call",
        "Missed Call",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
        groups="simotel_connector.group_simotel_user",
        help="The missed call this call-back activity is for: it is marked done once the customer is reached.",
    )

    def init(self):
        result = super().init()
        # Missed calls of one customer processed by concurrent transactions each find no open
        # call-back and each schedule one: the database keeps the first (simotel.call).
        create_index(
            self.env.cr,
            CALL_BACK_INDEX,
            self._table,
            ["res_model_id", "res_id", "user_id"],
            where="simotel_call_id IS NOT NULL AND active",
            unique=True,
        )
        return result
