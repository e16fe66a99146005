import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("simotel_settings_tour", {
    url: "/web#action=simotel_connector.action_simotel_config_settings",
    steps: () => [
        {
            content: "The Simotel settings show the address to paste into Simotel's SEA settings",
            trigger:
                ".app_settings_block[data-key='simotel_connector'] div[name='simotel_sea_url']:contains('/simotel/sea')",
        },
        {
            content: "Secrets are masked",
            trigger: "div[name='simotel_api_password'] input[type='password']",
        },
        {
            content: "Test the connection to the Simotel server",
            trigger: "button[name='action_simotel_test_connection']",
            run: "click",
        },
        {
            content: "Odoo reached the (fake) Simotel server",
            trigger: ".o_notification:contains('Simotel connection works')",
        },
    ],
});
