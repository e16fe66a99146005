from . import test_phone_matching
from . import test_contract_state
from . import test_customer_code
from . import test_lookup_http
