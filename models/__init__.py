from . import simotel_phone_mixin
from . import res_company
from . import res_config_settings
from . import res_users
from . import res_partner
from . import crm_lead
from . import simotel_screen_pop
