import { registry } from "@web/core/registry";
import { newState } from "./sea";

/** A queue call rings the agent (557) and a colleague (558); the colleague answers: the agent's card closes. */
registry.category("web_tour.tours").add("simotel_connector.screen_pop_closes", {
    url: "/web",
    steps: () => [
        newState("557", "Ringing", "1700000300.30"),
        newState("558", "Ringing", "1700000300.30"),
        {
            content: "The caller's card pops",
            trigger: ".o_simotel_screen_pop .o_simotel_screen_pop_name:contains(Ali Rezaei)",
        },
        newState("558", "InUse", "1700000300.30"),
        {
            content: "The card closes: the call was answered elsewhere",
            trigger: "body:not(:has(.o_simotel_screen_pop))",
        },
        {
            content: "Open the recent calls menu",
            trigger: ".o_simotel_pop_history",
            run: "click",
        },
        {
            content: "The closed card is one click away",
            trigger: ".o_simotel_pop_history_item:contains(Ali Rezaei)",
            run: "click",
        },
        {
            content: "The customer's form is open",
            trigger: ".o_form_view .o_breadcrumb:contains(Ali Rezaei)",
        },
    ],
});

/** The websocket never connects: the agent is told, once, that cards cannot arrive. */
registry.category("web_tour.tours").add("simotel_connector.websocket_warning", {
    url: "/web",
    steps: () => [
        {
            content: "A warning says that incoming call cards cannot arrive",
            trigger: ".o_notification.o_simotel_websocket_warning:contains(websocket)",
            timeout: 20000,
        },
        {
            content: "Only one warning",
            trigger: "body:not(:has(.o_simotel_websocket_warning ~ .o_simotel_websocket_warning))",
        },
    ],
});

/** The admin's status page: the last event arrived, no lookup yet, this browser's websocket is down. */
registry.category("web_tour.tours").add("simotel_connector.status_page", {
    url: "/web#action=simotel_connector.action_simotel_status",
    steps: () => [
        {
            content: "The last SEA event is shown",
            trigger: ".o_simotel_status_events:contains(NewState)",
        },
        {
            content: "No lookup yet",
            trigger: ".o_simotel_status_lookups:not(:has(bdi))",
        },
        {
            content: "The browser's live connection is reported down",
            trigger: ".o_simotel_status_websocket .o_simotel_websocket_down",
        },
    ],
});

/** Call icons: mobile-only contacts in the list, pipeline cards, leads list; no tel: link beside ours. */
registry.category("web_tour.tours").add("simotel_connector.call_icons", {
    url: "/web#action=contacts.action_contacts&view_type=list",
    steps: () => [
        {
            content: "A contact with only a mobile number has a call icon in the list",
            trigger: ".o_data_row:contains(Mobile Only) .o_field_widget[name=mobile] .o_simotel_call[title]",
        },
        {
            content: "No tel: link where the Simotel icon is",
            trigger: ".o_data_row:contains(Mobile Only):not(:has(a[href^='tel:']))",
        },
        {
            content: "Open the contact",
            trigger: ".o_data_row:contains(Mobile Only) td[name=complete_name]",
            run: "click",
        },
        {
            content: "The form shows our labelled call button and not Odoo's tel: Call link",
            trigger: ".o_form_view .o_field_widget[name=mobile]:has(.o_simotel_call small):not(:has(a[href^='tel:']))",
        },
    ],
});

registry.category("web_tour.tours").add("simotel_connector.call_icons_pipeline", {
    url: "/web#action=crm.crm_lead_action_pipeline&view_type=kanban",
    steps: () => [
        {
            content: "The pipeline card has a call icon",
            trigger: ".o_kanban_record:contains(Pipeline Deal) .o_field_widget[name=mobile] .o_simotel_call",
        },
    ],
});

registry.category("web_tour.tours").add("simotel_connector.call_icons_leads", {
    url: "/web#action=crm.crm_lead_all_leads&view_type=list",
    steps: () => [
        {
            content: "The lead has a call icon in the list",
            trigger: ".o_data_row:contains(Cold Lead) .o_field_widget[name=phone] .o_simotel_call",
        },
    ],
});

/** A Persian user reads the call's date in the Jalali calendar (2021-01-16 06:30 UTC is 1399/10/27). */
registry.category("web_tour.tours").add("simotel_connector.jalali_calls", {
    url: "/web#action=simotel_connector.action_simotel_call",
    steps: () => [
        {
            content: "The call's start is a Jalali date",
            trigger: ".o_data_row td[name=start]:contains(۱۳۹۹/۱۰/۲۷)",
        },
        {
            content: "Open the call",
            trigger: ".o_data_row td[name=start]",
            run: "click",
        },
        {
            content: "The form shows the Jalali date too",
            trigger: ".o_form_view .o_field_widget[name=start]:contains(۱۳۹۹/۱۰/۲۷)",
        },
    ],
});
