def smart_button_action(env, xmlid, domain, context=None):
    """The window action ``xmlid`` narrowed to ``domain`` (and given ``context``), as a smart button opens it."""
    action = env["ir.actions.act_window"]._for_xml_id(xmlid)
    action["domain"] = domain
    if context is not None:
        action["context"] = context
    return action


def form_dialog_action(title, res_model, context):
    """A form of ``res_model`` in a dialog titled ``title``, with ``context`` (its defaults)."""
    return {
        "type": "ir.actions.act_window",
        "name": title,
        "res_model": res_model,
        "views": [(False, "form")],
        "target": "new",
        "context": context,
    }
