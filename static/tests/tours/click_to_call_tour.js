import { registry } from "@web/core/registry";

/** Opens on a partner form (URL given by the test), clicks the Simotel icon beside the phone. */
registry.category("web_tour.tours").add("simotel_click_to_call", {
    steps: () => [
        {
            content: "Click the Simotel call icon beside the partner's phone number",
            trigger: ".o_field_widget[name=phone] .o_simotel_call",
            run: "click",
        },
        {
            content: "The success notification names the dialled number and the extension",
            trigger: ".o_notification:has(.bg-success):contains(Calling 09121234567 from extension 557)",
        },
    ],
});
