from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError


class SimotelCallWrapUp(models.TransientModel):
    """The agent's call result and note, from the caller's card while the call runs or from the call's form.

    From the card the call may have no record yet (its report comes when it ends): the result and
    note wait on the agent's card (``simotel.screen.pop``) and go on the call when its report arrives.
    """

    _name = "simotel.call.wrap.up"
    _description = "Simotel Call Result and Note"

    call_id = fields.Many2one("simotel.call", "Call", readonly=True, ondelete="cascade")
    unique_id = fields.Char("Simotel Call ID", readonly=True)
    number = fields.Char(readonly=True)
    result_id = fields.Many2one(
        "simotel.call.result",
        "Call Result",
        domain="[('company_id', 'in', [False, company_id])]",
    )
    note = fields.Text()
    company_id = fields.Many2one("res.company", compute="_compute_company_id")

    @api.depends("call_id", "unique_id")
    def _compute_company_id(self):
        for wizard in self:
            wizard.company_id = wizard.call_id.sudo().company_id or self.env.company

    def _simotel_pop(self):
        """The current user's card of this call (their own, in their companies), or an access error."""
        pop = self.env["simotel.screen.pop"]
        if self.unique_id:
            pop = pop.search(
                [
                    ("user_id", "=", self.env.uid),
                    ("unique_id", "=", self.unique_id),
                    ("company_id", "in", self.env.companies.ids),
                ],
                order="id desc",
                limit=1,
            )
        if not pop:
            raise AccessError(self.env._("This call did not ring your extension."))
        return pop

    def action_save(self):
        """Button "Save": the result and note go on the call, or wait on the card until the call's report comes."""
        self.ensure_one()
        note = (self.note or "").strip()
        if not (self.result_id or note):
            raise UserError(self.env._("Choose a call result or write a note."))
        call = self.call_id
        pop = self.env["simotel.screen.pop"]
        if not call:
            pop = self._simotel_pop()
            call = (
                self.env["simotel.call"]
                .sudo()
                .search([("company_id", "=", pop.company_id.id), ("unique_id", "=", self.unique_id)], limit=1)
                .with_env(self.env)
            )
        if call:
            call.check_access("read")  # an agent sets results only on the calls they may see
        company = call.sudo().company_id or pop.company_id
        if self.result_id.company_id and self.result_id.company_id != company:
            raise UserError(self.env._("This call result belongs to another company."))
        if call:
            call.sudo()._simotel_wrap_up(self.result_id, note, self.env.user)
            message = self.env._("Saved on the call.")
        else:
            pop.sudo().write(
                {
                    "result_id": self.result_id.id or pop.result_id.id,
                    "note": "\n\n".join(text for text in (pop.note, note) if text) or False,
                }
            )
            message = self.env._("Saved: it goes on the call when Simotel reports its end.")
        notification = self.env["res.config.settings"]._simotel_notification_action(
            {
                "type": "success",
                "title": self.env._("Call result"),
                "message": message,
                "className": "o_simotel_wrap_up_saved",
            }
        )
        notification["params"]["next"] = {"type": "ir.actions.act_window_close"}
        return notification
