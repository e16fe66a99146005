from . import test_phone_matching
