import { deserializeDateTime, formatDateTime } from "@web/core/l10n/dates";
import { registry } from "@web/core/registry";
import { user } from "@web/core/user";
import { DateTimeField, dateTimeField } from "@web/views/fields/datetime/datetime_field";

/** Whether the user reads Persian: dates are then shown in the Jalali (Shamsi) calendar. */
export function isPersianUser() {
    return (user.lang || "").toLowerCase().startsWith("fa");
}

/**
 * ``value`` (a luxon DateTime) in the Jalali calendar with Persian digits,
 * e.g. ``۱۳۹۹/۱۰/۲۷ ۱۰:۰۰``, in the browser's time zone, as Odoo shows dates.
 */
export function formatJalali(value, { showTime = true, showSeconds = false } = {}) {
    const date = value.toJSDate();
    const day = new Intl.DateTimeFormat("fa-IR-u-ca-persian", {
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
    }).format(date);
    if (!showTime) {
        return day;
    }
    const time = new Intl.DateTimeFormat("fa-IR", {
        hour: "2-digit",
        minute: "2-digit",
        second: showSeconds ? "2-digit" : undefined,
        hourCycle: "h23",
    }).format(date);
    // Date then time, as the server writes them (no locale comma between them).
    return `${day} ${time}`;
}

/** A server datetime (``YYYY-MM-DD HH:MM:SS``, UTC) for display: Jalali for Persian users. */
export function formatSimotelDateTime(value) {
    if (!value) {
        return "";
    }
    const date = typeof value === "string" ? deserializeDateTime(value) : value;
    return isPersianUser() ? formatJalali(date) : formatDateTime(date, { showSeconds: false });
}

/**
 * Date field widget ``simotel_datetime``: Odoo's date/datetime field, shown in the
 * Jalali calendar to Persian users when read-only (editing keeps Odoo's picker).
 */
export class SimotelDateTimeField extends DateTimeField {
    getFormattedValue(valueIndex) {
        const value = this.values[valueIndex];
        if (!value || !this.props.readonly || !isPersianUser()) {
            return super.getFormattedValue(valueIndex);
        }
        const isDate = this.field.type === "date";
        return formatJalali(value, {
            showTime: !isDate && this.props.showTime !== false,
            showSeconds: !isDate && Boolean(this.props.showSeconds),
        });
    }
}

registry.category("fields").add("simotel_datetime", {
    ...dateTimeField,
    component: SimotelDateTimeField,
    supportedTypes: ["date", "datetime"],
});
