import { _t } from "@web/core/l10n/translation";
import { Dropdown } from "@web/core/dropdown/dropdown";
import { DropdownItem } from "@web/core/dropdown/dropdown_item";
import { registry } from "@web/core/registry";
import { user } from "@web/core/user";
import { useService } from "@web/core/utils/hooks";
import { Component, onWillStart, useState } from "@odoo/owl";
import { formatSimotelDateTime } from "@simotel_connector/jalali/jalali";

/** Systray menu: the last cards that popped for the user, each opening the caller (or a new contact). */
export class SimotelScreenPopHistory extends Component {
    static template = "simotel_connector.ScreenPopHistory";
    static components = { Dropdown, DropdownItem };
    static props = {};

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.state = useState({ allowed: false, pops: [], loaded: false });
        this.title = _t("Recent incoming calls");
        onWillStart(async () => {
            this.state.allowed = await user.hasGroup("simotel_connector.group_simotel_user");
        });
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
