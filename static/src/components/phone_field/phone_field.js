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
    /** Whether this field shows the Simotel click-to-call icon. */
    get simotelCallable() {
        const { record, name } = this.props;
        return (
            SIMOTEL_CALL_MODELS.includes(record.resModel) &&
            SIMOTEL_CALL_FIELDS.includes(name) &&
            Boolean(record.data[name])
        );
    },
});
