"""Authentication and authorisation of requests against the state file accounts."""

import collections
import datetime
import fnmatch
import hashlib
import threading
import time

from tests.emulator import signing
from tests.emulator.errors import ApiError, missing_parameter

# The gateway rejects a request whose time differs from its own by more than this.
MAX_CLOCK_SKEW = datetime.timedelta(minutes=15)
# A nonce is kept for twice the accepted skew, so it cannot be replayed while
# its timestamp is still accepted.
NONCE_MEMORY_SECONDS = 2 * MAX_CLOCK_SKEW.total_seconds()


def signature_mismatch(string_to_sign):
    """Build SignatureDoesNotMatch carrying the string to sign, as the gateway does.

    aliyun-python-sdk-core 2.16.1 compares that string with the one it signed
    (when its request object kept one) and, if they are equal, reports
    InvalidAccessKeySecret. Callers mask the security token in it first.
    """
    return ApiError(
        "SignatureDoesNotMatch",
        "Specified signature is not matched with our calculation. "
        f"server string to sign is:{string_to_sign}",
    )


def _mask_token(string_to_sign, params):
    """Replace the security token in an RPC string to sign, which is sent back."""
    token = params.get("SecurityToken")
    if not token:
        return string_to_sign
    encoded_twice = signing.percent_encode(signing.percent_encode(token))
    return string_to_sign.replace(encoded_twice, "***")


class NonceStore:
    """Nonces seen per access key, kept as long as their request could be accepted.

    Entries are kept in the order they expire, so dropping old ones only looks
    at the front of the dictionary.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._seen = collections.OrderedDict()

    def remember(self, access_key_id, nonce):
        """Record a nonce; return ``False`` if the key already used it."""
        now = time.monotonic()
        key = (access_key_id, nonce)
        with self._lock:
            while self._seen and next(iter(self._seen.values())) <= now:
                self._seen.popitem(last=False)
            if key in self._seen:
                return False
            self._seen[key] = now + NONCE_MEMORY_SECONDS
            return True


class Authenticator:
    """Checks access key, security token, timestamp, signature and nonce."""

    def __init__(self, accounts):
        self.accounts = {account["access_key_id"]: account for account in accounts}
        self.nonces = NonceStore()

    def authenticate(self, request):
        """Return the account that signed ``request``, or raise the gateway's error."""
        if request.uses_acs3:
            return self._authenticate_acs3(request)
        if "Signature" in request.all_params:
            return self._authenticate_rpc(request)
        raise missing_parameter("Signature")

    def authorize(self, account, action):
        """Raise Forbidden.RAM unless the account may call ``action``."""
        allowed = account.get("allowed_actions")
        if allowed is None or any(
            fnmatch.fnmatchcase(action, pattern) for pattern in allowed
        ):
            return
        detail = {
            "AuthAction": f"kvstore:{action}",
            "AuthPrincipalType": "SubUser",
            "AuthPrincipalDisplayName": account["access_key_id"],
            "NoPermissionType": "ImplicitDeny",
            "PolicyType": "AccountLevelIdentityBasedPolicy",
        }
        raise ApiError("Forbidden.RAM", extra={"AccessDeniedDetail": detail})

    def _authenticate_acs3(self, request):
        parsed = signing.parse_authorization(request.header("authorization"))
        if parsed is None:
            raise ApiError(
                "IncompleteSignature", "The Authorization header is incomplete."
            )
        algorithm, access_key_id, signed_headers, signature = parsed
        if algorithm != signing.ACS3_ALGORITHM:
            raise ApiError(
                "IncompleteSignature",
                f"The signature algorithm {algorithm} is not supported.",
            )

        account = self._account(access_key_id)
        self._check_token(account, request.header("x-acs-security-token") or None)
        self._check_time(request.header("x-acs-date"), "x-acs-date")
        nonce = self._nonce(
            request.header("x-acs-signature-nonce"), "x-acs-signature-nonce"
        )

        payload_hash = hashlib.sha256(request.body or b"").hexdigest()
        canonical = signing.acs3_canonical_request(
            request.method,
            request.path,
            request.query,
            request.headers,
            signed_headers,
            payload_hash,
        )
        string_to_sign = signing.acs3_string_to_sign(canonical)
        expected = signing.acs3_signature(account["access_key_secret"], string_to_sign)
        if not signing.signatures_equal(expected, signature):
            raise signature_mismatch(string_to_sign)
        self._check_nonce(access_key_id, nonce)
        return account

    def _authenticate_rpc(self, request):
        params = request.all_params
        access_key_id = params.get("AccessKeyId")
        if not access_key_id:
            raise missing_parameter("AccessKeyId")
        account = self._account(access_key_id)
        self._check_token(account, params.get("SecurityToken") or None)
        self._check_time(params.get("Timestamp"), "Timestamp")
        nonce = self._nonce(params.get("SignatureNonce"), "SignatureNonce")

        signature_method = params.get("SignatureMethod", "HMAC-SHA1")
        if signature_method not in signing.RPC_DIGESTS:
            raise ApiError(
                "InvalidParameter",
                f"The SignatureMethod {signature_method} is not supported.",
            )
        if params.get("SignatureVersion", "1.0") != "1.0":
            raise ApiError(
                "InvalidParameter",
                f"The SignatureVersion {params['SignatureVersion']} is not supported.",
            )

        signed = {name: value for name, value in params.items() if name != "Signature"}
        string_to_sign = signing.rpc_string_to_sign(request.method, signed)
        secret = account["access_key_secret"]
        expected = signing.rpc_signature(secret, string_to_sign, signature_method)
        if not signing.signatures_equal(expected, params["Signature"]):
            raise signature_mismatch(_mask_token(string_to_sign, params))
        self._check_nonce(access_key_id, nonce)
        return account

    def _account(self, access_key_id):
        account = self.accounts.get(access_key_id)
        if account is None:
            raise ApiError(
                "InvalidAccessKeyId.NotFound", "Specified access key is not found."
            )
        return account

    @staticmethod
    def _check_token(account, token):
        expected = account.get("security_token")
        if expected is None and token is None:
            return
        if (
            expected is None
            or token is None
            or not signing.signatures_equal(str(expected), token)
        ):
            raise ApiError(
                "InvalidSecurityToken.MismatchWithAccessKey",
                "Specified SecurityToken mismatch with the AccessKey.",
            )
        expires = account.get("token_expires")
        if expires is not None and expires <= datetime.datetime.now(
            datetime.timezone.utc
        ):
            raise ApiError(
                "InvalidSecurityToken.Expired", "Specified SecurityToken is expired."
            )

    @staticmethod
    def _check_time(value, name):
        if not value:
            raise missing_parameter(name)
        try:
            sent = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise ApiError(
                "InvalidTimeStamp.Format",
                "Specified time stamp or date value is not well formatted.",
            ) from None
        if sent.tzinfo is None:
            raise ApiError(
                "InvalidTimeStamp.Format",
                "Specified time stamp or date value is not well formatted.",
            )
        if abs(datetime.datetime.now(datetime.timezone.utc) - sent) > MAX_CLOCK_SKEW:
            raise ApiError(
                "InvalidTimeStamp.Expired",
                "Specified time stamp or date value is expired.",
            )

    @staticmethod
    def _nonce(value, name):
        if not value:
            raise missing_parameter(name)
        return value

    def _check_nonce(self, access_key_id, nonce):
        if not self.nonces.remember(access_key_id, nonce):
            raise ApiError(
                "SignatureNonceUsed", "Specified signature nonce was used already."
            )
