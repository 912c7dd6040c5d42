"""Encryption of Graph tokens at rest.

`TOKEN_ENCRYPTION_KEY` lists Fernet keys newest first: new ciphertext uses the first key and any
listed key decrypts, so a key is rotated by prepending a new one; rows written under an older key
stay readable until the next connect rewrites them.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from webhook_service import telemetry


class TokenDecryptionError(Exception):
    """Stored ciphertext could not be decrypted with any configured key."""


class TokenCipher:
    def __init__(self, keys: tuple[str, ...]):
        self._fernet = MultiFernet([Fernet(key) for key in keys])

    def encrypt(self, token: str) -> str:
        return self._fernet.encrypt(token.encode()).decode()

    def decrypt(self, ciphertext: str) -> str:
        try:
            return self._fernet.decrypt(ciphertext.encode()).decode()
        except InvalidToken:
            telemetry.token_decrypt_failed()
            raise TokenDecryptionError("stored token ciphertext matches none of the configured keys") from None

