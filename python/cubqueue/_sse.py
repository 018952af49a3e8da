"""Reads a text/event-stream (server-sent events) answer, one event at a time.

The format is lines of `field: value`; a blank line ends an event, `:` starts a comment (the
server's keep-alive). Only the fields CubQueue sends are kept: event, id and data.
"""


def read_events(response):
    """Yields (event, id, data) for each event of the stream, until the server ends it."""
    event, event_id, data = "message", None, []
    while True:
        line = response.readline()
        if not line:
            return
        line = line.decode("utf-8").rstrip("\r\n")
        if not line:
            if data:
                yield event, event_id, "\n".join(data)
            event, event_id, data = "message", None, []
            continue
        if line.startswith(":"):
            continue
        field, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if field == "event":
            event = value
        elif field == "id":
            event_id = value
        elif field == "data":
            data.append(value)
