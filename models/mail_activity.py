from odoo import fields, models


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
