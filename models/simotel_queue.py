from odoo import fields, models


class SimotelQueue(models.Model):
    """A queue of the PBX (``pbx/queues/search``) and its agents."""

    _name = "simotel.queue"
    _inherit = ["simotel.directory.mixin"]
    _description = "Simotel Queue"

    number = fields.Char("Queue")
    member_ids = fields.One2many("simotel.queue.member", "queue_id", "Agents")

    _sql_constraints = [("company_number_uniq", "unique(company_id, number)", "A queue is listed once.")]

    def _simotel_set_members(self, numbers):
        """Make the extensions ``numbers`` (a set) the members of this queue."""
        self.ensure_one()
        current = {member.extension: member for member in self.member_ids}
        for number, member in current.items():
            if number not in numbers:
                member.unlink()
        for number in numbers - set(current):
            self.env["simotel.queue.member"].sudo()._simotel_add(self, number)
