import logging

from odoo import _, api, fields, models, tools
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL

from ..tools import phone
from ..tools.sa_client import SimotelError
from ..tools.settings_cache import clear_settings_cache, may_predate_last_clear

_logger = logging.getLogger(__name__)

# Fields of the user that only Simotel administrators set (the PBX routes calls by them).
ADMIN_FIELDS = frozenset({"simotel_extension", "simotel_extension_id"})
# Fields a Simotel administrator may set on any user of their companies without user-management rights.
ASSIGNABLE_FIELDS = frozenset({"simotel_extension", "simotel_extension_id", "simotel_screen_pop"})


# What decides who is an agent, and of which extension (see _simotel_agent_domain, _simotel_active_extensions).
AGENT_FIELDS = frozenset({"simotel_extension", "active", "share", "groups_id", "company_id"})


class ResUsers(models.Model):
    _inherit = "res.users"

    simotel_extension = fields.Char(
        index="btree_not_null",
        copy=False,
        help="Internal number of this user's phone on the Simotel PBX (2 to 6 digits). Set by Simotel administrators.",
    )
    simotel_extension_id = fields.Many2one(
        "simotel.extension",
        "Extension from the PBX",
        compute="_compute_simotel_extension_id",
        inverse="_inverse_simotel_extension_id",
        groups="simotel_connector.group_simotel_manager",
        # Only the free extensions of the user's company (and the user's own).
        domain="[('company_id', '=', company_id), "
        "'|', ('assigned_user_id', '=', False), ('assigned_user_id', '=', id)]",
        help="The extension of this user, picked from the extensions of the user's company on the PBX "
        "(Simotel ▸ Configuration ▸ Extensions).",
    )
    simotel_directory_synced = fields.Boolean(
        "Extension Directory Synced",
        compute="_compute_simotel_directory_synced",
        help="The extension directory of the user's company has been read from the PBX: "
        "the extension is picked from it.",
    )
    simotel_extension_removed = fields.Boolean(
        "Extension Not on the PBX",
        compute="_compute_simotel_extension_removed",
        search="_search_simotel_extension_removed",
        help="The PBX removed this extension (or never had it): calls do not ring it. Assign another one.",
    )
    simotel_screen_pop = fields.Boolean(
        "Incoming Call Popup",
        default=True,
        help="Show the caller's card in Odoo when a call rings your extension.",
    )

    _sql_constraints = [
        # The constraint below compares all companies of the users; this index also
        # stops two concurrent transactions from giving one extension to two users
        # of the same main company.
        (
            "simotel_extension_company_uniq",
            "UNIQUE(company_id, simotel_extension)",
            "A Simotel extension is used once per company.",
        ),
    ]

    @api.model
    def _simotel_agent_domain(self):
        """Users who may receive screen pops and be reached as agents: active, internal, Simotel users."""
        group = self.env.ref("simotel_connector.group_simotel_user", raise_if_not_found=False)
        return [
            ("active", "=", True),
            ("share", "=", False),
            ("groups_id", "in", group.ids if group else []),
        ]

    def _simotel_directory_entries(self):
        """``{(company id, number): extension}`` of the directory (archived entries too) for these users."""
        users = self.filtered("simotel_extension")
        if not users:
            return {}
        entries = (
            self.env["simotel.extension"]
            .sudo()
            .with_context(active_test=False)
            .search_fetch(
                [("company_id", "in", users.company_id.ids), ("number", "in", users.mapped("simotel_extension"))],
                ["company_id", "number", "active"],
            )
        )
        return {(entry.company_id.id, entry.number): entry for entry in entries}

    @api.depends("simotel_extension", "company_id")
    def _compute_simotel_extension_id(self):
        entries = self._simotel_directory_entries()
        for user in self:
            entry = entries.get((user.company_id.id, user.simotel_extension))
            user.simotel_extension_id = entry or False

    def _inverse_simotel_extension_id(self):
        for user in self:
            entry = user.simotel_extension_id.sudo()
            if entry and entry.company_id != user.company_id:
                raise ValidationError(
                    _(
                        "Extension %(extension)s is on the PBX of %(company)s, not of %(user)s's company.",
                        extension=entry.number,
                        company=entry.company_id.name,
                        user=user.name,
                    )
                )
            user.simotel_extension = entry.number or False

    @api.depends("company_id")
    def _compute_simotel_directory_synced(self):
        for user in self:
            user.simotel_directory_synced = bool(user.company_id.sudo().simotel_directory_synced)

    @api.depends("simotel_extension", "company_id")
    def _compute_simotel_extension_removed(self):
        entries = self._simotel_directory_entries()
        for user in self:
            entry = entries.get((user.company_id.id, user.simotel_extension))
            user.simotel_extension_removed = bool(
                user.simotel_extension
                and user.company_id.sudo().simotel_directory_synced
                and not (entry and entry.active)
            )

    def _search_simotel_extension_removed(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(_("Unsupported search on the extensions not on the PBX."))
        self.env["simotel.extension"].flush_model(["company_id", "number", "active"])
        self.flush_model(["simotel_extension", "company_id"])
        self.env["res.company"].flush_model(["simotel_directory_synced"])
        self.env.cr.execute(
            """
            SELECT u.id FROM res_users u JOIN res_company c ON c.id = u.company_id
             WHERE u.simotel_extension IS NOT NULL AND c.simotel_directory_synced IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM simotel_extension e
                                WHERE e.company_id = u.company_id AND e.number = u.simotel_extension AND e.active)
            """
        )
        removed = [row[0] for row in self.env.cr.fetchall()]
        return [("id", "in" if (operator == "=") == value else "not in", removed)]

    @api.model
    def _simotel_action_user_extensions(self):
        """Simotel ▸ Configuration ▸ User Extensions: the directory's column when a company of the
        session has its directory synced, the typed one when a company has none (both when mixed)."""
        if not self.env.user.has_group("simotel_connector.group_simotel_manager"):
            raise AccessError(_("Only Simotel administrators assign Simotel extensions."))
        action = self.env["ir.actions.act_window"]._for_xml_id("simotel_connector.action_simotel_users")
        synced = [bool(company.simotel_directory_synced) for company in self.env.companies.sudo()]
        action["context"] = {"simotel_pick_extension": any(synced), "simotel_type_extension": not all(synced)}
        return action

    @api.model
    def _simotel_active_extensions(self):
        """``{user id: (main company id, extension)}`` of the agents (see :meth:`_simotel_active_extensions_kept`).

        A transaction that may have begun before the agents were last changed reads them from its
        snapshot without keeping them: it would put the old agents back in memory.
        """
        if may_predate_last_clear(self.env):
            return self._simotel_active_extensions_read()
        return self._simotel_active_extensions_kept()

    @api.model
    @tools.ormcache()
    def _simotel_active_extensions_kept(self):
        return self._simotel_active_extensions_read()

    @api.model
    def _simotel_active_extensions_read(self):
        """``{user id: (main company id, extension)}`` of the agents (:meth:`_simotel_agent_domain`) with an
        extension (on the PBX of their main company).

        Read by every call-time lookup: kept in memory until an extension, an
        archiving or a group membership changes (other workers learn it
        through Odoo's cache signaling).
        """
        users = self.sudo().search_fetch(
            [("simotel_extension", "!=", False), *self._simotel_agent_domain()], ["simotel_extension", "company_id"]
        )
        return {user.id: (user.company_id.id, user.simotel_extension) for user in users}

    @api.model
    def _simotel_check_assign(self, fields_written):
        """Raise unless the current user may set ``fields_written`` (Simotel fields) on any user."""
        if self.env.su or not ADMIN_FIELDS.intersection(fields_written):
            return
        if not self.env.user.has_group("simotel_connector.group_simotel_manager"):
            raise AccessError(
                _("Only Simotel administrators assign Simotel extensions (Simotel ▸ Configuration ▸ User Extensions).")
            )

    @api.model
    def _simotel_check_directory_entry(self, entry_id):
        """Raise unless the current user may read the directory row ``entry_id`` (record rules: their companies).

        The refusal is the same for a row of another company and for no row at all: it names neither
        the number nor the company, so that other companies' directories cannot be read by probing ids."""
        if self.env.su or not entry_id:
            return
        valid = isinstance(entry_id, int) and not isinstance(entry_id, bool)
        entry = self.env["simotel.extension"].browse(entry_id if valid else ()).exists()
        if not entry or not entry.has_access("read"):
            raise AccessError(_("This extension is not in the directory of your companies. Pick one from the list."))

    def _simotel_check_assign_company(self):
        """Raise unless the current user belongs to the main company of each of these users: a user's
        extension is on the PBX of their main company, which only that company's administrators assign."""
        if self.env.su:
            return
        allowed = self.env.user.company_ids
        if any(user.company_id not in allowed for user in self.sudo()):
            raise AccessError(
                _("Simotel extensions are assigned by the administrators of the user's main company only.")
            )

    @api.model_create_multi
    def create(self, vals_list):
        with_extension = any(vals.get("simotel_extension") or vals.get("simotel_extension_id") for vals in vals_list)
        if with_extension:
            self._simotel_check_assign({"simotel_extension"})
            for vals in vals_list:
                self._simotel_check_directory_entry(vals.get("simotel_extension_id"))
        users = super().create(vals_list)
        if with_extension:
            users.filtered("simotel_extension")._simotel_check_assign_company()
            # Only once the users exist: a refused creation leaves every worker's cache alone.
            clear_settings_cache(self.env)
            self.env["simotel.agent.state"]._simotel_refresh_agents()
        return users

    def write(self, vals):
        self._simotel_check_assign(vals)
        if ADMIN_FIELDS.intersection(vals):
            # As the writer, before any sudo: the directory row (record rules) and the user's main company.
            self._simotel_check_directory_entry(vals.get("simotel_extension_id"))
            self._simotel_check_assign_company()
        # An extension belongs to the PBX of its user's main company: a user moved to another main
        # company (by themselves in Preferences, or by an administrator) leaves it behind, unless the
        # same write assigns one, under the checks above.
        moving = self.browse()
        if "company_id" in vals and not ADMIN_FIELDS.intersection(vals):
            moving = self.sudo().filtered(
                lambda user: user.simotel_extension and user.company_id.id != vals["company_id"]
            )
        if (
            vals
            and ASSIGNABLE_FIELDS.issuperset(vals)
            and not self.env.su
            and self.env.user.has_group("simotel_connector.group_simotel_manager")
        ):
            # A Simotel administrator assigns extensions without user-management rights:
            # only these fields, only on internal users of companies they can read.
            self.check_access("read")
            allowed = self.env.user.company_ids
            if any(user.share or not (user.company_ids & allowed) for user in self.sudo()):
                raise AccessError(_("Simotel extensions are assigned to internal users of your companies only."))
            result = super(ResUsers, self.sudo()).write(vals)
        else:
            result = super().write(vals)
        for user in moving:
            _logger.warning(
                "Simotel extension %s of user %s cleared: the user's main company changed (extensions belong to "
                "the PBX of the main company; a Simotel administrator of the new company assigns one)",
                user.simotel_extension,
                user.id,
            )
        if moving:
            super(ResUsers, moving).write({"simotel_extension": False})
        if moving or AGENT_FIELDS.intersection(vals):
            # After the write: a refused write (access error) leaves every worker's cache alone.
            clear_settings_cache(self.env)
            self.env["simotel.agent.state"]._simotel_refresh_agents()
        return result

    @property
    def SELF_READABLE_FIELDS(self):
        return super().SELF_READABLE_FIELDS + ["simotel_extension", "simotel_screen_pop"]

    @property
    def SELF_WRITEABLE_FIELDS(self):
        # Not the extension: the PBX rings and bills by it, an administrator assigns it.
        return super().SELF_WRITEABLE_FIELDS + ["simotel_screen_pop"]

    @api.constrains("simotel_extension", "company_ids", "company_id", "groups_id", "share")
    def _check_simotel_extension(self):
        # Pending changes of other users are written first; this write is checked before it is.
        for fname in ("simotel_extension", "company_ids"):
            others = self.env.cache.get_dirty_records(self.browse(), self._fields[fname]) - self
            others.flush_recordset([fname])
        taken = {}  # (company id, extension) -> user, within this write
        for user in self.filtered("simotel_extension"):
            extension = user.simotel_extension
            if not phone.EXTENSION_PATTERN.fullmatch(extension):
                raise ValidationError(_("A Simotel extension is 2 to 6 digits (0-9), e.g. 557."))
            if user.share:
                raise ValidationError(
                    _(
                        "%(user)s is a portal or public user: only internal users have a Simotel extension.",
                        user=user.name,
                    )
                )
            clash = next(
                (taken[company.id, extension] for company in user.company_ids if (company.id, extension) in taken),
                None,
            )
            taken.update(((company.id, extension), user) for company in user.company_ids)
            if not clash:
                # Other users as stored: reading them through the ORM would first write this
                # change, which the database index refuses before a clear message is given.
                self.env.cr.execute(
                    SQL(
                        """
                        SELECT u.id FROM res_users u JOIN res_company_users_rel r ON r.user_id = u.id
                         WHERE u.simotel_extension = %s AND u.id <> ALL(%s) AND r.cid = ANY(%s)
                         LIMIT 1
                        """,
                        extension,
                        self.ids,
                        user.company_ids.ids,
                    )
                )
                row = self.env.cr.fetchone()
                clash = row and self.sudo().browse(row[0])
            if clash:
                raise ValidationError(
                    _(
                        "Extension %(extension)s is already used by %(user)s in the same company.",
                        extension=extension,
                        user=clash.name,
                    )
                )

    @api.constrains("simotel_extension")
    def _check_simotel_extension_in_directory(self):
        """Once the company's directory is synced, only its extensions: the PBX rings no other number."""
        entries = self._simotel_directory_entries()
        for user in self.filtered("simotel_extension"):
            company = user.company_id.sudo()
            if not company.simotel_directory_synced:
                continue
            entry = entries.get((company.id, user.simotel_extension))
            if not entry:
                raise ValidationError(
                    _(
                        "Extension %(extension)s is not on the PBX of %(company)s. Pick one of its extensions; "
                        "if it was just added on the PBX, sync the directory first "
                        "(Simotel ▸ Configuration ▸ Extensions ▸ Sync from the PBX).",
                        extension=user.simotel_extension,
                        company=company.name,
                    )
                )
            if not entry.active:
                raise ValidationError(
                    _(
                        "Extension %(extension)s was removed from the PBX of %(company)s: pick another one.",
                        extension=user.simotel_extension,
                        company=company.name,
                    )
                )

    @api.model
    def _simotel_find_by_extension(self, extension, company):
        """The agent of ``company`` with this extension (see :meth:`_simotel_agent_domain`), or an empty recordset.

        Read from :meth:`_simotel_active_extensions` (kept in memory): every ``NewState`` asks it
        two or three times. An extension is on the PBX of its user's main company, once per company.
        """
        key = (company.id, (extension or "").strip())
        if not key[1]:
            return self.browse()
        for user_id, company_extension in self._simotel_active_extensions().items():
            if company_extension == key:
                return self.sudo().browse(user_id)
        return self.browse()

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
            raise UserError(
                _(
                    "Your user has no Simotel extension. "
                    "Ask a Simotel administrator to assign one (Simotel ▸ Configuration ▸ User Extensions)."
                )
            )
        # The extension is on the PBX of the user's main company, whichever company the switcher shows.
        company = self.company_id.with_env(self.env)
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
                call_limit=settings.simotel_originate_call_limit,
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
                    'the call then shows as "Not connected" in your calls.',
                    number=callee,
                    extension=self.simotel_extension,
                ),
            }
        )
