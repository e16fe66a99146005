import { _t } from "@web/core/l10n/translation";
import { user } from "@web/core/user";
import { useService } from "@web/core/utils/hooks";
import { Component, onWillStart, useState } from "@odoo/owl";

/** Models whose phone and mobile fields can be called (they define `action_simotel_call`). */
export const SIMOTEL_CALL_MODELS = ["res.partner", "crm.lead"];
export const SIMOTEL_CALL_FIELDS = ["phone", "mobile"];

/**
 * Click-to-call icon shown beside a phone number: asks the server to have Simotel
 * ring the user's extension, then the number, and shows the outcome.
 */
export class SimotelCallButton extends Component {
    static template = "simotel_connector.SimotelCallButton";
    static props = ["*"];

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.state = useState({ allowed: false, calling: false });
        this.title = _t("Call with Simotel");
        onWillStart(async () => {
            this.state.allowed = await user.hasGroup("simotel_connector.group_simotel_user");
        });
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
