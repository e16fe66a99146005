import logging

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

_logger = logging.getLogger(__name__)


class SimotelExtension(models.Model):
    """An extension defined on the PBX (``pbx/users/search``), kept current by ``ExtenAdded``/``ExtenRemoved``."""

    _name = "simotel.extension"
    _inherit = ["simotel.directory.mixin"]
    _description = "Simotel Extension"
    _rec_names_search = ["number", "name"]

    number = fields.Char("Extension")
    # Archived by the sync and SEA only: no Archive action in the screens.
    active = fields.Boolean(help="Archived when the PBX removes the extension.")
    user_id = fields.Many2one("res.users", "User", compute="_compute_user_id", help="The Odoo user of this extension.")
    assigned_user_id = fields.Many2one(
        "res.users",
        "Assigned To",
        compute="_compute_assigned_user_id",
        search="_search_assigned_user_id",
        help="The user of this company who has this extension (also an archived or non-Simotel user: "
        "an extension is assigned once per company).",
    )
    queue_member_ids = fields.One2many("simotel.queue.member", "extension_id", "Queues")

    _sql_constraints = [("company_number_uniq", "unique(company_id, number)", "An extension is listed once.")]

    def _compute_user_id(self):
        for extension in self:
            extension.user_id = self.env["res.users"]._simotel_find_by_extension(extension.number, extension.company_id)

    def _simotel_assigned_users(self):
        """``{extension id: user id}``: the users holding these extensions in their company."""
        if not self.ids:
            return {}
        self.env.cr.execute(
            SQL(
                """
                SELECT DISTINCT ON (e.id) e.id, u.id
                  FROM simotel_extension e
                  JOIN res_users u ON u.simotel_extension = e.number
                  JOIN res_company_users_rel r ON r.user_id = u.id AND r.cid = e.company_id
                 WHERE e.id = ANY(%s)
                 ORDER BY e.id, u.active DESC, u.id
                """,
                self.ids,
            )
        )
        return dict(self.env.cr.fetchall())

    @api.depends("number", "company_id")
    def _compute_assigned_user_id(self):
        self.env["res.users"].flush_model(["simotel_extension", "company_ids"])
        assigned = self._simotel_assigned_users()
        for extension in self:
            extension.assigned_user_id = assigned.get(extension.id, False)

    def _search_assigned_user_id(self, operator, value):
        if operator not in ("=", "!=", "in", "not in"):
            raise UserError(_("Unsupported search on the assigned user of an extension."))
        self.env["res.users"].flush_model(["simotel_extension", "company_ids"])
        self.flush_model(["number", "company_id"])
        self.env.cr.execute(
            """
            SELECT e.id, u.id
              FROM simotel_extension e
              JOIN res_users u ON u.simotel_extension = e.number
              JOIN res_company_users_rel r ON r.user_id = u.id AND r.cid = e.company_id
            """
        )
        rows = self.env.cr.fetchall()
        values = value if isinstance(value, (list, tuple)) else [value]
        wanted = {v for v in values if v}
        assigned = {extension_id for extension_id, _user_id in rows}
        matching = {extension_id for extension_id, user_id in rows if user_id in wanted}
        if False in values or None in values:
            # "no user": every extension not assigned, plus those of the users asked for
            unassigned_or = [("id", "not in", list(assigned - matching))]
            domain = unassigned_or
        else:
            domain = [("id", "in", list(matching))]
        if operator in ("!=", "not in"):
            domain = ["!", *domain]
        return domain

    def _simotel_archive(self):
        """The PBX removed these extensions: archived. Users keep them, flagged (``simotel_extension_removed``)."""
        extensions = self.filtered("active")
        if not extensions:
            return
        extensions.write({"active": False})
        Users = self.env["res.users"].sudo()
        for extension_id, user_id in extensions._simotel_assigned_users().items():
            extension = self.browse(extension_id)
            _logger.warning(
                "Simotel extension %s of company %s was removed from the PBX; user %s (%s) keeps it, "
                "flagged: an administrator assigns another one",
                extension.number,
                extension.company_id.id,
                user_id,
                Users.browse(user_id).login,
            )

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
        self.sudo().search([("company_id", "=", company.id), ("id", "not in", extensions.ids)])._simotel_archive()
        company.sudo().simotel_directory_synced = fields.Datetime.now()
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
