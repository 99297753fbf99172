"""A received HTTP request, decoded into the parts the gateway reads."""

from urllib.parse import parse_qsl, urlsplit

# Parameters that belong to the signature protocol, not to the API action.
# They are left out of the request log and of the parameters handed to actions.
PROTOCOL_PARAMS = frozenset(
    {
        "AccessKeyId",
        "Action",
        "Format",
        "SecurityToken",
        "Signature",
        "SignatureMethod",
        "SignatureNonce",
        "SignatureType",
        "SignatureVersion",
        "Timestamp",
        "Version",
        "BearerToken",
    }
)


class IncomingRequest:
    """Method, path, query, form body and headers of one request."""

    def __init__(self, method, target, header_items, body):
        split = urlsplit(target)
        self.method = method
        self.path = split.path or "/"
        self.query = dict(parse_qsl(split.query, keep_blank_values=True))
        self.body = body
        self.headers = {}
        for name, value in header_items:
            self.headers.setdefault(name.lower(), []).append(value)
        self.form = {}
        if body and "application/x-www-form-urlencoded" in self.header("content-type"):
            self.form = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))

    def header(self, name, default=""):
        """Return the first value of a header (any case), or ``default``."""
        values = self.headers.get(name.lower())
        return values[0] if values else default

    @property
    def all_params(self):
        """Query and form parameters together; a form value wins over a query value."""
        merged = dict(self.query)
        merged.update(self.form)
        return merged

    @property
    def api_params(self):
        """Parameters of the action itself, without the signature protocol fields."""
        return {
            name: value
            for name, value in self.all_params.items()
            if name not in PROTOCOL_PARAMS
        }

    @property
    def uses_acs3(self):
        """Whether the request is signed with an ACS3 ``Authorization`` header."""
        return self.header("authorization").startswith("ACS3-")

    @property
    def action(self):
        """Return the action from ``x-acs-action`` or the ``Action`` parameter."""
        return self.header("x-acs-action") or self.all_params.get("Action") or None

    @property
    def version(self):
        """Return the version from ``x-acs-version`` or the ``Version`` parameter."""
        return self.header("x-acs-version") or self.all_params.get("Version") or None

    @property
    def access_key_id(self):
        """Return the access key id the request names (for logging), or ``None``."""
        if self.uses_acs3:
            for part in self.header("authorization").split(","):
                field = part.strip().rsplit(" ", 1)[-1]
                if field.startswith("Credential="):
                    return field[len("Credential=") :] or None
            return None
        return self.all_params.get("AccessKeyId") or None
