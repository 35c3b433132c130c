"""A small asyncio client for the SeedIM WebSocket protocol, written from docs/protocol.md alone.

It shows what every client has to do (section numbers refer to docs/protocol.md):

- connect with a signed URL (§2.1): built here from the app secret (:func:`signed_connect_url`, §2.2/§11.1,
  for a business server) or fetched from a dev server's ``/dev/sign`` (:func:`dev_sign`, §10.13);
- send 20 heartbeats every ``heartbeatSeconds`` (§2.8);
- correlate replies with requests by ``unique`` (§1.4): a 30, then the reply, or a 10 error (§5.1);
- acknowledge every reliable push (§4.2): 140 with 141, the others with 31, and de-duplicate them
  (140 by ``messageId``, the others by ``unique``);
- send text (130 → 30, or 132 / 133), read history (161 → 162), log out (251 → 30, 252, close 1000).

Needs only the standard library and ``websockets`` 10.x (Debian: ``apt-get install python3-websockets``).
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Callable, Optional

try:
    import websockets
except ImportError as e:  # pragma: no cover - an environment problem, said plainly
    raise SystemExit("seedim_client needs websockets 10.x: apt-get install python3-websockets, "
                     "then run it with /usr/bin/python3") from e

Frame = dict[str, Any]

#: Pushes that are resent until acknowledged (§4.2). 402 and 551 are reliable only when pushed (not as replies);
#: acking one that was not reliable is harmless ("acks are never answered, even when unknown").
RELIABLE_PUSHES = frozenset({131, 140, 191, 192, 199, 301, 311, 321, 341, 343, 402, 421, 551, 560})
#: Replies that answer a client frame and echo its ``unique`` (§1.4).
REPLY_TYPES = frozenset({10, 21, 30, 101, 102, 132, 133, 162, 180, 252, 402, 431, 541, 551})
#: Server frames that are a reply to one request or a push, depending on how they were caused (§1.4).
PUSH_TYPES = frozenset({402, 431, 551})
#: For each client msgType with a reply besides 30, the reply's msgType (§1.7).
REPLY_OF = {20: 21, 101: 101, 102: 102, 161: 162, 180: 180, 251: 252, 401: 402, 430: 431, 540: 541, 550: 551}
#: Frames that end a 130: the 30 (stored), 132 (no chat permission), 133 (sensitive word) (§6.2).
SEND_OUTCOMES = frozenset({30, 132, 133})


class ServerError(Exception):
    """A ``10`` error frame (§5.1): the frame named by ``receiveMsgType`` failed and changed nothing."""

    def __init__(self, frame: Frame) -> None:
        self.frame = frame
        self.code: str = frame.get("code", "")
        self.receive_msg_type: int = frame.get("receiveMsgType", 0)
        super().__init__(f"{self.code}: {frame.get('message', '')} (receiveMsgType {self.receive_msg_type})")


class HandshakeRefused(Exception):
    """The server refused the WebSocket upgrade (§2.4); ``code`` is the JSON body's error code."""

    def __init__(self, status: int, body: Frame) -> None:
        self.status, self.body, self.code = status, body, body.get("code", "")
        super().__init__(f"HTTP {status} {self.code}: {body.get('message', '')}")


# --------------------------------------------------------------------------------------------- signatures (§11)

def hmac_hex(secret: str, canonical: str) -> str:
    """Lowercase hex HMAC-SHA256 of ``canonical`` keyed with the app secret, both UTF-8 (§11)."""
    return hmac.new(secret.encode("utf-8"), canonical.encode("utf-8"), hashlib.sha256).hexdigest()


def connect_sign(secret: str, app_id: str, user_id: str, login_id: Optional[str], role: Optional[str],
                 tx_no: int) -> str:
    """The connect signature (§2.2): absent ``loginId`` / ``role`` parameters are signed as empty strings."""
    canonical = "\n".join(["im2-login", app_id, user_id, login_id or "", role or "", str(tx_no)])
    return hmac_hex(secret, canonical)


