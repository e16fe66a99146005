from . import test_phone_matching
from . import test_sa_client
from . import test_screen_pop
