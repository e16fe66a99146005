from odoo import api, fields, models


class SimotelDirectoryMixin(models.AbstractModel):
    """An entry of a company's PBX directory (an extension, a queue): a number and the name the PBX gives it.

    The directory is the PBX's: entries are created, renamed and archived by the sync and SEA only
    (as superuser; the models' access rights are read-only), one per company and number
    (:meth:`_simotel_upsert`).
    """

    _name = "simotel.directory.mixin"
    _description = "Simotel Directory Entry"
    _order = "number"
    _rec_name = "number"

    company_id = fields.Many2one("res.company", "Company", required=True, index=True, ondelete="cascade")
    number = fields.Char(required=True, index=True)
    name = fields.Char("Name on the PBX")
    active = fields.Boolean(default=True, readonly=True)

    def _compute_display_name(self):
        for entry in self:
            name = entry.name if entry.name and entry.name != entry.number else ""
            entry.display_name = "%s %s" % (entry.number, name) if name else entry.number

    @api.model
    def _simotel_upsert(self, company, number, name=None, active=True):
        """The entry ``number`` of ``company``, created or updated (archived with ``active=False``)."""
        number = str(number or "").strip()[:32]
        if not number:
            return self.browse()
        entry = (
            self.sudo()
            .with_context(active_test=False)
            .search([("company_id", "=", company.id), ("number", "=", number)], limit=1)
        )
        values = {"active": True} if active else {}
        if name:
            values["name"] = str(name)[:128]
        if entry:
            entry.write(values)
        else:
            entry = entry.create({"company_id": company.id, "number": number, **values})
        if not active:
            entry._simotel_archive()
        return entry

    def _simotel_archive(self):
        """The PBX removed these entries: archived."""
        self.filtered("active").write({"active": False})
