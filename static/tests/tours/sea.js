/**
 * SEA events posted from a tour as Simotel posts them: JSON with Basic credentials
 * ``simotel:<password>`` (the password the test sets on the company).
 */
export async function postSeaEvent(name, payload, password = "tour-secret") {
    const response = await fetch(`/simotel/sea/${name}`, {
        method: "POST",
        headers: {
            "Content-Type": "application/json",
            Authorization: "Basic " + btoa(`simotel:${password}`),
        },
        body: JSON.stringify({ event_name: name, ...payload }),
    });
    if (!response.ok) {
        throw new Error(`SEA ${name} refused: HTTP ${response.status}`);
    }
}

/** A step that posts a SEA ``NewState`` event: extension ``exten`` is ``state`` in an inbound call from ``caller``. */
export function newState(exten, state, uniqueId, caller = "09123456789") {
    return {
        content: `Simotel: extension ${exten} is ${state}`,
        trigger: ".o_main_navbar",
        run: () =>
            postSeaEvent("NewState", {
                exten,
                state,
                participant: caller,
                direction: "in",
                unique_id: uniqueId,
            }),
    };
}
