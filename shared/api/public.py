"""What anybody may call: the health check and signing in."""

from __future__ import annotations

from chalice import Response  # type: ignore[attr-defined]
from chalicelib.adapters.auth import sign_in
from chalicelib.api.kit import (
    PUBLIC,
    RouteBlueprint,
    json_answer,
    parse_body,
)
from chalicelib.api.schemas.inputs import SignInInput
from chalicelib.api.schemas.outputs import SignInOut
from chalicelib.core.settings import get_settings

blueprint = RouteBlueprint(__name__)
documented = blueprint.documented


@blueprint.undocumented("/health", "GET")
def health() -> Response:
    return Response(body={"status": "ok"}, status_code=200)


@documented("/auth/login", "POST", "Sign in; send the id_token as a Bearer token", access=PUBLIC, body=SignInInput,
            response=SignInOut)
def login() -> Response:
    credentials = parse_body(SignInInput)
    tokens = sign_in(get_settings(), credentials.email, credentials.password)
    return json_answer(SignInOut(id_token=tokens.id_token, refresh_token=tokens.refresh_token,
                                 expires_in=tokens.expires_in))
