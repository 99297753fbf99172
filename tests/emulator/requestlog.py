"""Request log: one JSON line per request, rejected ones included, flushed."""

import datetime
import json
import threading


def utc_timestamp():
    """Return the UTC time in ISO 8601 with milliseconds (``...T12:00:00.123Z``)."""
    now = datetime.datetime.now(datetime.timezone.utc)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


class RequestLog:
    """Appends request records to a JSON Lines file; with no path it records nothing."""

    def __init__(self, path=None):
        self._lock = threading.Lock()
        self._stream = open(path, "a", encoding="utf-8") if path else None

    def write(self, action, params, access_key_id, status, code, request_id):
        """Append one record. ``params`` must already exclude signature fields."""
        if self._stream is None:
            return
        entry = {
            "time": utc_timestamp(),
            "action": action,
            "params": params,
            "access_key_id": access_key_id,
            "status": status,
            "code": code,
            "request_id": request_id,
        }
        line = json.dumps(entry, sort_keys=False)
        with self._lock:
            self._stream.write(line + "\n")
            self._stream.flush()

    def close(self):
        """Close the file, if any."""
        with self._lock:
            if self._stream is not None:
                self._stream.close()
                self._stream = None
