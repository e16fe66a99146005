from odoo import api, models


class SimotelLookupCacheMixin(models.AbstractModel):
    """Clears the registry cache of API call configurations whenever a record changes."""

    _name = "simotel.lookup.cache.mixin"
    _description = "Simotel Lookup Configuration Cache"

    @api.model_create_multi
    def create(self, vals_list):
        self.env.registry.clear_cache()
        return super().create(vals_list)

    def write(self, vals):
        self.env.registry.clear_cache()
        return super().write(vals)

    def unlink(self):
        self.env.registry.clear_cache()
        return super().unlink()
