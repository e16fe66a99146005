import logging

import psycopg2.errors

from odoo import api, fields, models

from ..tools import phone, sea

_logger = logging.getLogger(__name__)


class SimotelCallTransfer(models.Model):
    """One hand-over of a call (SEA ``Transfer``): who passed it, from which party to which.

    Transfers are kept by ``(company, unique_id)`` whether or not the call's
    report arrived: :meth:`_simotel_link_calls` attaches them to the call
    when its report comes, and the last transfer's target becomes the call's
    agent (when it is a known agent), whichever arrived first.

    Simotel's ``Transfer`` carries no time, so a delivery is a repetition (the
    PBX's retry) only when it equals the call's latest step; the same hand-over
    later in the chain (557 → 558, 558 → 557, 557 → 558) is a new step. Steps
    are numbered per call and a number is taken once (unique key): of two
    concurrent deliveries, the later one fails whole and its retry (the
    event cron) sees the step the other recorded.
    """

    _name = "simotel.call.transfer"
    _inherit = ["simotel.call.detail.mixin"]
    _description = "Simotel Call Transfer"
    _order = "call_id, sequence, id"

    sequence = fields.Integer(readonly=True, default=10, help="Order of the transfers of one call.")
    date = fields.Datetime("Transferred", readonly=True, default=fields.Datetime.now)
    transferer = fields.Char("Transferred By", readonly=True, help="Extension that made the transfer.")
    transferred_from = fields.Char("From", readonly=True, help="Party the call was taken from.")
    transferred_to = fields.Char("To", readonly=True, help="Extension or number the call was handed to.")
    transferer_user_id = fields.Many2one("res.users", "Transferred By (User)", readonly=True, ondelete="set null")
    to_user_id = fields.Many2one("res.users", "To (User)", readonly=True, ondelete="set null")

    _sql_constraints = [
        (
            "transfer_step_uniq",
            "UNIQUE(company_id, unique_id, sequence)",
            "A step of a call's transfer chain is recorded once.",
        ),
    ]

    @api.depends("transferred_from", "transferred_to")
    def _compute_display_name(self):
        for transfer in self:
            transfer.display_name = "%s → %s" % (transfer.transferred_from or "?", transfer.transferred_to or "?")

    @api.model
    def _simotel_on_transfer(self, company, payload, received_at=None):
        """Record one ``Transfer`` event (normalized payload); a repeated one changes nothing.

        :return: the transfer (the existing one for a repetition)
        """
        values = {
            "company_id": company.id,
            "unique_id": payload["unique_id"],
            "transferer": sea.event_text(payload.get("transferer"), 64),
            "transferred_from": sea.event_text(payload.get("transferred_from"), 64),
            "transferred_to": sea.event_text(payload.get("transferred_to"), 64),
        }
        Transfer = self.sudo().with_company(company)
        latest = Transfer.search(
            [("company_id", "=", company.id), ("unique_id", "=", values["unique_id"])],
            order="sequence desc, id desc",
            limit=1,
        )
        if latest and all((latest[name] or "") == value for name, value in values.items() if name != "company_id"):
            return latest  # the PBX's retry of the latest step
        Users = self.env["res.users"]
        values.update(
            {
                "date": received_at or fields.Datetime.now(),
                "sequence": latest.sequence + 1 if latest else 1,
                "transferer_user_id": Users._simotel_find_by_extension(values["transferer"], company).id,
                "to_user_id": phone.is_extension(values["transferred_to"])
                and Users._simotel_find_by_extension(values["transferred_to"], company).id,
                "call_id": self._simotel_find_call(company, values["unique_id"]).id,
            }
        )
        try:
            with self.env.cr.savepoint():
                transfer = Transfer.create(values)
        except psycopg2.errors.UniqueViolation:
            # A concurrent delivery of this call took this step's number first; its commit is not in
            # this transaction's snapshot (Odoo's transactions are REPEATABLE READ, so no lock taken
            # now could show it). The event fails whole; its retry sees that step.
            raise sea.InboundError(
                409, "a concurrent delivery of call %s recorded a transfer first; retried later" % values["unique_id"]
            ) from None
        self._simotel_apply(transfer.call_id)
        return transfer

    @api.model
    def _simotel_link_calls(self, company, calls):
        """Attach the transfers that arrived before these calls' reports, then apply every call's last transfer."""
        linked = super()._simotel_link_calls(company, calls)
        self._simotel_apply(calls.filtered("simotel_transfer_ids"))
        return linked

    @api.model
    def _simotel_apply(self, calls):
        """The target of the call's last hand-over to a known agent is the call's agent (for follow-ups and KPIs).

        A hand-over to a number that is no agent's (a queue, an IVR, a desk phone, an outside
        number) leaves the call's agent as it was: the agent who spoke with the customer keeps it.
        """
        for call in calls.sudo():
            last = call.simotel_transfer_ids.filtered("to_user_id").sorted(lambda t: (t.sequence, t.id))[-1:]
            if not last:
                continue
            update = {}
            if call.extension != last.transferred_to:
                update["extension"] = last.transferred_to
            if call.user_id != last.to_user_id:
                update["user_id"] = last.to_user_id.id
            if update:
                call.write(update)
