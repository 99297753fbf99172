"""Run the R-KVStore API emulator.

Start it from the repository root: ``python tests/emulator --state STATE.yml``.

Python runs this directory as a script, so the package has no parent package
here: the repository root goes on ``sys.path`` and modules are imported as
``tests.emulator.*``.
"""

import os
import sys

REPOSITORY_ROOT = os.path.dirname(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
)
if REPOSITORY_ROOT not in sys.path:
    sys.path.insert(0, REPOSITORY_ROOT)

from tests.emulator.cli import (  # noqa: E402
    build_server,
    configure_logging,
    install_signal_handlers,
    parse_args,
    serve,
)
from tests.emulator.faults import FaultsFileError  # noqa: E402
from tests.emulator.statefile import StateFileError  # noqa: E402


def main(argv=None):
    """Start the emulator, print its address as the first stdout line and serve."""
    args = parse_args(argv)
    configure_logging(args.log_level)
    try:
        server = build_server(args)
    except (OSError, StateFileError, FaultsFileError) as error:
        sys.stderr.write(f"emulator: cannot start: {error}\n")
        return 2

    install_signal_handlers(server)
    print(f"listening on {server.url}", flush=True)
    serve(server)
    return 0


if __name__ == "__main__":
    sys.exit(main())
