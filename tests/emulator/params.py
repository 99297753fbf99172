"""Reading and checking request parameters, with the gateway's error codes."""

from tests.emulator.errors import invalid_parameter, missing_parameter


def required(params, name):
    """Return the non-empty parameter ``name`` or raise MissingParameter."""
    value = params.get(name)
    if value is None or value == "":
        raise missing_parameter(name)
    return value


def integer(params, name, default, minimum=1, maximum=None):
    """Return parameter ``name`` as an int in range, or ``default`` if absent."""
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise invalid_parameter(name, raw, "It must be an integer.") from None
    if value < minimum or (maximum is not None and value > maximum):
        limit = (
            f"between {minimum} and {maximum}"
            if maximum is not None
            else f"at least {minimum}"
        )
        raise invalid_parameter(name, raw, f"It must be {limit}.")
    return value


def boolean(params, name):
    """Return parameter ``name`` as a bool, or ``None`` if absent.

    The SDK sends Python booleans as ``True``/``False``; other clients send
    ``true``/``false``. Both spellings are accepted.
    """
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    if raw.lower() in ("true", "false"):
        return raw.lower() == "true"
    raise invalid_parameter(name, raw, "It must be true or false.")


def choice(params, name, choices, default):
    """Return parameter ``name`` if it is one of ``choices`` (else raise)."""
    value = params.get(name) or default
    if value not in choices:
        raise invalid_parameter(name, value, f"Valid values: {', '.join(choices)}.")
    return value


def page(params, max_size=None, default_size=30):
    """Return ``(page_number, page_size)`` from PageNumber and PageSize."""
    number = integer(params, "PageNumber", 1)
    size = integer(params, "PageSize", default_size, maximum=max_size)
    return number, size


def page_slice(items, number, size):
    """Return the items on page ``number`` of ``size`` items each."""
    start = (number - 1) * size
    return items[start : start + size]
