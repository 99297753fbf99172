"""Command line: load the state and faults files, serve until SIGTERM or SIGINT."""

import argparse
import logging
import signal
import threading

from tests.emulator.auth import Authenticator
from tests.emulator.clock import Clock
from tests.emulator.dispatch import Dispatcher
from tests.emulator.faults import Faults
from tests.emulator.fleet import Fleet
from tests.emulator.requestlog import RequestLog
from tests.emulator.server import EmulatorHTTPServer
from tests.emulator.statefile import load_state_file

LOGGER = logging.getLogger("kvstore_emulator")

# Seconds between checks for a shutdown request while serving.
POLL_INTERVAL = 0.05


def positive_number(text):
    """Parse a ``--speed`` value, which must be a number above zero."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid number: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be above zero, got {text}")
    return value


def parse_args(argv=None):
    """Parse the command line, whose options tests and scripts depend on."""
    parser = argparse.ArgumentParser(
        prog="python tests/emulator",
        description="Local emulator of the R-KVStore (Tair) API, version 2015-01-01.",
    )
    parser.add_argument(
        "--state", required=True, help="YAML state file: settings, accounts, instances"
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)"
    )
    parser.add_argument(
        "--port",
        type=int,
        default=0,
        help="port to bind; 0 picks a free port (default: 0)",
    )
    parser.add_argument(
        "--request-log", help="append one JSON line per request to this file"
    )
    parser.add_argument(
        "--faults",
        help="YAML faults file: throttling, errors, latency, lost responses, ...",
    )
    parser.add_argument(
        "--speed",
        type=positive_number,
        default=1.0,
        help="divide every emulated duration by this factor (default: 1)",
    )
    parser.add_argument(
        "--log-level",
        default="INFO",
        help="Python logging level on stderr (default: INFO)",
    )
    return parser.parse_args(argv)


def build_server(args):
    """Create the server and everything behind it, without serving yet."""
    state = load_state_file(args.state)
    faults = Faults.load(args.faults)
    clock = Clock(args.speed)
    fleet = Fleet(state, clock, stuck_rule=faults.is_stuck)
    for rule in faults.release_instance:
        fleet.schedule_release(rule["instance_id"], rule.get("after_seconds", 0))

    request_log = RequestLog(args.request_log)
    dispatcher = Dispatcher(
        fleet, Authenticator(state["accounts"]), faults, request_log
    )
    server = EmulatorHTTPServer(args.host, args.port, dispatcher)
    server.request_log = request_log
    LOGGER.info(
        "started on %s: %d instances, %d distributed instances, %d accounts, speed %g",
        server.url,
        len(fleet.instances),
        len(fleet.distributed),
        len(state["accounts"]),
        args.speed,
    )
    return server


def install_signal_handlers(server):
    """Make SIGTERM and SIGINT stop the server; call before announcing the address."""

    def request_stop(signum, _frame):
        LOGGER.info("received signal %d, stopping", signum)
        # shutdown() waits for serve_forever() to return, so it cannot run
        # in the thread that serves.
        threading.Thread(target=server.shutdown, name="emulator-stop").start()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)


def serve(server):
    """Serve until a signal handler requests a shutdown, then release everything."""
    server.serve_forever(poll_interval=POLL_INTERVAL)
    server.server_close()
    server.request_log.close()
    LOGGER.info("stopped")


def configure_logging(level):
    """Log to stderr, which keeps stdout free for the address line."""
    logging.basicConfig(
        level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
