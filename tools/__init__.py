from . import inbound, phone, sa_client
