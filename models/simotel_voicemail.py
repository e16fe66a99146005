import logging

import psycopg2.errors
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools.misc import get_lang

from ..tools import phone, sea
from .simotel_call import _isolate

_logger = logging.getLogger(__name__)


class SimotelVoicemail(models.Model):
    """A voicemail left on the PBX (SEA ``VoiceMail``), brought to the CRM once.

    A message saved on the PBX (state ``SUCCESS`` with a file) becomes a
    note on the caller's contact, or on a lead for an unknown outside number
    (Settings ▸ Simotel ▸ Voicemail), with a link that plays the audio, and
    an activity for the owner (the contact's or lead's salesperson, else the
    voicemail user of the settings). A voicemail the caller hung up on
    (``FAILED``, no file), or from a caller with no outside number to call
    back (hidden number, internal extension), is only listed.
    """

    _name = "simotel.voicemail"
    _inherit = ["simotel.pbx.audio.mixin"]
    _description = "Simotel Voicemail"
    _order = "date desc, id desc"
    _rec_name = "caller"

    company_id = fields.Many2one("res.company", "Company", required=True, readonly=True, index=True)
    key = fields.Char(
        required=True, readonly=True, help="Simotel's id of the voicemail (else its box, caller and date)."
    )
    mailbox = fields.Char("Voicemail Box", readonly=True)
    caller = fields.Char(readonly=True)
    caller_e164 = fields.Char("Caller (E.164)", readonly=True, index="btree_not_null")
    state = fields.Selection([("success", "Saved"), ("failed", "Not saved")], "Status", readonly=True)
    date = fields.Datetime(readonly=True, index=True, default=fields.Datetime.now)
    filename = fields.Char("Audio File", readonly=True)
    duration_seconds = fields.Integer("Duration", readonly=True, help="In seconds.")
    pbx_message = fields.Char("PBX Message", readonly=True, help="What the PBX said, e.g. Hangup call.")
    partner_id = fields.Many2one("res.partner", "Contact", readonly=True, index="btree_not_null", ondelete="set null")
    lead_id = fields.Many2one("crm.lead", "Lead", readonly=True, index="btree_not_null", ondelete="set null")
    user_id = fields.Many2one(
        "res.users", "Owner", readonly=True, index="btree_not_null", ondelete="set null", help="Gets the activity."
    )
    audio_player = fields.Html("Listen", compute="_compute_audio_player", sanitize=False)

    _sql_constraints = [
        ("key_company_uniq", "UNIQUE(company_id, key)", "A voicemail is brought to the CRM once."),
    ]

    @api.depends("filename")
    def _compute_audio_player(self):
        for voicemail in self:
            voicemail.audio_player = (
                voicemail.id
                and voicemail.filename
                and Markup('<audio controls="controls" preload="none" src="%s"></audio>')
                % voicemail._simotel_audio_url()
            )

    def _simotel_audio_url(self):
        return "/simotel/voicemail/%d/audio" % self.id

    # ------------------------------------------------------------------
    # SEA VoiceMail
    # ------------------------------------------------------------------
    @api.model
    def _simotel_on_voicemail(self, company, payload):
        """Bring one ``VoiceMail`` event (normalized payload) to the CRM; a repeated one changes nothing.

        :return: ``(voicemail, created)``
        """
        mailbox = sea.event_text(payload.get("number"), 64)
        caller = sea.event_text(payload.get("caller"), 64)
        raw_date = payload.get("date")
        key = sea.event_text(payload.get("id"), 128) or "%s|%s|%s" % (mailbox, caller, sea.event_text(raw_date, 40))
        Voicemail = self.sudo().with_company(company)
        existing = Voicemail.search([("company_id", "=", company.id), ("key", "=", key)], limit=1)
        if existing:
            return existing, False
        success = sea.event_text(payload.get("state")).upper() == "SUCCESS"
        values = {
            "company_id": company.id,
            "key": key,
            "mailbox": mailbox or False,
            "caller": caller or False,
            "caller_e164": phone.to_e164(caller, company._simotel_phone_region()) or False,
            "state": "success" if success else "failed",
            "date": (sea.parse_time(raw_date, company._simotel_time_zone()) or fields.Datetime.now()).replace(
                microsecond=0
            ),
            "filename": sea.event_text(payload.get("filename"), 255) or False,
            "duration_seconds": sea.to_int(payload.get("duration")) or 0,
            "pbx_message": sea.event_text(payload.get("message"), 255) or False,
        }
        try:
            with self.env.cr.savepoint():
                voicemail = Voicemail.create(values)
        except psycopg2.errors.UniqueViolation:
            # The same voicemail delivered twice at once: the other delivery brought it.
            return Voicemail.search([("company_id", "=", company.id), ("key", "=", key)], limit=1), False
        if success and voicemail.filename:
            voicemail._simotel_to_crm()
        return voicemail, True

    def _simotel_to_crm(self):
        """The note (on the contact, or a lead) and the owner's activity of a saved voicemail."""
        self.ensure_one()
        company = self.company_id
        partner = self.env["res.partner"]._simotel_find_partners([self.caller_e164], company).get(self.caller_e164)
        record, owner = self.env["res.partner"], self.env["res.users"]
        if partner:
            record = partner
            owner = partner.user_id or partner.commercial_partner_id.user_id
            self.partner_id = partner
        elif company.simotel_voicemail_unknown == "lead" and self.caller_e164:
            # Only a caller with an outside number: a hidden number or an internal extension has
            # no lead to find again, and each voicemail would make a new one.
            record = self.env["crm.lead"]._simotel_find_leads([self.caller_e164], company).get(self.caller_e164)
            if not record:
                record = self._simotel_create_lead()
            owner = record.user_id
            self.lead_id = record
        if not record:
            return
        owner = owner or company.simotel_voicemail_user_id
        self.user_id = owner
        lang = owner.lang or company.partner_id.lang or "en_US"
        env = self.with_context(lang=lang).env
        rtl = get_lang(env, lang).direction == "rtl"
        body = Markup('<p>%s · <a href="%s" target="_blank">%s</a></p>') % (
            env._(
                "Voicemail from %(caller)s (box %(box)s), %(seconds)s s.",
                caller=_isolate(self.caller or "?", rtl),
                box=_isolate(self.mailbox or "-", rtl),
                seconds=_isolate(str(self.duration_seconds), rtl),
            ),
            self._simotel_audio_url(),
            env._("Listen to the voicemail"),
        )
        message = record.sudo()._message_log(body=body)
        message.sudo().write({"date": self.date})
        if owner:
            record.sudo().activity_schedule(
                act_type_xmlid="mail.mail_activity_data_call",
                summary=env._("Voicemail"),
                note=env._(
                    "Listen to the voicemail of %(caller)s and call back.", caller=_isolate(self.caller or "?", rtl)
                ),
                user_id=owner.id,
            )

    def _simotel_create_lead(self):
        """A lead for a voicemail from an unknown number."""
        company = self.company_id
        user = company.simotel_voicemail_user_id
        name = self.with_context(lang=user.lang or company.partner_id.lang or "en_US").env._(
            "Voicemail from %(caller)s", caller=self.caller or "?"
        )
        return (
            self.env["crm.lead"]
            .sudo()
            .with_company(company)
            .create(
                {
                    "name": name,
                    # A lead when the company works with leads, else an opportunity (what users see).
                    "type": "lead"
                    if self.env.ref("crm.group_use_lead") in self.env.ref("base.group_user").implied_ids
                    else "opportunity",
                    "phone": self.caller,
                    "company_id": company.id,
                    "user_id": user.id or False,
                }
            )
        )

    # ------------------------------------------------------------------
    # Audio
    # ------------------------------------------------------------------
    def _simotel_audio_file(self):
        if not self.filename:
            raise UserError(self.env._("This voicemail has no audio file."))
        return self.filename

    def action_simotel_play(self):
        """Button: open the audio in the browser."""
        return self._simotel_audio_action()
