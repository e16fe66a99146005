import logging

from odoo import _, api, fields, models
from odoo.exceptions import AccessError

_logger = logging.getLogger(__name__)


class SimotelExtension(models.Model):
    """An extension defined on the PBX (``pbx/users/search``), kept current by ``ExtenAdded``/``ExtenRemoved``."""

    _name = "simotel.extension"
    _description = "Simotel Extension"
    _order = "number"
    _rec_name = "number"

    company_id = fields.Many2one("res.company", "Company", required=True, index=True, ondelete="cascade")
    number = fields.Char("Extension", required=True, index=True)
    name = fields.Char("Name on the PBX")
    active = fields.Boolean(default=True, help="Archived when the PBX removes the extension.")
    user_id = fields.Many2one("res.users", "User", compute="_compute_user_id", help="The Odoo user of this extension.")
    queue_member_ids = fields.One2many("simotel.queue.member", "extension_id", "Queues")

    _sql_constraints = [("company_number_uniq", "unique(company_id, number)", "An extension is listed once.")]

    def _compute_display_name(self):
        for extension in self:
            name = extension.name if extension.name and extension.name != extension.number else ""
            extension.display_name = "%s %s" % (extension.number, name) if name else extension.number

    def _compute_user_id(self):
        for extension in self:
            extension.user_id = self.env["res.users"]._simotel_find_by_extension(extension.number, extension.company_id)

    @api.model
    def _simotel_upsert(self, company, number, name=None, active=True):
        """The extension ``number`` of ``company``, created or updated (archived with ``active=False``)."""
        number = str(number or "").strip()[:32]
        if not number:
            return self.browse()
        extension = (
            self.sudo()
            .with_context(active_test=False)
            .search([("company_id", "=", company.id), ("number", "=", number)], limit=1)
        )
        values = {"active": active}
        if name:
            values["name"] = str(name)[:128]
        if extension:
            extension.write(values)
        else:
            extension = extension.create({"company_id": company.id, "number": number, **values})
        return extension

    @api.model
    def _simotel_sync(self, company):
        """Read the PBX's extensions and queues (SA) into the directory; archive those gone.

        :return: ``(extensions, queues)`` synced
        """
        client = company._simotel_client()
        queue_rows = client.queues_search()
        user_rows = client.users_search()
        Queue = self.env["simotel.queue"].sudo()
        queues = Queue.browse()
        for row in queue_rows:
            queues |= Queue._simotel_upsert(company, row.get("number"), row.get("name"))
        Queue.with_context(active_test=False).search(
            [("company_id", "=", company.id), ("id", "not in", queues.ids)]
        ).write({"active": False})
        extensions = self.browse()
        memberships = {}
        for row in user_rows:
            extension = self._simotel_upsert(company, row.get("number"), row.get("name"))
            extensions |= extension
            for item in row.get("queues") or []:
                number = item.get("number") or item.get("queue") if isinstance(item, dict) else item
                if isinstance(number, (str, int)) and str(number).strip():
                    memberships.setdefault(str(number).strip(), set()).add(extension.number)
        self.sudo().with_context(active_test=False).search(
            [("company_id", "=", company.id), ("id", "not in", extensions.ids)]
        ).write({"active": False})
        for queue in queues:
            queue._simotel_set_members(memberships.get(queue.number, set()))
        _logger.info(
            "Simotel directory of company %s: %d extensions, %d queues", company.id, len(extensions), len(queues)
        )
        return extensions, queues

    def action_simotel_sync(self):
        """Button: sync extensions and queues of the current company from the PBX."""
        if not self.env.user.has_group("simotel_connector.group_simotel_manager"):
            raise AccessError(_("Only Simotel administrators can sync the extension directory."))
        from ..tools.sa_client import SimotelError

        company = self.env.company
        try:
            extensions, queues = self._simotel_sync(company)
        except SimotelError as error:
            return self.env["res.config.settings"]._simotel_notification_action(
                {"type": "danger", "title": _("Sync failed"), "message": str(error)}
            )
        return self.env["res.config.settings"]._simotel_notification_action(
            {
                "type": "success",
                "title": _("Directory synced"),
                "message": _(
                    "%(extensions)s extensions and %(queues)s queues.", extensions=len(extensions), queues=len(queues)
                ),
            }
        )

    @api.model
    def _cron_sync(self):
        from ..tools.sa_client import SimotelError

        for company in self.env["res.company"].sudo().search([("simotel_server_url", "!=", False)]):
            try:
                self._simotel_sync(company)
            except SimotelError as error:
                _logger.warning("Simotel directory sync of company %s failed: %s", company.id, error)
