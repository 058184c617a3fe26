"""Hashing of station passwords and API tokens with a slow KDF (scrypt, standard library).

Format: ``scrypt$n$r$p$salt_hex$hash_hex``. Verification is constant-time. Callers that verify the
same secret often (the gateway, per packet) keep their own cache of verified secrets; this module
does no caching so that a changed password takes effect where the caller decides.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

__all__ = ["hash_secret", "new_token", "token_digest", "verify_secret"]

_N, _R, _P = 2**14, 8, 1  # ~16 MiB, tens of ms: slow for an attacker, fine per login/connection


def hash_secret(secret: str, *, n: int = _N) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(secret.encode(), salt=salt, n=n, r=_R, p=_P, dklen=32)
    return f"scrypt${n}${_R}${_P}${salt.hex()}${digest.hex()}"


def verify_secret(secret: str, encoded: str) -> bool:
    try:
        scheme, n, r, p, salt_hex, hash_hex = encoded.split("$")
        if scheme != "scrypt":
            return False
        digest = hashlib.scrypt(
            secret.encode(),
            salt=bytes.fromhex(salt_hex),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(hash_hex) // 2,
        )
    except (ValueError, MemoryError):
        return False
    return hmac.compare_digest(digest.hex(), hash_hex)


def token_digest(token: str) -> str:
    """SHA-256 of an API token, the form it is stored and looked up in.

    Tokens are 256-bit random strings, so a fast hash is enough (no dictionary to guess from) and
    lets each request find its token by an index instead of running a KDF against every row.
    """
    return hashlib.sha256(token.encode()).hexdigest()


def new_token(prefix: str = "lf") -> str:
    """A fresh random API token (shown once; store only its hash)."""
    return f"{prefix}_{secrets.token_urlsafe(32)}"
