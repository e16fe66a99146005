from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import Controller, content_disposition, request, route


class SimotelCallController(Controller):
    @route("/simotel/call/<int:call_id>/recording", type="http", auth="user", methods=["GET"])
    def simotel_call_recording(self, call_id, download=None):
        """Stream a call's recording from the PBX to a user allowed to read the call."""
        call = request.env["simotel.call"].browse(call_id)
        try:
            content, mimetype = call._simotel_recording()
        except (AccessError, MissingError):
            return request.not_found()
        except UserError as e:
            return request.make_response(str(e), [("Content-Type", "text/plain; charset=utf-8")], status=502)
        disposition = content_disposition(call.sudo().record or "recording.mp3")
        if not download:
            disposition = disposition.replace("attachment", "inline", 1)
        return request.make_response(
            content,
            [
                ("Content-Type", mimetype),
                ("Content-Length", str(len(content))),
                ("Content-Disposition", disposition),
                ("Cache-Control", "private, no-store"),
            ],
        )
