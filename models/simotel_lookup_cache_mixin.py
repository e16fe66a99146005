from odoo import api, models

from ..tools.settings_cache import clear_settings_cache


class SimotelLookupCacheMixin(models.AbstractModel):
    """Forgets the Simotel settings kept in memory once a record was created, changed or deleted.

    Inherited by the models whose records the call-time paths keep in memory
    (API calls, their items, companies). ``_simotel_cache_fields`` names the
    fields a write must change to clear the cache; ``None``: any field.
    """

    _name = "simotel.lookup.cache.mixin"
    _description = "Simotel Lookup Configuration Cache"
    _simotel_cache_fields = None

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        clear_settings_cache(self.env)
        return records

    def write(self, vals):
        result = super().write(vals)
        if self._simotel_cache_fields is None or not self._simotel_cache_fields.isdisjoint(vals):
            clear_settings_cache(self.env)
        return result

    def unlink(self):
        result = super().unlink()
        clear_settings_cache(self.env)
        return result
