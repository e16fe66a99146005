from . import controllers, models, tools
from .hooks import post_init_hook, pre_init_hook
