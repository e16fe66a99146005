from . import controllers, models, tools
from .hooks import post_init_hook, post_load, pre_init_hook