def chat_sign(secret: str, app_id: str, sender: str, receive_user_id: str, timestamp: int) -> str:
    """The chat-permission sign ``receiveSign`` (§6.2, §11.3): ``sender`` may message ``receive_user_id``."""
    return hmac_hex(secret, "\n".join(["im2-chat", app_id, sender, receive_user_id, str(timestamp)]))


def signed_connect_url(ws_base: str, app_id: str, secret: str, user_id: str, login_id: Optional[str] = None,
                       role: Optional[str] = None, tx_no: Optional[int] = None) -> str:
    """A connect URL (§2.1) signed with the app secret, as a business server builds it.

    ``ws_base`` is e.g. ``ws://127.0.0.1:8080/ws``. Parameters left ``None`` are omitted (and signed as "").
    """
    tx = int(time.time() * 1000) if tx_no is None else tx_no
    params: list[tuple[str, str]] = [("appId", app_id), ("userId", user_id)]
    if login_id is not None:
        params.append(("loginId", login_id))
    if role is not None:
        params.append(("role", role))
    params += [("msgType", "10"), ("txNo", str(tx)), ("sign", connect_sign(secret, app_id, user_id, login_id, role, tx))]
    return ws_base + "?" + urllib.parse.urlencode(params)


# ------------------------------------------------------------------------------------------------ HTTP helpers

