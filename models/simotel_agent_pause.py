from odoo import api, fields, models


class SimotelAgentPause(models.Model):
    """One pause of one agent, with its reason: what the pause report sums."""

    _name = "simotel.agent.pause"
    _inherit = ["simotel.agent.mixin"]
    _description = "Simotel Agent Pause"
    _order = "start desc, id desc"

    reason_id = fields.Many2one("simotel.pause.reason", "Reason", index="btree_not_null", ondelete="set null")
    start = fields.Datetime(required=True, index=True, readonly=True)
    stop = fields.Datetime("End", readonly=True)
    duration_seconds = fields.Integer(
        "Duration (s)", compute="_compute_duration_seconds", store=True, aggregator="sum", readonly=True
    )

    @api.depends("start", "stop")
    def _compute_duration_seconds(self):
        for pause in self:
            if pause.start and pause.stop and pause.stop > pause.start:
                pause.duration_seconds = int((pause.stop - pause.start).total_seconds())
            else:
                pause.duration_seconds = 0

    @api.model
    def _simotel_open(self, row, moment, reason=None):
        return self.sudo().create(
            {
                **row._simotel_agent_values(),
                "reason_id": reason.id if reason else False,
                "start": moment,
            }
        )

    def _simotel_close(self, moment):
        self.filtered(lambda pause: not pause.stop).write({"stop": moment})
