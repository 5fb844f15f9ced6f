"""Activation tokens. The raw token of a link is derived from a random nonce and the server's
secret key; the database keeps only the nonce and the token's hash. Reading the database, or the
task queue that sends the email, is therefore not enough to activate someone's account."""

import hashlib
import secrets

from django.utils.crypto import salted_hmac


def new_nonce() -> str:
    return secrets.token_hex(32)


def raw_token(nonce: str) -> str:
    return salted_hmac("revmod.people.activation", nonce, algorithm="sha256").hexdigest()


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()