def http_get_json(url: str, timeout: float = 5.0) -> tuple[int, Frame]:
    """GET ``url`` (blocking); returns the status and the JSON body, also for 4xx/5xx answers."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return resp.status, json.loads(resp.read() or b"{}")
    except urllib.error.HTTPError as e:
        body = e.read()
        try:
            return e.code, json.loads(body or b"{}")
        except ValueError:
            return e.code, {"raw": body.decode("utf-8", "replace")}


def dev_sign(http_base: str, user_id: str, device_id: Optional[str] = None, role: Optional[str] = None) -> Frame:
    """Ask a dev server (loopback only) for a connect URL: ``GET /dev/sign`` (§10.13, answer as §10.3)."""
    q = {"userId": user_id, **({"deviceId": device_id} if device_id else {}), **({"role": role} if role else {})}
    status, body = http_get_json(f"{http_base}/dev/sign?{urllib.parse.urlencode(q)}")
    if status != 200:
        raise HandshakeRefused(status, body)
    return body


def dev_chat_sign(http_base: str, user_id: str, receive_user_id: str) -> Frame:
    """``GET /dev/chat-sign`` (§10.13, answer as §10.4): ``{"receiveSign", "timestamp", "expiresAt"}``."""
    q = urllib.parse.urlencode({"userId": user_id, "receiveUserId": receive_user_id})
    status, body = http_get_json(f"{http_base}/dev/chat-sign?{q}")
    if status != 200:
        raise HandshakeRefused(status, body)
    return body


def explain_connect_url(ws_url: str) -> tuple[int, Frame]:
    """Why would this connect URL be refused? A plain GET runs the handshake checks (§2.4): 426 means accepted."""
    return http_get_json("http" + ws_url[2:] if ws_url.startswith("ws") else ws_url)


# ------------------------------------------------------------------------------------------------------ client

class SeedImClient:
    """One device's WebSocket session.

    Replies are matched to requests by ``unique``; reliable pushes are acknowledged and de-duplicated, then
    put on :attr:`pushes` (an :class:`asyncio.Queue`) for the application. Errors that cannot be matched to a
    request (e.g. ``INVALID_JSON`` for a frame that could not be parsed) go to :attr:`orphan_errors`.
    """

    def __init__(self, url: str, heartbeat_seconds: float = 30.0, name: str = "client",
                 on_frame: Optional[Callable[[str], None]] = None) -> None:
        self.url, self.heartbeat_seconds, self.name = url, heartbeat_seconds, name
        self.pushes: asyncio.Queue[Frame] = asyncio.Queue()
        self.orphan_errors: asyncio.Queue[Frame] = asyncio.Queue()
        self.notice: Optional[Frame] = None  # the 99 NOTICE, if one arrived (§5.5)
        self.last_heartbeat_reply: Optional[Frame] = None  # the latest 21 to a background heartbeat
        self._ws: Optional[websockets.WebSocketClientProtocol] = None
        self._pending: dict[str, tuple[frozenset[int], asyncio.Future[Frame]]] = {}
        self._seen_messages: set[str] = set()
        self._seen_uniques: set[str] = set()
        self._counter = itertools.count(1)
        self._tasks: list[asyncio.Task[None]] = []
        # Called with the raw text of every frame received, before it is handled (e.g. a contract check).
        self.on_frame = on_frame

    # -- lifecycle
    async def connect(self) -> "SeedImClient":
        """Open the socket; raise :class:`HandshakeRefused` with the server's reason if it is refused."""
        try:
            # Protocol heartbeats (20) keep the socket alive; the library's own pings are not needed.
            self._ws = await websockets.connect(self.url, ping_interval=None, max_size=2 ** 20)
        except websockets.exceptions.InvalidStatusCode as e:
            status, body = await asyncio.to_thread(explain_connect_url, self.url)
            raise HandshakeRefused(e.status_code, body) from e
        self._tasks = [asyncio.create_task(self._read_loop()), asyncio.create_task(self._heartbeat_loop())]
        return self

    async def close(self) -> None:
        """Close the socket without logging out (a disconnect: presence waits for its grace period, §2.8)."""
        for t in self._tasks:
            t.cancel()
        if self._ws is not None:
            await self._ws.close()

    @property
    def close_code(self) -> Optional[int]:
        """The WebSocket close code once closed (§3.3), e.g. 1000 after logout, 4001 when replaced."""
        return self._ws.close_code if self._ws is not None else None

    async def __aenter__(self) -> "SeedImClient":
        return await self.connect()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # -- sending
    def new_unique(self) -> str:
        """A fresh client ``unique`` (§1.3). Retries of one frame must reuse the same value (§4.3)."""
        return f"{self.name}-{next(self._counter)}"

    async def send_raw(self, text: str) -> None:
        """Send one text frame as is (for tests of the server's error handling)."""
        assert self._ws is not None, "not connected"
        await self._ws.send(text)

    async def send_frame(self, frame: Frame) -> None:
        """Send one frame without waiting for an answer (acks, heartbeats)."""
        await self.send_raw(json.dumps(frame, separators=(",", ":")))

    async def request(self, frame: Frame, timeout: float = 10.0) -> Frame:
        """Send ``frame`` (given a ``unique`` if it has none) and return its final answer.

        The final answer is the reply of §1.7 when the msgType has one (after its 30), else the 30; for 130 it
        is the 30, 132 or 133. A 10 error raises :class:`ServerError`.
        """
        msg_type = int(frame["msgType"])
        frame.setdefault("unique", self.new_unique())
        if msg_type == 130:
            ends = SEND_OUTCOMES
        elif msg_type in REPLY_OF:
            ends = frozenset({REPLY_OF[msg_type]})
        else:
            ends = frozenset({30})
        fut: asyncio.Future[Frame] = asyncio.get_running_loop().create_future()
        self._pending[str(frame["unique"])] = (ends, fut)
        try:
            await self.send_frame(frame)
            answer = await asyncio.wait_for(fut, timeout)
        finally:
            self._pending.pop(str(frame["unique"]), None)
        if answer["msgType"] == 10:
            raise ServerError(answer)
        return answer

    # -- the protocol's operations
    async def heartbeat(self) -> Frame:
        """20 → 21 (§5.2); the 21 carries the server clock in ``timestamp``."""
        return await self.request({"msgType": 20})

    async def send_text(self, receive_user_id: str, text: str, receive_sign: Optional[str] = None,
                        sign_timestamp: Optional[int] = None, unique: Optional[str] = None,
                        content_type: str = "text") -> Frame:
        """130 (§6.2). Returns the 30 (``messageId``, ``sendTime``) or the 132 / 133 refusal frame.

        Pass the same ``unique`` to retry safely after a timeout or ``UNAVAILABLE`` (§4.3).
        """
        frame: Frame = {"msgType": 130, "receiveUserId": receive_user_id, "message": text,
                        "contentType": content_type, "unique": unique or self.new_unique()}
        if receive_sign is not None:
            frame["receiveSign"], frame["timestamp"] = receive_sign, sign_timestamp
        return await self.request(frame)

    async def history(self, peer: str, page_size: int = 20, before_message_id: Optional[str] = None) -> Frame:
        """161 → 162 (§6.7): one page of the conversation with ``peer``, oldest first."""
        frame: Frame = {"msgType": 161, "sender": peer, "pageSize": page_size}
        if before_message_id is not None:
            frame["beforeMessageId"] = before_message_id
        return await self.request(frame)

    async def logout(self) -> Frame:
        """251 → 30, 252, then the server closes with 1000 (§5.6). Returns the 252."""
        reply = await self.request({"msgType": 251})
        if self._ws is not None:
            await self._ws.wait_closed()
        return reply

    async def next_push(self, msg_type: int, timeout: float = 10.0, **match: Any) -> Frame:
        """Wait for the next push of ``msg_type`` whose fields equal ``match``; other pushes are dropped."""
        async def wait() -> Frame:
            while True:
                push = await self.pushes.get()
                if push["msgType"] == msg_type and all(push.get(k) == v for k, v in match.items()):
                    return push
        return await asyncio.wait_for(wait(), timeout)

    # -- receiving
    async def _read_loop(self) -> None:
        assert self._ws is not None
        try:
            async for text in self._ws:
                if self.on_frame is not None:
                    self.on_frame(text)
                await self.handle_frame(json.loads(text))
        except websockets.exceptions.ConnectionClosed:
            pass
        finally:
            for _, fut in self._pending.values():
                if not fut.done():
                    fut.set_exception(ConnectionError(f"socket closed ({self.close_code})"))

    async def handle_frame(self, frame: Frame) -> None:
        """Handle one server frame: complete a request, or ack, de-duplicate and queue a push (public for tests)."""
        msg_type, unique = frame.get("msgType"), frame.get("unique")
        pending = self._pending.get(str(unique)) if unique is not None else None
        if pending is not None and msg_type in REPLY_TYPES:
            ends, fut = pending
            if (msg_type == 10 or msg_type in ends) and not fut.done():
                fut.set_result(frame)
            return  # a 30 before the final reply carries nothing the caller needs here
        if msg_type == 10:
            await self.orphan_errors.put(frame)
            return
        if msg_type in REPLY_TYPES - PUSH_TYPES:
            if msg_type == 21:
                self.last_heartbeat_reply = frame  # the background heartbeat's answer
            return  # a late reply (its request timed out): nothing to deliver
        if msg_type == 99:
            self.notice = frame  # the server closes next; after 4001 never reconnect automatically (§2.5)
        if msg_type == 140:
            # Ack every copy (a resend means the first ack was lost), deliver each message once (§4.2, §6.3).
            await self.send_frame({"msgType": 141, "messageId": frame["messageId"]})
            if frame["messageId"] in self._seen_messages:
                return
            self._seen_messages.add(frame["messageId"])
        elif msg_type in RELIABLE_PUSHES and unique is not None:
            await self.send_frame({"msgType": 31, "unique": unique})
            if unique in self._seen_uniques:
                return
            self._seen_uniques.add(unique)
        await self.pushes.put(frame)

    async def _heartbeat_loop(self) -> None:
        while True:
            await asyncio.sleep(self.heartbeat_seconds)
            try:
                await self.send_frame({"msgType": 20})
            except websockets.exceptions.ConnectionClosed:
                return
