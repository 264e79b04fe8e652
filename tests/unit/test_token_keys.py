"""Tokens naming a key id the user pool does not publish do not make every request fetch the
JWKS again, and refusals say why in our words, not the token library's."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from chalicelib.adapters import auth
from chalicelib.core.settings import Settings
from chalicelib.domain.errors import Unauthenticated
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.loopback import Answer, loopback_server

POOL = "us-east-1_pool"


def _settings(jwks_url: str) -> Settings:
    return Settings(app_name="t", region="us-east-1", user_pool_id=POOL, user_pool_client_id="client",
                    jwks_url=jwks_url, public_api_url="https://api.example.com", retry_machine_arn="arn:retry",
                    media_bucket="media", queue_urls={})


def _token(key: rsa.RSAPrivateKey, kid: str, **claims: object) -> str:
    now = datetime.now(UTC)
    body = {"sub": "u1", "aud": "client", "iss": f"https://cognito-idp.us-east-1.amazonaws.com/{POOL}",
            "token_use": "id", "exp": now + timedelta(hours=1), **claims}
    return jwt.encode(body, key, algorithm="RS256", headers={"kid": kid})


def test_unknown_key_ids_refetch_the_jwks_at_most_once_per_cooldown():
    # Given the pool's JWKS with one key
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    with loopback_server() as pool:
        pool.answer("GET", "/jwks.json", Answer(200, {"keys": [{**public, "kid": "known", "alg": "RS256",
                                                                 "use": "sig"}]}))
        verifier = auth.TokenVerifier(_settings(f"{pool.base_url}/jwks.json"))
        auth._jwks_client.cache_clear()
        assert verifier.subject("Bearer " + _token(key, "known")) == "u1"
        # When fifty requests come with tokens naming key ids nobody published
        for index in range(50):
            with pytest.raises(Unauthenticated) as refused:
                verifier.subject("Bearer " + _token(key, f"forged-{index}"))
            # Then each is refused in our words, naming no library internals
            assert refused.value.message == "token is not a valid signed ID token of this service"
        # And the JWKS was read at most twice (the first read, one refetch in the cooldown)
        assert len(pool.requests) <= 2
        # And a valid token still passes without another read
        assert verifier.subject("Bearer " + _token(key, "known")) == "u1"
        assert len(pool.requests) <= 2
        expired = _token(key, "known", exp=datetime.now(UTC) - timedelta(minutes=5))
        with pytest.raises(Unauthenticated, match="expired"):
            verifier.subject("Bearer " + expired)
    auth._jwks_client.cache_clear()
