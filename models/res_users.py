from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class ResUsers(models.Model):
    _inherit = "res.users"

    simotel_extension = fields.Char(
        "Simotel Extension",
        index="btree_not_null",
        copy=False,
        help="Internal number of this user's phone on the Simotel PBX, e.g. 557.",
    )
    simotel_screen_pop = fields.Boolean(
        "Incoming Call Popup",
        default=True,
        help="Show the caller's card in Odoo when a call rings your extension.",
    )

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
            clash = self.sudo().search([
                ("id", "!=", user.id),
                ("simotel_extension", "=", user.simotel_extension),
                ("company_ids", "in", user.company_ids.ids),
            ], limit=1)
            if clash:
                raise ValidationError(_(
                    "Extension %(extension)s is already used by %(user)s in the same company.",
                    extension=user.simotel_extension, user=clash.name,
                ))

    @api.model
    def _simotel_find_by_extension(self, extension, company):
        """The active internal user of ``company`` with this extension, or an empty recordset."""
        extension = (extension or "").strip()
        if not extension:
            return self.browse()
        return self.sudo().search([
            ("simotel_extension", "=", extension),
            ("company_ids", "in", company.ids),
            ("share", "=", False),
        ], limit=1)
