import { registry } from "@web/core/registry";

/**
 * Starts on the contact list (URL given by the test): calls the phone of "Tour Customer" from its
 * row, then opens the contact and calls its mobile from the form.
 */
registry.category("web_tour.tours").add("simotel_click_to_call", {
    steps: () => [
        {
            content: "Click the Simotel call icon beside the phone number in the list",
            trigger: ".o_data_row:contains(Tour Customer) .o_field_widget[name=phone] .o_simotel_call",
            run: "click",
        },
        {
            content: "The success notification names the dialled number and the extension",
            trigger: ".o_notification:has(.bg-success):contains(Calling 09121234567 from extension 557)",
        },
        {
            content: "The click did not open the row: open the contact now",
            trigger: ".o_list_view .o_data_row:contains(Tour Customer) td[name=complete_name]",
            run: "click",
        },
        {
            content: "Click the Simotel call icon beside the mobile number in the form",
            trigger: ".o_form_view .o_field_widget[name=mobile] .o_simotel_call",
            run: "click",
        },
        {
            content: "The success notification names the mobile number",
            trigger: ".o_notification:has(.bg-success):contains(Calling 09155151515 from extension 557)",
        },
    ],
});
