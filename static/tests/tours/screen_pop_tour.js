import { registry } from "@web/core/registry";

/** A step that makes Simotel report extension 557 ringing for ``caller``. */
export function ring(caller, uniqueId) {
    return {
        content: `Simotel: extension 557 rings for ${caller}`,
        trigger: ".o_main_navbar",
        run: async () => {
            const response = await fetch("/simotel/sea/NewState", {
                method: "POST",
                headers: {
                    "Content-Type": "application/json",
                    Authorization: "Basic " + btoa("simotel:tour-secret"),
                },
                body: JSON.stringify({
                    event_name: "NewState",
                    exten: "557",
                    state: "Ringing",
                    participant: caller,
                    direction: "in",
                    unique_id: uniqueId,
                }),
            });
            if (!response.ok) {
                throw new Error(`SEA event refused: HTTP ${response.status}`);
            }
        },
    };
}

/**
 * Logged in as the agent on extension 557: Simotel reports that 557 rings for
 * a known customer, the caller's card pops, and it opens the customer.
 */
registry.category("web_tour.tours").add("simotel_connector.screen_pop", {
    url: "/web",
    steps: () => [
        ring("09123456789", "1700000000.42"),
        {
            content: "The caller's card shows the customer",
            trigger: ".o_simotel_screen_pop .o_simotel_screen_pop_name:contains(Ali Rezaei)",
        },
        {
            content: "Open the customer from the card",
            trigger: ".o_simotel_screen_pop button:contains(Open Customer)",
            run: "click",
        },
        {
            content: "The customer's form is open",
            trigger: ".o_form_view .o_breadcrumb:contains(Ali Rezaei)",
        },
    ],
});

/** An unknown number: the card offers to create a contact with that number. */
registry.category("web_tour.tours").add("simotel_connector.screen_pop_unknown", {
    url: "/web",
    steps: () => [
        ring("02188776655", "1700000000.43"),
        {
            content: "The card says the number is unknown",
            trigger: ".o_simotel_screen_pop .o_simotel_screen_pop_unknown",
        },
        {
            content: "Create a contact from the card",
            trigger: ".o_simotel_screen_pop button:contains(Create Contact)",
            run: "click",
        },
        {
            content: "The new contact's form has the number",
            trigger: ".o_form_view .o_field_widget[name=phone] input:value(02188776655)",
        },
    ],
});
