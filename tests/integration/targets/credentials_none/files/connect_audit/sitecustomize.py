"""Record every socket connection and name lookup of this Python process.

Put this directory on PYTHONPATH and set KVSTORE_CONNECT_AUDIT_LOG to a file.
Each socket.connect and socket.getaddrinfo audit event then appends one line
"<event> <address>" to it. A test reads the file to prove that a process
reached only loopback addresses.
"""

import os
import sys

_AUDIT_LOG = os.environ.get("KVSTORE_CONNECT_AUDIT_LOG")


def _record(event, args):
    if event == "socket.connect":
        address = args[1]
    elif event == "socket.getaddrinfo":
        address = (args[0], args[1])
    else:
        return
    with open(_AUDIT_LOG, "a", encoding="utf-8") as stream:
        stream.write("%s %r\n" % (event, address))


if _AUDIT_LOG:
    sys.addaudithook(_record)
