import { patch } from "@web/core/utils/patch";
import { PhoneField } from "@web/views/fields/phone/phone_field";
import {
    SIMOTEL_CALL_FIELDS,
    SIMOTEL_CALL_MODELS,
    SimotelCallButton,
} from "@simotel_connector/components/call_button/call_button";
import { useSimotelUser } from "@simotel_connector/hooks";

patch(PhoneField, {
    components: { ...PhoneField.components, SimotelCallButton },
});

patch(PhoneField.prototype, {
    setup() {
        super.setup(...arguments);
        this.simotelUser = this.simotelCallableField ? useSimotelUser() : { allowed: false };
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
        return this.simotelUser.allowed && this.simotelCallableField && Boolean(record.data[name]);
    },
});
