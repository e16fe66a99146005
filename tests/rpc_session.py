"""Calls of the web client, made over HTTP with a user's own session (``HttpCase``)."""

import json


class RpcSession:
    """Mixin for ``HttpCase``: log in as a user, then call models the way the web client does."""

    def login_as(self, login, password=None):
        self.authenticate(login, password or login)

    def jsonrpc(self, route, params):
        response = self.url_open(
            route,
            data=json.dumps({"jsonrpc": "2.0", "method": "call", "params": params}),
            headers={"Content-Type": "application/json"},
        )
        self.assertEqual(response.status_code, 200, route)
        return response.json()

    def call_kw(self, model, method, args, kwargs=None):
        """``/web/dataset/call_kw``: the answer (``result`` or ``error``)."""
        return self.jsonrpc(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": args, "kwargs": kwargs or {}},
        )

    def call_button(self, model, method, ids, context=None):
        """``/web/dataset/call_button``: a button of type ``object`` pressed on ``ids``."""
        return self.jsonrpc(
            "/web/dataset/call_button",
            {"model": model, "method": method, "args": [ids], "kwargs": {"context": context or {}}},
        )

    def web_save(self, model, ids, values, specification=None):
        """What a form or an editable list sends on Save."""
        return self.call_kw(
            model, "web_save", [ids, values], {"specification": specification or {f: {} for f in values}}
        )

    @staticmethod
    def error_name(answer):
        """Exception class name of an RPC error answer (``None`` if it succeeded)."""
        error = answer.get("error")
        return error and error.get("data", {}).get("name", "").rsplit(".", 1)[-1]
