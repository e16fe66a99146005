from . import inbound, phone, retention, sa_client, sql
