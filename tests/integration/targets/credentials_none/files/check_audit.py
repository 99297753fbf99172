"""Exit 1 if a connection audit log names an address that is not loopback.

Unix domain socket paths count as local.
"""

import ast
import ipaddress
import sys

LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def is_local(address):
    if isinstance(address, (str, bytes)):
        # A Unix domain socket path.
        return True
    host = address[0]
    if isinstance(host, bytes):
        host = host.decode()
    if host is None or host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def main(path):
    outside = []
    with open(path, encoding="utf-8") as stream:
        for line in stream:
            text = line.strip().split(" ", 1)[1]
            if not is_local(ast.literal_eval(text)):
                outside.append(line.strip())
    for line in outside:
        print("not loopback: %s" % line)
    return 1 if outside else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
