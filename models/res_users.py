import logging

from odoo import _, api, fields, models, tools
from odoo.exceptions import AccessError, RedirectWarning, UserError, ValidationError

from ..tools import phone
from ..tools.sa_client import SimotelError

_logger = logging.getLogger(__name__)


class ResUsers(models.Model):
    _inherit = "res.users"

    simotel_extension = fields.Char(
        index="btree_not_null",
        copy=False,
        help="Internal number of this user's phone on the Simotel PBX, e.g. 557.",
    )
    simotel_screen_pop = fields.Boolean(
        "Incoming Call Popup",
        default=True,
        help="Show the caller's card in Odoo when a call rings your extension.",
    )

    @api.model
    @tools.ormcache()
    def _simotel_active_extensions(self):
        """``{user id: extension}`` of the active users with an extension.

        Read by every call-time lookup: kept in memory until an extension or
        an archiving changes (other workers learn it through Odoo's cache signaling).
        """
        users = self.sudo().search_fetch([("simotel_extension", "!=", False)], ["simotel_extension"])
        return {user.id: user.simotel_extension for user in users}

    @api.model_create_multi
    def create(self, vals_list):
        if any(vals.get("simotel_extension") for vals in vals_list):
            self.env.registry.clear_cache()
        return super().create(vals_list)

    def write(self, vals):
        if "simotel_extension" in vals or "active" in vals:
            self.env.registry.clear_cache()
        return super().write(vals)

    @property
    def SELF_READABLE_FIELDS(self):
        return super().SELF_READABLE_FIELDS + ["simotel_extension", "simotel_screen_pop"]

    @property
    def SELF_WRITEABLE_FIELDS(self):
        return super().SELF_WRITEABLE_FIELDS + ["simotel_extension", "simotel_screen_pop"]

    @api.constrains("simotel_extension", "company_ids")
    def _check_simotel_extension(self):
        for user in self.filtered("simotel_extension"):
            if not user.simotel_extension.isdigit():
                raise ValidationError(_("A Simotel extension is made of digits only (e.g. 557)."))
            clash = self.sudo().search(
                [
                    ("id", "!=", user.id),
                    ("simotel_extension", "=", user.simotel_extension),
                    ("company_ids", "in", user.company_ids.ids),
                ],
                limit=1,
            )
            if clash:
                raise ValidationError(
                    _(
                        "Extension %(extension)s is already used by %(user)s in the same company.",
                        extension=user.simotel_extension,
                        user=clash.name,
                    )
                )

    @api.model
    def _simotel_find_by_extension(self, extension, company):
        """The active internal user of ``company`` with this extension, or an empty recordset."""
        extension = (extension or "").strip()
        if not extension:
            return self.browse()
        return self.sudo().search(
            [
                ("simotel_extension", "=", extension),
                ("company_ids", "in", company.ids),
                ("share", "=", False),
            ],
            limit=1,
        )

    def _simotel_originate(self, number, region=None, partner=None, lead=None):
        """Ring this user's extension, then connect ``number`` (SA ``call/originate/act``).

        ``number`` is read in ``region`` (ISO code; default: the company's) and
        dialled in the form the PBX of the current company dials. Missing
        extension or an unusable number raise before anything is sent; an SA
        failure comes back as an error notification.

        :return: a ``display_notification`` client action
        """
        self.ensure_one()
        if not self.has_group("simotel_connector.group_simotel_user"):
            raise AccessError(_("You are not allowed to use click-to-call (Simotel user group)."))
        if not self.simotel_extension:
            action = self.env["ir.actions.actions"]._for_xml_id("base.action_res_users_my")
            action["res_id"] = self.id
            raise RedirectWarning(
                _("Your user has no Simotel extension. Set it in My Preferences ▸ Simotel."),
                action,
                _("Open My Preferences"),
            )
        company = self.env.company
        home_region = company._simotel_phone_region()
        e164 = phone.to_e164(number, region or home_region)
        if not e164:
            raise UserError(_("%s cannot be dialled: not a valid phone number.", number))
        callee = phone.to_dial(e164, home_region)
        settings = company.sudo()
        try:
            call_id = company._simotel_client().originate(
                caller=self.simotel_extension,
                callee=callee,
                context=settings.simotel_context,
                caller_id=self.simotel_extension,
                # Every number that passes to_e164 is an outside number: it leaves by the trunk.
                trunk_name=settings.simotel_trunk_name,
                timeout=settings.simotel_originate_timeout,
                method=settings.simotel_originate_method,
            )
        except SimotelError as error:
            return self.env["res.config.settings"]._simotel_notification_action(
                {"type": "danger", "title": _("Call failed"), "message": str(error)}
            )
        _logger.info("Simotel originate by user %s from extension %s: %s", self.id, self.simotel_extension, call_id)
        if call_id:
            # Only with Simotel's id can the CDR complete this record (without it, the CDR makes its own).
            self.env["simotel.call"]._simotel_register_originate(
                {
                    "company_id": company.id,
                    "user_id": self.id,
                    "partner_id": partner.id if partner else False,
                    "lead_id": lead.id if lead else False,
                    "caller_number": self.simotel_extension,
                    "callee_number": callee,
                    "originated_call_id": call_id,
                }
            )
        return self.env["res.config.settings"]._simotel_notification_action(
            {
                "type": "success",
                "title": _("Calling"),
                "message": _(
                    "Calling %(number)s from extension %(extension)s. Answer your phone to be connected. "
                    "If you do not answer, Simotel drops the call and sends no call report; "
                    'the call then stays "Calling, no call report yet" in the call history.',
                    number=callee,
                    extension=self.simotel_extension,
                ),
            }
        )
