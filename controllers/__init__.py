from . import call, lookup, not_found, sea
