{
    "name": "Simotel Connector",
    "summary": "Simotel call center (Nasim Telecom) and Odoo CRM as one system: "
    "call-time customer lookup, call history, click-to-call",
    "version": "18.0.1.2.0",
    "category": "Sales/CRM",
    "website": "https://github.com/simotel-connector/simotel_connector",
    "author": "Simotel Connector developers",
    "license": "LGPL-3",
    "depends": ["crm"],
    "external_dependencies": {"python": ["jdatetime", "phonenumbers", "requests"]},
    "data": [
        "security/simotel_security.xml",
        "security/ir.model.access.csv",
        "data/simotel_cron.xml",
        "views/simotel_menus.xml",
        "views/simotel_call_views.xml",
        "views/simotel_event_views.xml",
        "views/res_config_settings_views.xml",
        "views/res_users_views.xml",
        "views/res_partner_views.xml",
        "views/crm_lead_views.xml",
        "views/simotel_api_call_views.xml",
        "views/simotel_lookup_log_views.xml",
        "views/simotel_status_views.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "simotel_connector/static/src/**/*",
        ],
        "web.assets_tests": [
            "simotel_connector/static/tests/tours/**/*",
        ],
    },
    "pre_init_hook": "pre_init_hook",
    "post_init_hook": "post_init_hook",
    "installable": True,
    "application": True,
}
