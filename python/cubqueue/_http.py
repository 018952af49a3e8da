"""HTTP to a CubQueue server over http.client: JSON calls, streamed uploads, streamed downloads.

http.client sends a request body as it is given (an iterable of chunks) and hands back the
answer as a file-like object, so neither an upload nor a download is ever held in memory.
"""

import http.client
import json
import socket
import ssl
from urllib.parse import urlencode, urlsplit

from .errors import CubQueueApiError, CubQueueConnectionError

#: Sent with every request: tells the server this is a client, not a web page (see the README's Security).
CLIENT_HEADER = ("X-CubQueue-Client", "python")


class Connection:
    """Where the server is and how to talk to it; opens one HTTP connection per request."""

    def __init__(self, base_url, token=None, timeout=60.0):
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("Invalid CubQueue URL {!r}: give one such as http://127.0.0.1:8000".format(base_url))
        self.base_url = base_url.rstrip("/")
        self._parts = parts
        self._prefix = parts.path.rstrip("/")
        self._timeout = timeout
        self._headers = {CLIENT_HEADER[0]: CLIENT_HEADER[1]}
        if token is not None:
            self._headers["Authorization"] = "Bearer " + token

    def _open(self):
        if self._parts.scheme == "https":
            return http.client.HTTPSConnection(self._parts.hostname, self._parts.port, timeout=self._timeout, context=ssl.create_default_context())
        return http.client.HTTPConnection(self._parts.hostname, self._parts.port, timeout=self._timeout)

    def request(self, method, path, query=None, body=None, headers=None, length=None, stream=False, allow=()):
        """Sends a request and returns the open response (status checked: errors raise).

        `body` is bytes or an iterable of byte chunks sent as they come; `length` is its
        Content-Length when it is an iterable. A query value may be a list (the name repeated).
        With `stream`, reading the answer waits as long as it takes (a log followed, events):
        the timeout is for the server to answer, not for the task to write. `allow` lists error
        statuses whose JSON body is an answer, not an error (health's 503).
        """
        query = {k: v for k, v in (query or {}).items() if v is not None}
        target = self._prefix + path + ("?" + urlencode(query, doseq=True) if query else "")
        all_headers = dict(self._headers, **(headers or {}))
        connection = self._open()
        try:
            connection.putrequest(method, target)
            if body is not None and length is None and isinstance(body, (bytes, bytearray)):
                length = len(body)
            if length is not None:
                all_headers["Content-Length"] = str(length)
            for name, value in all_headers.items():
                connection.putheader(name, value)
            connection.endheaders()
            if body is not None:
                try:
                    for chunk in [body] if isinstance(body, (bytes, bytearray)) else body:
                        connection.send(chunk)
                except (BrokenPipeError, ConnectionResetError):
                    # The server answered before taking the whole body (a refusal, say): read its answer.
                    pass
            response = connection.getresponse()
            if stream:
                connection.sock.settimeout(None)
        except (OSError, http.client.HTTPException) as error:
            connection.close()
            raise CubQueueConnectionError(self.base_url, _reason(error)) from None
        kind = (response.getheader("Content-Type") or "").split(";")[0].strip().lower()
        # CubQueue never sends a web page, and its errors are JSON; other types pass (archives, streams).
        if kind == "text/html" or (response.status >= 400 and kind != "application/json"):
            response.close()
            connection.close()
            raise CubQueueApiError(
                response.status,
                "unexpected_response",
                "The server at {} answered {} {} with {}, not CubQueue's JSON: is that the address of a CubQueue server?".format(
                    self.base_url, response.status, response.reason, kind or "no content type"
                ),
            )
        if response.status >= 400 and response.status not in allow:
            try:
                error = json.loads(response.read().decode("utf-8"))["error"]
                raise CubQueueApiError(response.status, error["code"], error["message"])
            except (ValueError, KeyError, TypeError):
                raise CubQueueApiError(response.status, "http_error", "The server answered {} {}".format(response.status, response.reason)) from None
            finally:
                connection.close()
        return response

    def json(self, method, path, query=None, body=None, headers=None, length=None, allow=()):
        """A request whose answer is JSON: returns it decoded."""
        response = self.request(method, path, query=query, body=body, headers=headers, length=length, allow=allow)
        try:
            return json.loads(response.read().decode("utf-8"))
        except ValueError:
            raise CubQueueApiError(
                response.status,
                "unexpected_response",
                "The server at {} answered with something that is not CubQueue's JSON: is that the address of a CubQueue server?".format(self.base_url),
            ) from None
        finally:
            response.close()


def _reason(error):
    """Why a connection failed, in a few words."""
    if isinstance(error, ConnectionRefusedError):
        return "connection refused: is the server running?"
    if isinstance(error, socket.gaierror):
        return "unknown host"
    if isinstance(error, ConnectionResetError):
        return "connection reset"
    if isinstance(error, (socket.timeout, TimeoutError)):
        return "timed out"
    return str(error) or type(error).__name__
