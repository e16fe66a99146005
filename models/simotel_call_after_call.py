import logging
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import plaintext2html

from ..tools.actions import form_dialog_action

_logger = logging.getLogger(__name__)

# A report row is paired with a click-to-call of the same extension and number that started
# within the originate timeout plus this margin (the PBX's and Odoo's clocks, the SA round trip).
PAIR_MARGIN_SECONDS = 60
# Answered calls older than this get no "Call result" activity (a first sync of weeks of calls
# would bury the agents): they are still in the To Wrap Up list.
REMINDER_MAX_AGE = timedelta(days=1)
WRAP_UP_ACTIVITY = "simotel_connector.mail_activity_type_call_result"


class SimotelCall(models.Model):
    """After the call: chatter, call result (wrap-up code), agent's note; click-to-calls that never connected."""

    _name = "simotel.call"
    _inherit = ["simotel.call", "mail.thread", "mail.activity.mixin"]
    # Agents only read calls: they log notes and do their activities on the calls they see.
    _mail_post_access = "read"

    result_id = fields.Many2one(
        "simotel.call.result",
        "Call Result",
        readonly=True,
        index="btree_not_null",
        ondelete="restrict",
        tracking=True,
        help="What came of the call, set by the agent (Interested, Call back later…). "
        "The Outcome is what the PBX reports (answered, busy…).",
    )

    # ------------------------------------------------------------------
    # Click-to-call without a call report: Not connected
    # ------------------------------------------------------------------
    def _simotel_not_connected_delay(self, company):
        """Seconds after a click-to-call without a call report until it is Not connected."""
        settings = company.sudo()
        return (settings.simotel_originate_timeout or 30) + max(settings.simotel_originate_grace or 0, 0)

    def _simotel_wake_not_connected_cron(self):
        """Run the Not connected cron when these click-to-calls reach their deadline (not minutes later)."""
        cron = self.env.ref("simotel_connector.ir_cron_simotel_call_not_connected", raise_if_not_found=False)
        if not cron:
            return
        moments = sorted(
            {
                call.start + timedelta(seconds=self._simotel_not_connected_delay(call.company_id))
                for call in self
                if call.start
            }
        )
        if moments:
            cron.sudo()._trigger(moments)

    @api.model
    def _simotel_expire_originated(self, now=None):
        """Mark Not connected the click-to-calls without a call report by the originate timeout plus the grace period.

        :param now: the moment to judge by (naive UTC; default: now)
        :return: the calls marked
        """
        now = now or fields.Datetime.now()
        calls = self.sudo()
        expired = calls.browse()
        for [company] in calls._read_group([("state", "=", "originated")], ["company_id"]):
            deadline = now - timedelta(seconds=self._simotel_not_connected_delay(company))
            expired |= calls.search(
                [("company_id", "=", company.id), ("state", "=", "originated"), ("start", "<=", deadline)]
            )
        if expired:
            expired.write({"state": "not_connected"})
            _logger.info("Simotel: %d click-to-calls without a call report marked Not connected", len(expired))
        return expired

    @api.model
    def _cron_mark_not_connected(self):
        self._simotel_expire_originated()

    @api.model
    def _simotel_pair_originated(self, company, vals_list):
        """Give call reports without ``originated_call_id`` (SA report rows) the id of their click-to-call.

        A click-to-call still waiting (Calling or Not connected) is the same call as an outgoing
        report of the same extension and customer number that started within the originate
        timeout (plus a margin) of it; the nearest one is taken, each once. The report then
        completes that call (see ``_simotel_claim``) instead of making a second one.
        """
        unpaired = [
            values
            for values in vals_list
            if not values["originated_call_id"]
            and values["direction"] == "outbound"
            and values["extension"]
            and values["external_e164"]
            and values["start"]
        ]
        if not unpaired:
            return
        window = timedelta(seconds=company.sudo().simotel_originate_timeout + PAIR_MARGIN_SECONDS)
        starts = [values["start"] for values in unpaired]
        waiting = self.sudo().search_fetch(
            [
                ("company_id", "=", company.id),
                ("state", "in", ("originated", "not_connected")),
                ("unique_id", "=", False),
                ("originated_call_id", "!=", False),
                ("start", ">=", min(starts) - window),
                ("start", "<=", max(starts) + window),
            ],
            ["extension", "external_e164", "start", "originated_call_id"],
        )
        taken = set()
        for values in unpaired:
            candidates = [
                call
                for call in waiting
                if call.id not in taken
                and call.extension == values["extension"]
                and call.external_e164 == values["external_e164"]
                and abs(call.start - values["start"]) <= window
            ]
            if candidates:
                call = min(candidates, key=lambda call, start=values["start"]: (abs(call.start - start), call.id))
                taken.add(call.id)
                values["originated_call_id"] = call.originated_call_id

    # ------------------------------------------------------------------
    # Call result and note
    # ------------------------------------------------------------------
    def action_simotel_wrap_up(self):
        """Button "Call result": the agent sets the call's result and writes a note."""
        self.ensure_one()
        self.check_access("read")
        return form_dialog_action(
            self.env._("Call result"),
            "simotel.call.wrap.up",
            {"default_call_id": self.id, "default_result_id": self.result_id.id},
        )

    def _simotel_wrap_up(self, result, note, author):
        """Set ``result`` and log ``note`` on this call by ``author``; the note also goes, linked to the call,
        to the chatter of its contact and lead. The caller has checked that ``author`` may see the call."""
        self.ensure_one()
        call = self.with_user(author).with_context(tracking_disable=False, lang=author.lang or "en_US").sudo()
        env = call.env
        changed = result and result != call.result_id
        if changed:
            call.write({"result_id": result.id})
            reminder = env.ref(WRAP_UP_ACTIVITY, raise_if_not_found=False)
            call.activity_ids.filtered(lambda activity: activity.activity_type_id == reminder).action_feedback(
                feedback=result.name
            )
        note = (note or "").strip()
        if note:
            call.message_post(
                body=plaintext2html(note),
                message_type="comment",
                subtype_xmlid="mail.mt_note",
                author_id=author.partner_id.id,
            )
        if not (note or changed):
            return
        text = Markup()
        if call.result_id:
            text += Markup("<p><b>%s</b></p>") % env._("Call result: %(result)s", result=call.result_id.name)
        if note:
            text += plaintext2html(note)
        text += Markup(
            '<p><a href="/web#model=simotel.call&amp;id=%d&amp;view_type=form" '
            'data-oe-model="simotel.call" data-oe-id="%d">%s</a></p>'
        ) % (
            call.id,
            call.id,
            call.display_name,
        )
        for record in (call.partner_id, call.lead_id):
            if record:
                # The agent does not become a follower of the customer (nor get its mail).
                record.with_context(mail_create_nosubscribe=True).message_post(
                    body=text, message_type="comment", subtype_xmlid="mail.mt_note", author_id=author.partner_id.id
                )

    def _simotel_after_call(self):
        """For calls just created from their report: the result and note the agent set from the card while the
        call ran; then, where the company wants it, a "Call result" reminder for answered calls without one."""
        calls = self.with_context(tracking_disable=False)
        with_id = calls.filtered("unique_id")
        if with_id:
            pops = (
                self.env["simotel.screen.pop"]
                .sudo()
                .search(
                    [
                        ("company_id", "in", with_id.company_id.ids),
                        ("unique_id", "in", with_id.mapped("unique_id")),
                        "|",
                        ("result_id", "!=", False),
                        ("note", "!=", False),
                    ],
                    order="id",
                )
            )
            by_key = {(call.company_id.id, call.unique_id): call for call in with_id}
            for pop in pops:
                call = by_key.get((pop.company_id.id, pop.unique_id))
                if not call:
                    continue
                if call.with_user(pop.user_id).has_access("read"):
                    result = pop.result_id.filtered(
                        lambda result, call=call: not result.company_id or result.company_id == call.company_id
                    )
                    call._simotel_wrap_up(result, pop.note, pop.user_id)
                else:
                    _logger.info(
                        "Simotel call %s: the call result set by user %s from the card is dropped "
                        "(the call is not theirs)",
                        call.id,
                        pop.user_id.id,
                    )
                pop.write({"result_id": False, "note": False})
        oldest = fields.Datetime.now() - REMINDER_MAX_AGE
        for call in calls:
            if (
                call.company_id.simotel_wrap_up_reminder
                and call.state == "done"
                and call.disposition == "answered"
                and call.direction != "internal"
                and call.user_id
                and not call.result_id
                and call.start
                and call.start >= oldest
            ):
                call.sudo().with_context(mail_activity_quick_update=True).activity_schedule(
                    WRAP_UP_ACTIVITY,
                    summary=call.with_context(lang=call.user_id.lang or "en_US").env._("Set the call result"),
                    user_id=call.user_id.id,
                )
