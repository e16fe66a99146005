"""The one way the Simotel settings kept in memory are forgotten."""


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
    registry.clear_cache("default")
    postcommit = env.cr.postcommit
    if not postcommit.data.get("simotel.settings_cache"):
        postcommit.data["simotel.settings_cache"] = True
        postcommit.add(lambda: registry.clear_cache("default"))
