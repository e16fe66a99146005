import logging

_logger = logging.getLogger(__name__)


def migrate(cr, version):
    """Extensions are now 2 to 6 ASCII digits, for internal users only, once per company.

    Values that break these rules are cleared (and logged) before the
    database constraint is added: the PBX would not ring them, and a Simotel
    administrator assigns them again in Simotel ▸ Configuration ▸ User Extensions.
    """
    cr.execute(
        """
        UPDATE res_users SET simotel_extension = btrim(simotel_extension)
         WHERE simotel_extension IS NOT NULL AND simotel_extension <> btrim(simotel_extension)
        """
    )
    cr.execute(
        """
        UPDATE res_users SET simotel_extension = NULL
         WHERE simotel_extension IS NOT NULL AND (simotel_extension !~ '^[0-9]{2,6}$' OR share)
     RETURNING id, login
        """
    )
    for user_id, login in cr.fetchall():
        _logger.warning(
            "Simotel: cleared the extension of user %s (%s): not 2-6 digits, or not internal", user_id, login
        )
    cr.execute(
        """
        UPDATE res_users u SET simotel_extension = NULL
          FROM (SELECT id, row_number() OVER (PARTITION BY company_id, simotel_extension
                                                   ORDER BY active DESC, id) AS rank
                  FROM res_users WHERE simotel_extension IS NOT NULL) d
         WHERE d.id = u.id AND d.rank > 1
     RETURNING u.id, u.login
        """
    )
    for user_id, login in cr.fetchall():
        _logger.warning("Simotel: cleared the extension of user %s (%s): used by another user", user_id, login)
