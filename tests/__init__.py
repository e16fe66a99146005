from . import test_phone_matching
from . import test_sa_client
from . import test_settings
from . import test_i18n
from . import test_sea_http
from . import test_simotel_call
from . import test_click_to_call
