import { registry } from "@web/core/registry";

/** Test connection right after an edit: the edit is saved and the test runs, without an "Unsaved changes" dialog. */
registry.category("web_tour.tours").add("simotel_connector.settings_unsaved_test", {
    url: "/web#action=simotel_connector.action_simotel_config_settings",
    steps: () => [
        {
            content: "Change the timeout without saving",
            trigger: "div[name='simotel_timeout'] input",
            run: "edit 7",
        },
        {
            content: "Test the connection",
            trigger: "button[name='action_simotel_test_connection']",
            run: "click",
        },
        {
            content: "The test ran",
            trigger: ".o_notification:contains('Simotel connection works')",
        },
        {
            content: "No unsaved-changes dialog is left open",
            trigger: "body:not(:has(.modal))",
        },
    ],
});
