"""Each request's ID, its access line, and the answer to an error nothing else handled.

A plain ASGI middleware, outermost: it sees every request, the ones answered by another
middleware (CORS) included. Starlette's BaseHTTPMiddleware would cost more per request
and runs the app in a task of its own, which context variables set here may not reach.
"""

import logging
import re
import secrets
import time
from urllib.parse import quote

from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from {{ cookiecutter.package_name }}.api.errors import error_content
from {{ cookiecutter.package_name }}.logging_config import request_id

# A caller's (or a proxy's) X-Request-ID is kept when it looks like an ID; anything else
# (too long, spaces, control characters that would forge log lines) gets a new one.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")

logger = logging.getLogger(__name__)
# One line per request: method, path, status and duration (uvicorn's own is switched off).
access_logger = logging.getLogger("{{ cookiecutter.package_name }}.access")


def incoming_request_id(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"x-request-id":
            text = value.decode("latin-1")
            return text if SANE_REQUEST_ID.fullmatch(text) else None
    return None


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        current = incoming_request_id(scope) or secrets.token_hex(16)
        # Percent-encoded, as in uvicorn's own access line: a decoded %0A in a path would
        # start a forged line in a text log.
        path = quote(scope["path"])
        token = request_id.set(current)
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_with_request_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                message["headers"] = [
                    *message.get("headers", ()),
                    (b"x-request-id", current.encode("latin-1")),
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_with_request_id)
        except Exception:
            # The one traceback of the error: logged here, with the request's ID, and not
            # raised on to Starlette and uvicorn, which would each log it again. The client
            # gets no detail of it, only the ID to quote.
            logger.exception("Unhandled error: %s %s", scope["method"], path)
            if not response_started:
                response = JSONResponse(
                    status_code=500, content=error_content("Internal Server Error")
                )
                await response(scope, receive, send_with_request_id)
        finally:
            duration_ms = round((time.perf_counter() - started) * 1000, 1)
            access_logger.info(
                "%s %s %d %.1fms",
                scope["method"],
                path,
                status,
                duration_ms,
                extra={
                    "method": scope["method"],
                    "path": path,
                    "status": status,
                    "duration_ms": duration_ms,
                },
            )
            request_id.reset(token)
