"""The one way the Simotel settings kept in memory are forgotten."""

import datetime
import time

SNAPSHOT_WINDOW = 600  # seconds: a transaction older than that is not expected to fill the memory
CLOCK_MARGIN = 1.0  # seconds: PostgreSQL's and Odoo's clocks may differ by that much


def clear_settings_cache(env):
    """Forget the Simotel settings every worker keeps in memory; call it after a write succeeded.

    The call-time paths keep company settings, API call configurations and
    agents' extensions in ``tools.ormcache`` methods, which live in Odoo's
    ``default`` cache container. Odoo tells other workers and servers about an
    invalidation per container (not per method), so clearing that container is
    what reaches them, at their next request. Never call it on a read path: it
    empties the container for every model of every worker.

    Cleared now and again once the transaction is committed: a request of
    another thread of this server that began before the commit may have filled
    it meanwhile from the data as it was (its own snapshot).
    """
    registry = env.registry

    def clear():
        registry.clear_cache("default")
        registry.simotel_settings_cleared_at = time.time()

    clear()
    postcommit = env.cr.postcommit
    if not postcommit.data.get("simotel.settings_cache"):
        postcommit.data["simotel.settings_cache"] = True
        postcommit.add(clear)


def may_predate_last_clear(env):
    """Whether this transaction began before (or just after) the Simotel settings were last forgotten by
    this process: its snapshot may hold the data as it was, so it must not fill the memory with it.

    Within ``SNAPSHOT_WINDOW`` of a clear only (a query then: the transaction's start time).
    """
    cleared_at = getattr(env.registry, "simotel_settings_cleared_at", None)
    if cleared_at is None or time.time() - cleared_at > SNAPSHOT_WINDOW:
        return False
    started = env.cr.now().replace(tzinfo=datetime.UTC).timestamp()
    return started < cleared_at + CLOCK_MARGIN
