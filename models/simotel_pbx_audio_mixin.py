from odoo import models
from odoo.exceptions import UserError

from ..tools.sa_client import SimotelError


class SimotelPbxAudioMixin(models.AbstractModel):
    """A record with an audio file on its company's PBX (a call's recording, a voicemail).

    The file is fetched for users allowed to read the record (record rules apply), and streamed
    to them by ``controllers/call.py``.
    """

    _name = "simotel.pbx.audio.mixin"
    _description = "Simotel PBX Audio"

    def _simotel_audio_file(self):
        """The name of this record's audio file on the PBX; a user error when it has none."""
        raise NotImplementedError

    def _simotel_audio_url(self):
        """The address of this record's audio file in Odoo (a route of ``controllers/call.py``)."""
        raise NotImplementedError

    def _simotel_audio_action(self, download=False):
        """Action: open this record's audio file in the browser (it plays it), or download it."""
        self.ensure_one()
        self.check_access("read")
        if download:
            return {"type": "ir.actions.act_url", "url": self._simotel_audio_url() + "?download=1", "target": "self"}
        return {"type": "ir.actions.act_url", "url": self._simotel_audio_url(), "target": "new"}

    def _simotel_recording(self):
        """``(content, mimetype)`` of this record's audio file, fetched from the PBX.

        The caller must be allowed to read the record (record rules apply).
        """
        self.ensure_one()
        self.check_access("read")
        audio_file = self._simotel_audio_file()
        try:
            return self.company_id._simotel_client().download_recording(audio_file)
        except SimotelError as e:
            raise UserError(str(e)) from None
