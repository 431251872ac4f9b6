"""Password hashing (argon2), signed tokens (PyJWT HS256) and seat credentials (random secret, hash stored)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
import uuid
from dataclasses import dataclass
from functools import cache
from typing import Literal, cast

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from central_server.core.errors import AuthFailed

# argon2id with OWASP's recommended minimum (19 MiB, 2 passes, 1 lane): ~0.1 s on a 2-core machine, where the
# library default (64 MiB, 3 passes) costs ~0.9 s per login. Older hashes are upgraded at the next login.
_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
ALGORITHM = "HS256"
TokenKind = Literal["access", "refresh"]
VERIFIED_TOKENS_MAX = 10_000


def hash_password(password: str) -> str:
    return _hasher.hash(password)


@cache
def _dummy_hash() -> str:
    """Verified against when the username is unknown, so a wrong username costs as much as a wrong password."""
    return _hasher.hash(secrets.token_urlsafe(16))


def verify_password(password: str, stored_hash: str | None) -> bool:
    """True when the password matches; always spends one argon2 verification."""
    try:
        return _hasher.verify(stored_hash or _dummy_hash(), password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)


def new_seat_credential() -> str:
    """A random secret handed to the seat once; only its hash is stored."""
    return secrets.token_urlsafe(32)


def hash_credential(credential: str) -> str:
    """SHA-256 is enough for a 256-bit random secret (no dictionary to guess from) and keeps pushes fast."""
    return hashlib.sha256(credential.encode("utf-8")).hexdigest()


def credential_matches(credential: str, stored_hash: str) -> bool:
    return hmac.compare_digest(hash_credential(credential), stored_hash)


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int  # seconds the access token lives


class TokenService:
    """Issues and checks the access and refresh tokens; the key lives only in memory."""

    def __init__(self, secret_key: str, *, access_minutes: float, refresh_hours: float) -> None:
        self._key = secret_key
        self._access_seconds = int(access_minutes * 60)
        self._refresh_seconds = int(refresh_hours * 3600)
        # Access tokens already verified, with their subject and expiry: every seat sends the same token every
        # few seconds, and decoding it was a tenth of a sync call's CPU. Memory only; bounded.
        self._verified: dict[str, tuple[str, float]] = {}
        self._verified_lock = threading.Lock()

    def issue(self, user_id: str) -> TokenPair:
        return TokenPair(
            access_token=self._encode(user_id, "access", self._access_seconds),
            refresh_token=self._encode(user_id, "refresh", self._refresh_seconds),
            expires_in=self._access_seconds,
        )

    def subject(self, token: str, kind: TokenKind) -> str:
        """The user id the token was issued to; raises AuthFailed (token_expired / token_invalid)."""
        if kind == "access":
            known = self._verified.get(token)
            if known is not None and known[1] > time.time():
                return known[0]
        claims = self.claims(token, kind)
        subject = str(claims["sub"])
        if kind == "access":
            with self._verified_lock:
                if len(self._verified) >= VERIFIED_TOKENS_MAX:
                    self._verified.clear()
                self._verified[token] = (subject, float(cast(float, claims["exp"])))
        return subject

    def claims(self, token: str, kind: TokenKind) -> dict[str, object]:
        """The verified claims (sub, typ, iat, exp, jti); raises AuthFailed (token_expired / token_invalid).
        Only HS256 with this server's key is accepted: `alg: none` or another algorithm is token_invalid."""
        try:
            claims = jwt.decode(token, self._key, algorithms=[ALGORITHM],
                                options={"require": ["exp", "sub", "typ", "jti"]})
        except jwt.ExpiredSignatureError as exc:
            raise AuthFailed(f"the {kind} token has expired; log in again", code="token_expired") from exc
        except jwt.PyJWTError as exc:
            raise AuthFailed(f"the {kind} token is not valid", code="token_invalid") from exc
        if claims.get("typ") != kind or not isinstance(claims.get("sub"), str):
            raise AuthFailed(f"this is not a {kind} token", code="token_invalid")
        return claims

    def _encode(self, user_id: str, kind: TokenKind, seconds: int) -> str:
        now = time.time()
        claims = {"sub": user_id, "typ": kind, "iat": int(now), "exp": int(now) + seconds, "jti": uuid.uuid4().hex}
        return jwt.encode(claims, self._key, algorithm=ALGORITHM)
