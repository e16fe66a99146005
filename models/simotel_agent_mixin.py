from odoo import fields, models


class SimotelAgentMixin(models.AbstractModel):
    """A record about one agent: an extension of a company's PBX and the Odoo user who has it.

    Inherited by the agent's live state and their pauses; their record rules are alike: an agent
    sees their own records, a supervisor those of their companies.
    """

    _name = "simotel.agent.mixin"
    _description = "Simotel Agent Record"
    _rec_name = "extension"

    company_id = fields.Many2one("res.company", "Company", required=True, index=True, ondelete="cascade")
    extension = fields.Char(required=True, index=True, readonly=True)
    user_id = fields.Many2one("res.users", "Agent", index="btree_not_null", readonly=True, ondelete="set null")

    def _simotel_agent_values(self):
        """The agent of this record, as values of another agent record."""
        self.ensure_one()
        return {"company_id": self.company_id.id, "extension": self.extension, "user_id": self.user_id.id}
