from odoo import api, fields, models


class SimotelQueue(models.Model):
    """A queue of the PBX (``pbx/queues/search``) and its agents."""

    _name = "simotel.queue"
    _description = "Simotel Queue"
    _order = "number"
    _rec_name = "number"

    company_id = fields.Many2one("res.company", "Company", required=True, index=True, ondelete="cascade")
    number = fields.Char("Queue", required=True, index=True)
    name = fields.Char("Name on the PBX")
    active = fields.Boolean(default=True, readonly=True)
    member_ids = fields.One2many("simotel.queue.member", "queue_id", "Agents")

    _sql_constraints = [("company_number_uniq", "unique(company_id, number)", "A queue is listed once.")]

    def _compute_display_name(self):
        for queue in self:
            name = queue.name if queue.name and queue.name != queue.number else ""
            queue.display_name = "%s %s" % (queue.number, name) if name else queue.number

    @api.model
    def _simotel_upsert(self, company, number, name=None):
        number = str(number or "").strip()[:32]
        if not number:
            return self.browse()
        queue = (
            self.sudo()
            .with_context(active_test=False)
            .search([("company_id", "=", company.id), ("number", "=", number)], limit=1)
        )
        values = {"active": True}
        if name:
            values["name"] = str(name)[:128]
        if queue:
            queue.write(values)
            return queue
        return queue.create({"company_id": company.id, "number": number, **values})

    def _simotel_set_members(self, numbers):
        """Make the extensions ``numbers`` (a set) the members of this queue."""
        self.ensure_one()
        current = {member.extension: member for member in self.member_ids}
        for number, member in current.items():
            if number not in numbers:
                member.unlink()
        for number in numbers - set(current):
            self.env["simotel.queue.member"].sudo()._simotel_add(self, number)
