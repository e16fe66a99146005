import re

from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import Controller, content_disposition, request, route

# Only audio is handed to the browser as what the PBX says it is; anything else is a download.
AUDIO_TYPE = re.compile(r"audio/[a-z0-9][a-z0-9.+-]{0,63}")
SAFE_HEADERS = [
    ("X-Content-Type-Options", "nosniff"),
    # The file runs nothing in Odoo's origin, even if a browser took it for a page.
    ("Content-Security-Policy", "default-src 'none'; media-src 'self'; sandbox"),
    ("Cache-Control", "private, no-store"),
]


def serve_pbx_audio(record, file_field, default_name, download=None):
    """Stream ``record``'s audio file from the PBX (``record._simotel_recording()``) to a user allowed to read it.

    Same rules for every audio of the PBX (call recordings, voicemails): record
    rules decide who may listen (404 otherwise), the PBX client bounds size and
    time (502 with a plain-text reason), only ``audio/*`` plays inline, and the
    file can never run as a page of Odoo's origin.
    """
    try:
        content, mimetype = record._simotel_recording()
    except (AccessError, MissingError):
        return request.not_found()
    except UserError as e:
        return request.make_response(str(e), [("Content-Type", "text/plain; charset=utf-8"), *SAFE_HEADERS], status=502)
    # Read access was checked above: the file name is read as superuser from here on.
    disposition = content_disposition(record.sudo()[file_field] or default_name)
    if AUDIO_TYPE.fullmatch(mimetype or ""):
        if not download:
            disposition = disposition.replace("attachment", "inline", 1)
    else:
        mimetype = "application/octet-stream"
    return request.make_response(
        content,
        [
            ("Content-Type", mimetype),
            ("Content-Length", str(len(content))),
            ("Content-Disposition", disposition),
            *SAFE_HEADERS,
        ],
    )


class SimotelCallController(Controller):
    @route("/simotel/call/<int:call_id>/recording", type="http", auth="user", methods=["GET"])
    def simotel_call_recording(self, call_id, download=None):
        """Stream a call's recording from the PBX to a user allowed to read the call (record rules apply)."""
        return serve_pbx_audio(request.env["simotel.call"].browse(call_id), "record", "recording.mp3", download)

    @route("/simotel/voicemail/<int:voicemail_id>/audio", type="http", auth="user", methods=["GET"])
    def simotel_voicemail_audio(self, voicemail_id, download=None):
        """Stream a voicemail from the PBX to a user allowed to read it (record rules apply)."""
        return serve_pbx_audio(
            request.env["simotel.voicemail"].browse(voicemail_id), "filename", "voicemail.wav", download
        )
