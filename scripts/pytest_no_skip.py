"""pytest plugin: a skipped test fails the run.

Odoo skips browser tests silently when Chromium or ``websocket-client`` is
missing; a green run must mean every test really ran.
"""

import pytest


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped tests fail this suite (install what is missing): {reason}"
