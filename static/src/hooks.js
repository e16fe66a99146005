import { onWillDestroy, onWillStart, useEffect, useState } from "@odoo/owl";
import { user } from "@web/core/user";
import { useService } from "@web/core/utils/hooks";

export const SIMOTEL_USER_GROUP = "simotel_connector.group_simotel_user";

/**
 * Whether the current user is a Simotel user (``allowed``), known before the
 * component first renders: ``{ allowed }``, reactive.
 */
export function useSimotelUser() {
    const simotelUser = useState({ allowed: false });
    onWillStart(async () => {
        simotelUser.allowed = await user.hasGroup(SIMOTEL_USER_GROUP);
    });
    return simotelUser;
}

/** Calls ``callback(payload)`` for each bus notification of ``type`` as long as the component lives. */
export function useBusNotification(type, callback) {
    const busService = useService("bus_service");
    busService.subscribe(type, callback);
    onWillDestroy(() => busService.unsubscribe(type, callback));
}

/** Calls ``callback`` every ``delay`` milliseconds while the component is mounted. */
export function useInterval(callback, delay) {
    useEffect(
        () => {
            const timer = setInterval(callback, delay);
            return () => clearInterval(timer);
        },
        () => []
    );
}
