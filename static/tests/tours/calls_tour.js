import { registry } from "@web/core/registry";

/**
 * An agent's calls, in any language (selectors and numbers only, no labels). Starts on the Calls list
 * with three calls: a missed one from 09351112233 (talk time 0), an answered one from Customer Ali
 * (245 s) and a long answered one (3661 s).
 */
registry.category("web_tour.tours").add("simotel_calls_search", {
    steps: () => [
        {
            content: "Durations read as a clock: m:ss, h:mm:ss",
            trigger: ".o_data_row td[name=talk_seconds]:contains(4:05)",
        },
        {
            content: "An hour and more shows its hours",
            trigger: ".o_data_row td[name=talk_seconds]:contains(1:01:01)",
        },
        {
            content: "The sum of talk times is a duration too",
            trigger: ".o_list_footer td:contains(1:05:06)",
        },
        {
            content: "Type the number the way the customer said it",
            trigger: ".o_searchview_input",
            run: "edit +98 935 111 2233",
        },
        {
            content: "Search it as the customer's number (the first proposal)",
            trigger: ".o_searchview_autocomplete .o_menu_item:first",
            run: "click",
        },
        {
            content: "The call stored as 09351112233 is found, and only it",
            trigger:
                ".o_list_view:not(:has(.o_data_row td[name=talk_seconds]:contains(4:05))) .o_data_row td[name=external_number]:contains(09351112233)",
        },
        {
            content: "It is a missed call: it can be called back from its row",
            trigger: ".o_data_row button[name=action_simotel_call_back]",
        },
    ],
});

/** Starts on the Calls list filtered on missed calls: calls the customer back from the row. */
registry.category("web_tour.tours").add("simotel_call_back_from_list", {
    steps: () => [
        {
            content: "Click Call back on the missed call's row",
            trigger: ".o_data_row:contains(09351112233) button[name=action_simotel_call_back]",
            run: "click",
        },
        {
            content: "The success notification names the dialled number and the extension",
            trigger: ".o_notification:has(.bg-success):contains(09351112233):contains(557)",
        },
        {
            content: "The click did not open the call: the list is still there",
            trigger: ".o_list_view .o_data_row:contains(09351112233)",
        },
    ],
});

/** Starts on a contact's form: the chatter note of its call carries the call's time and links. */
registry.category("web_tour.tours").add("simotel_call_note", {
    steps: () => [
        {
            content: "The note tells the call's time (in the user's time zone), not when it was processed",
            trigger: ".o-mail-Message-body:contains(12:35):has(a[data-oe-model='simotel.call'])",
        },
        {
            content: "The note links to the recording",
            trigger: ".o-mail-Message-body a[href$='/recording']",
        },
        {
            content: "The note's link opens the call",
            trigger: ".o-mail-Message-body a[data-oe-model='simotel.call']",
            run: "click",
        },
        {
            content: "The call form opens, with the duration as a clock",
            trigger: ".o_form_view .o_field_widget[name=talk_seconds]:contains(4:05)",
        },
    ],
});
