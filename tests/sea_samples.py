"""SEA payloads as documented on Simotel's wiki (v3/v4 samples), and SA report rows."""

CDR_LOCAL = {
    "event_name": "Cdr",
    "starttime": "2021-01-16 06:30:37.471398",
    "endtime": "2021-01-16 06:30:37.471398",
    "src": "991",
    "dst": "993",
    "type": "local",
    "disposition": "ANSWERED",
    "billsec": 9,
    "wait": 11,
    "record": "20210116_1610778618.378.mp3",
    "unique_id": "1610778618.378",
}

CDR_NO_ANSWER = {
    "event_name": "Cdr",
    "starttime": "2021-01-16 07:17:00.508368",
    "endtime": "2021-01-16 07:17:01.508368",
    "src": "992",
    "dst": "66",
    "type": "local",
    "disposition": "NO ANSWER",
    "duration": 1,
    "wait": 1,
    "unique_id": "1610781419.387",
}

# The v3 spelling of the field table: start_time/end_time, "CDR", capitalised disposition.
CDR_INCOMING_V3 = {
    "event_name": "CDR",
    "start_time": "2017-11-12 11:55:33.208640",
    "end_time": "2017-11-12 11:55:51.208640",
    "src": "09121234567",
    "dst": "557",
    "type": "incoming",
    "disposition": "Answered",
    "duration": 18,
    "billsec": 192,
    "wait": 15,
    "record": "0999911_2017111201756.553.151048.mp3",
    "poll_point": 10,
    "poll_lable": "mypoll",
    "cuid": "1510564538.919",
}

CDR_QUEUE = {
    "event_name": "CdrQueue",
    "unique_id": "1610782193.391",
    "src": "09121234567",
    "dst": "902",
    "queue": "902",
    "billsec": "31",
    "wait": "3",
    "duration": "34",
    "agent_wait": "3",
    "disposition": "ANSWERED",
    "hangup": "agent",
    "queue_status": "CONTINUE",
    "record": "20210116_1610782193.391.mp3",
    "answeredtime": "2021-01-16 07:29:56.819506",
    "ringtime": "2021-01-16 07:29:53.382906",
    "starttime": "2021-01-16 07:29:53.310319",
    "endtime": "2021-01-16 07:30:28.794906",
    "detail": [
        {
            "src": "09121234567",
            "dst": "558",
            "billsec": "0",
            "wait": "2",
            "disposition": "NO ANSWER",
            "comment": "",
            "tries": "1",
        },
        {
            "src": "09121234567",
            "dst": "557",
            "billsec": "31",
            "wait": "3",
            "disposition": "ANSWERED",
            "comment": "",
            "tries": "1",
        },
    ],
}

OTHER_EVENTS = {
    "NewState": {
        "event_name": "NewState",
        "exten": "557",
        "state": "Ringing",
        "participant": "09121234567",
        "direction": "in",
        "queue": "",
        "cuid": "1610782193.391",
        "dialing": "no",
    },
    "IncomingCall": {
        "event_name": "IncomingCall",
        "number": "09121234567",
        "entry_point": "2000",
        "unique_id": "1610782193.391",
        "originated_call_id": "",
    },
    "OutgoingCall": {
        "event_name": "OutgoingCall",
        "number": "09121234567",
        "unique_id": "1610782193.392",
        "entry_point": "center",
    },
    "Transfer": {
        "event_name": "Transfer",
        "transfer": "557",
        "transferred_from": "557",
        "transferred_to": "558",
        "unique_id": "1610782193.391",
    },
    "VoiceMail": {
        "event_name": "VoiceMail",
        "id": "7",
        "number": "09121234567",
        "state": "SUCCESS",
        "date": "2021-01-16 07:29:53",
        "filename": "msg0001.wav",
        "duration": "12",
        "caller": "x",
        "message": "hello",
    },
    "Survey": {"event": "Survey", "unique_id": "1610782193.391", "point": "5"},
    "Ping": {"event_name": "Ping"},
}


def report_row(cuid, start, src="562", dst="09365018573", kind="outgoing", disposition="ANSWERED"):
    """A row of SA reports/cdr/search as documented (Jalali start, MongoDB end date)."""
    return {
        "_id": "60d179d3895b44fe5bbc66e2",
        "type": kind,
        "cuid": cuid,
        "clid": '"" <%s>' % dst,
        "src": src,
        "dst": dst,
        "dcontext": "main_routing",
        "start": start,
        "answer": "2021-06-22 10:19:04",
        "duration": 1,
        "billsec": 54,
        "disposition": disposition,
        "uniqueid": cuid + "1",
        "outgoing_point": "center",
        "route": [
            {"type": "Trunk", "name": "Center", "duration": 68.6, "date": {"$date": {"$numberLong": "1624340944416"}}}
        ],
        "wait": 14,
        "starttime": start,
        "endtime": {"$date": {"$numberLong": "1624340947977"}},
        "record": "20210622_%s.mp3" % cuid,
        "billsec_hhmmss": "00:00:54",
    }
