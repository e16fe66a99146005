from . import call, lookup, sea
