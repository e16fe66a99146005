from . import test_phone_matching
from . import test_sa_client
from . import test_sea_http
from . import test_simotel_call
from . import test_screen_pop
from . import test_screen_pop_http
