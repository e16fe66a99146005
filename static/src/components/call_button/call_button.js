import { _t } from "@web/core/l10n/translation";
import { useService } from "@web/core/utils/hooks";
import { Component, useState } from "@odoo/owl";
import { useSimotelUser } from "@simotel_connector/hooks";

/** Models whose phone and mobile fields can be called (they define `action_simotel_call`). */
export const SIMOTEL_CALL_MODELS = ["res.partner", "crm.lead"];
export const SIMOTEL_CALL_FIELDS = ["phone", "mobile"];

/**
 * Click-to-call icon shown beside a phone number: asks the server to have Simotel
 * ring the user's extension, then the number, and shows the outcome.
 */
export class SimotelCallButton extends Component {
    static template = "simotel_connector.SimotelCallButton";
    static props = {
        record: Object,
        name: String,
        label: { type: Boolean, optional: true },
    };

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.simotelUser = useSimotelUser();
        this.state = useState({ calling: false });
        this.title = _t("Call with Simotel");
    }

    async onClick() {
        if (this.state.calling) {
            return;
        }
        this.state.calling = true;
        try {
            const record = this.props.record;
            if (!(await record.save())) {
                return;
            }
            const action = await this.orm.call(record.resModel, "action_simotel_call", [[record.resId]], {
                field_name: this.props.name,
            });
            await this.action.doAction(action);
        } finally {
            this.state.calling = false;
        }
    }
}
