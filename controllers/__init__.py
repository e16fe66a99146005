from . import call, sea
