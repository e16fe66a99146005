import { _t } from "@web/core/l10n/translation";
import { Dropdown } from "@web/core/dropdown/dropdown";
import { DropdownItem } from "@web/core/dropdown/dropdown_item";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { Component, useState } from "@odoo/owl";
import { useSimotelUser } from "@simotel_connector/hooks";
import { formatSimotelDateTime } from "@simotel_connector/jalali/jalali";

/** Systray menu: the last cards that popped for the user, each opening the caller (or a new contact). */
export class SimotelScreenPopHistory extends Component {
    static template = "simotel_connector.ScreenPopHistory";
    static components = { Dropdown, DropdownItem };
    static props = {};

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.simotelUser = useSimotelUser();
        this.state = useState({ pops: [], loaded: false });
        this.title = _t("Recent incoming calls");
    }

    async load() {
        this.state.pops = await this.orm.call("simotel.screen.pop", "simotel_recent_pops", [], { limit: 10 });
        this.state.loaded = true;
    }

    formatDate(value) {
        return formatSimotelDateTime(value);
    }

    open(pop) {
        this.action.doAction({
            type: "ir.actions.act_window",
            res_model: "res.partner",
            res_id: pop.partner ? pop.partner.id : false,
            views: [[false, "form"]],
            target: "current",
            context: pop.partner ? {} : { default_phone: pop.number },
        });
    }
}

registry
    .category("systray")
    .add("simotel_connector.ScreenPopHistory", { Component: SimotelScreenPopHistory }, { sequence: 40 });
