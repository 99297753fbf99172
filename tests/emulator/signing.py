"""Signature algorithms of the Alibaba Cloud POP gateway, computed from the server side.

Two schemes reach the emulator:

* ACS3-HMAC-SHA256 (the tea-openapi SDK default): an ``Authorization`` header
  that signs the method, path, query, the listed headers and the body hash.
* RPC signature version 1.0 (``signature_algorithm='v2'`` in tea-openapi, and
  aliyun-python-sdk-core): a ``Signature`` parameter, HMAC-SHA1 (or HMAC-SHA256)
  over every other parameter of the query string and the form body.

Both canonicalise from decoded values, so ``+`` and ``%20`` in the URL sign alike.
"""

import base64
import hashlib
import hmac
from urllib.parse import quote

ACS3_ALGORITHM = "ACS3-HMAC-SHA256"
RPC_DIGESTS = {"HMAC-SHA1": hashlib.sha1, "HMAC-SHA256": hashlib.sha256}


def percent_encode(text):
    """Percent-encode all but letters, digits and ``-_.~`` (RFC 3986)."""
    return quote(str(text), safe="~", encoding="utf-8")


def _split_once(text, separator):
    """Split ``text`` at the first ``separator``; the second part may be empty."""
    head, tail = (text.split(separator, 1) + [""])[:2]
    return head, tail


def parse_authorization(header):
    """Split an ACS3 ``Authorization`` header.

    Returns (algorithm, access key id, signed header names, signature).

    Returns ``None`` when a part is missing.
    """
    algorithm, rest = _split_once(header.strip(), " ")
    fields = {}
    for part in rest.split(","):
        name, value = _split_once(part.strip(), "=")
        fields[name] = value
    if (
        not algorithm
        or not fields.get("Credential")
        or not fields.get("Signature")
        or "SignedHeaders" not in fields
    ):
        return None
    signed_headers = [name for name in fields["SignedHeaders"].split(";") if name]
    return algorithm, fields["Credential"], signed_headers, fields["Signature"]


def acs3_canonical_request(
    method, path, query, header_values, signed_headers, payload_hash
):
    """Build the ACS3 canonical request.

    ``query`` maps names to decoded values; ``header_values`` maps lower-case
    header names to the list of values received.
    """
    canonical_query = "&".join(
        f"{percent_encode(name)}={percent_encode(query[name])}"
        for name in sorted(query)
    )
    canonical_headers = ""
    for name in sorted(signed_headers):
        values = sorted(value.strip() for value in header_values.get(name, []))
        canonical_headers += f"{name}:{','.join(values)}\n"
    return "\n".join(
        [
            method,
            path or "/",
            canonical_query,
            canonical_headers,
            ";".join(sorted(signed_headers)),
            payload_hash,
        ]
    )


def acs3_string_to_sign(canonical_request):
    """Return the ACS3 string to sign: the algorithm and the canonical request hash."""
    digest = hashlib.sha256(canonical_request.encode("utf-8")).hexdigest()
    return f"{ACS3_ALGORITHM}\n{digest}"


def acs3_signature(secret, string_to_sign):
    """Return the hex ACS3-HMAC-SHA256 signature of a string to sign."""
    return hmac.new(
        secret.encode("utf-8"), string_to_sign.encode("utf-8"), hashlib.sha256
    ).hexdigest()


def rpc_string_to_sign(method, params):
    """Return the RPC 1.0 string to sign of ``params`` (without ``Signature``)."""
    canonical = "&".join(
        f"{percent_encode(name)}={percent_encode(params[name])}"
        for name in sorted(params)
    )
    return f"{method}&{percent_encode('/')}&{percent_encode(canonical)}"


def rpc_signature(secret, string_to_sign, signature_method="HMAC-SHA1"):
    """Return the base64 RPC 1.0 signature of a string to sign."""
    digest = RPC_DIGESTS[signature_method]
    key = f"{secret}&".encode("utf-8")
    mac = hmac.new(key, string_to_sign.encode("utf-8"), digest)
    return base64.b64encode(mac.digest()).decode("ascii")


def signatures_equal(expected, received):
    """Compare two signatures in constant time."""
    return hmac.compare_digest(expected.encode("utf-8"), received.encode("utf-8"))
