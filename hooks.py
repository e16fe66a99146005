"""Install hooks: create the E.164 columns first, then fill them in set-based batches.

Creating the columns before the ORM sees the fields keeps Odoo from
recomputing them record by record, which takes hours on a million partners.
"""

E164_TABLES = ("res_partner", "crm_lead")


def pre_init_hook(env):
    for table in E164_TABLES:
        env.cr.execute(f"""
            ALTER TABLE {table}
                ADD COLUMN IF NOT EXISTS simotel_phone_e164 varchar,
                ADD COLUMN IF NOT EXISTS simotel_mobile_e164 varchar
        """)


def post_init_hook(env):
    for model in ("res.partner", "crm.lead"):
        env[model]._simotel_init_e164()
