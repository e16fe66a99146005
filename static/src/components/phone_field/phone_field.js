import { onWillStart } from "@odoo/owl";
import { user } from "@web/core/user";
import { patch } from "@web/core/utils/patch";
import { PhoneField } from "@web/views/fields/phone/phone_field";
import {
    SIMOTEL_CALL_FIELDS,
    SIMOTEL_CALL_MODELS,
    SimotelCallButton,
} from "@simotel_connector/components/call_button/call_button";

patch(PhoneField, {
    components: { ...PhoneField.components, SimotelCallButton },
});

patch(PhoneField.prototype, {
    setup() {
        super.setup(...arguments);
        this.simotelAllowed = false;
        if (this.simotelCallableField) {
            onWillStart(async () => {
                this.simotelAllowed = await user.hasGroup("simotel_connector.group_simotel_user");
            });
        }
    },

    /** Whether this field of this model can be called with Simotel. */
    get simotelCallableField() {
        const { record, name } = this.props;
        return SIMOTEL_CALL_MODELS.includes(record.resModel) && SIMOTEL_CALL_FIELDS.includes(name);
    },

    /**
     * Whether this field shows the Simotel click-to-call icon. Where it does, Odoo's
     * ``tel:`` links are left out: they would ring the computer's dialer, not Simotel.
     */
    get simotelCallable() {
        const { record, name } = this.props;
        return this.simotelAllowed && this.simotelCallableField && Boolean(record.data[name]);
    },
});
