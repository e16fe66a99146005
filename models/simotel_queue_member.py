from odoo import api, fields, models


class SimotelQueueMember(models.Model):
    """An extension that answers a queue."""

    _name = "simotel.queue.member"
    _description = "Simotel Queue Agent"
    _order = "queue_id, extension"
    _rec_name = "extension"

    queue_id = fields.Many2one("simotel.queue", "Queue", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="queue_id.company_id", store=True, index=True)
    extension = fields.Char(required=True, index=True)
    extension_id = fields.Many2one("simotel.extension", "Directory Entry", index="btree_not_null", ondelete="set null")
    penalty = fields.Char()

    _sql_constraints = [("queue_extension_uniq", "unique(queue_id, extension)", "An agent is in a queue once.")]

    @api.model
    def _simotel_add(self, queue, extension, penalty=None):
        existing = self.sudo().search([("queue_id", "=", queue.id), ("extension", "=", extension)], limit=1)
        if existing:
            return existing
        entry = (
            self.env["simotel.extension"]
            .sudo()
            .search([("company_id", "=", queue.company_id.id), ("number", "=", extension)], limit=1)
        )
        return self.sudo().create(
            {"queue_id": queue.id, "extension": extension, "extension_id": entry.id, "penalty": penalty or False}
        )
