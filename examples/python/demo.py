#!/usr/bin/env python3
"""End-to-end demo of seedim_client against a SeedIM dev server: exits 0 only if every step happened.

    python3 examples/python/demo.py http://127.0.0.1:8080 [--app-id 1477358668] [--secret dev-secret]

Steps: check the local signers against docs/protocol.md §11 (and docs/signing-vectors.json if present); alice
connects with a URL from /dev/sign, bob with a URL signed here; a wrong sign is refused 401; alice sends bob a
message (130 → 30, the retry with the same unique gets the same messageId); bob receives the 140 and acks it;
alice gets 131 DELIVERED; both read the history; bad frames get their 10 errors; heartbeat; logout.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
import uuid
from pathlib import Path
from typing import Any, Optional

sys.path.insert(0, str(Path(__file__).resolve().parent))
from seedim_client import (HandshakeRefused, SeedImClient, ServerError, chat_sign, connect_sign,  # noqa: E402
                           dev_chat_sign, dev_sign, explain_connect_url, signed_connect_url)
from contract import WireContract  # noqa: E402

DOCS = Path(__file__).resolve().parents[2] / "docs"
steps: list[str] = []
CONTRACT = WireContract(DOCS / "asyncapi.yaml")  # every frame received is checked against it


def step(text: str) -> None:
    """Record and print one completed step."""
    steps.append(text)
    print(f"  ok  {text}", flush=True)


def check_doc_examples() -> None:
    """The worked examples of docs/protocol.md §11.1 and §11.3, copied from the doc."""
    secret, app = "docs-example-secret-0123456789abcdef", "1477358668"
    assert connect_sign(secret, app, "alice", "web", "user", 1764900000000) == \
        "517c4b3f50fbf510da095755ee36e50e8b2e145842d1d8a6df5ac8799b72239f"
    assert connect_sign(secret, app, "alice", None, None, 1764900000000) == \
        "17fed86fe6ab08ce93530a12fde65f90e7ce650806f5b0491d71f249dd84ac45"
    assert chat_sign(secret, app, "alice", "bob", 1764900000000) == \
        "3afa17ebdd96dd47ad64b9b0363187760c344a43cd0af4e198b85240c08ffa69"
    step("connect and chat signers reproduce the worked examples of protocol.md §11.1 / §11.3")


def check_signing_vectors() -> None:
    """Verify the connect and chat signers against every login/chat vector of docs/signing-vectors.json.

    Each vector has ``scheme``, ``inputs`` (``secret``, ``appId``, ...) and the lowercase hex ``signature``; the
    legacy MD5 and HTTP API schemes are for other programs (this client signs neither) and are skipped.
    """
    doc = json.loads((DOCS / "signing-vectors.json").read_text("utf-8"))
    checked = 0
    for v in doc["vectors"]:
        scheme, inp = v["scheme"], v["inputs"]
        opt = lambda k: inp.get(k) or None  # noqa: E731  (an empty input means the parameter is absent)
        if scheme == "login":
            got = connect_sign(inp["secret"], inp["appId"], inp["userId"], opt("loginId"), opt("role"), int(inp["txNo"]))
        elif scheme == "chat":
            got = chat_sign(inp["secret"], inp["appId"], inp["sender"], inp["receiveUserId"], int(inp["timestamp"]))
        else:
            continue
        assert got == v["signature"], f"signing vector {v['id']} gave {got}, expected {v['signature']}"
        checked += 1
    assert checked >= 8, f"only {checked} connect/chat vectors in signing-vectors.json"
    step(f"{checked} connect/chat vectors of signing-vectors.json reproduced (the rotation ones included)")


async def expect_error(client: SeedImClient, frame: dict[str, Any], code: str) -> ServerError:
    """Send a frame that must fail with ``10 code``; return the error."""
    try:
        await client.request(frame)
    except ServerError as e:
        assert e.code == code and e.receive_msg_type == frame["msgType"], e.frame
        return e
    raise AssertionError(f"{frame} was accepted; expected 10 {code}")


async def run(http_base: str, app_id: str, secret: str) -> None:
    """The demo proper; any failed assertion or timeout ends it with an exception."""
    check_doc_examples()
    check_signing_vectors()

    run_id = uuid.uuid4().hex[:8]  # fresh users, so a reused server holds no old conversation
    alice_id, bob_id = f"alice_{run_id}", f"bob_{run_id}"
    ws_base = http_base.replace("http", "ws", 1) + "/ws"

    signed = dev_sign(http_base, alice_id, device_id="py")
    assert signed["userId"] == alice_id and signed["url"].startswith("ws"), signed
    bob_url = signed_connect_url(ws_base, app_id, secret, bob_id, login_id="py", role="user")
    status, body = explain_connect_url(bob_url)
    assert status == 426 and body.get("code") == "UPGRADE_REQUIRED", (status, body)
    step(f"bob's locally signed URL passes the handshake checks (plain GET → 426 {body['code']})")
    bad_url = bob_url[:-4] + ("0000" if not bob_url.endswith("0000") else "1111")
    try:
        await SeedImClient(bad_url).connect()
        raise AssertionError("a wrong sign was accepted")
    except HandshakeRefused as e:
        assert e.status == 401 and e.code == "UNAUTHORIZED", e
    step("a wrong connect sign is refused: 401 UNAUTHORIZED")

    alice = await SeedImClient(signed["url"], signed.get("heartbeatSeconds", 30), "alice",
                               on_frame=lambda t: CONTRACT.observe("alice", t)).connect()
    bob = await SeedImClient(bob_url, 30, "bob", on_frame=lambda t: CONTRACT.observe("bob", t)).connect()
    step(f"alice connected (URL from /dev/sign), bob connected (URL signed here, app {app_id})")
    try:
        hb = await alice.heartbeat()
        assert hb["msgType"] == 21 and abs(hb["timestamp"] - time.time() * 1000) < 60_000, hb
        step("heartbeat 20 → 21 with the server clock")

        refused = await alice.send_text(bob_id, "hello without permission")
        assert refused["msgType"] == 132, refused
        step("130 without a chat permission → 132 CHAT_SIGN_EXPIRED")

        perm = dev_chat_sign(http_base, alice_id, bob_id)
        assert chat_sign(secret, app_id, alice_id, bob_id, perm["timestamp"]) == perm["receiveSign"], perm
        step("the local chat signer gives the same receiveSign as /dev/chat-sign")

        unique = f"m-{run_id}"
        sent = await alice.send_text(bob_id, "hello bob, from Python", perm["receiveSign"], perm["timestamp"], unique)
        assert sent["msgType"] == 30 and sent["receiveMsgType"] == 130 and sent["unique"] == unique, sent
        message_id = sent["messageId"]
        again = await alice.send_text(bob_id, "hello bob, from Python", unique=unique)
        assert again["messageId"] == message_id and again["sendTime"] == sent["sendTime"], again
        step(f"alice → bob 130 → 30 messageId {message_id}; the retry with the same unique → same messageId")

        push = await bob.next_push(140, messageId=message_id)
        assert push["userId"] == alice_id and push["message"] == "hello bob, from Python", push
        step("bob received the 140 (and acked it with 141)")

        delivered = await alice.next_push(131, messageId=message_id)
        assert delivered["receiveUserId"] == bob_id, delivered
        step("alice got 131 DELIVERED (and acked it with 31)")

        page = await bob.history(alice_id, page_size=10)
        ids = [m["messageId"] for m in page["messages"]]
        assert page["msgType"] == 162 and ids == [message_id] and page["total"] == 1, page
        own = await alice.history(bob_id, page_size=10)
        assert own["messages"][-1]["delivered"] is True, own
        step("history 161 → 162: bob sees the one message, alice sees it delivered")

        await expect_error(alice, {"msgType": 130, "message": "no receiver"}, "MISSING_FIELD")
        await expect_error(alice, {"msgType": 130, "receiveUserId": alice_id, "message": "to myself"},
                           "INVALID_FIELD")
        await expect_error(alice, {"msgType": 161, "sender": bob_id, "pageSize": 1000}, "INVALID_FIELD")
        await expect_error(alice, {"msgType": 777}, "UNKNOWN_MSG_TYPE")
        await alice.send_raw("this is not json")
        err = await asyncio.wait_for(alice.orphan_errors.get(), 10)
        assert err["code"] == "INVALID_JSON" and err["receiveMsgType"] == 0, err
        step("bad frames → 10 MISSING_FIELD / INVALID_FIELD / UNKNOWN_MSG_TYPE / INVALID_JSON (receiveMsgType 0)")

        reply = await bob.logout()
        assert reply["msgType"] == 252 and bob.close_code == 1000, (reply, bob.close_code)
        step("bob logged out: 251 → 30, 252, close 1000")

        # The permission is now cached (§6.2): no sign needed. Bob is offline, so the 140 waits for his connect.
        offline = await alice.send_text(bob_id, "while you were away")
        assert offline["msgType"] == 30, offline
        bob_url = signed_connect_url(ws_base, app_id, secret, bob_id, "py", "user")
        bob = await SeedImClient(bob_url, heartbeat_seconds=0.2, name="bob",
                                 on_frame=lambda t: CONTRACT.observe("bob", t)).connect()  # fast background 20s
        head = await bob.next_push(1170, peerUserId=alice_id)
        assert head["messageId"] == offline["messageId"] and head["unreadCount"] == 2, head
        replayed = await bob.next_push(140, messageId=offline["messageId"])
        await bob.handle_frame(dict(replayed, unique="s-resent-copy"))  # a second copy, as a resend or sweep gives
        assert bob.pushes.empty(), "a duplicate 140 was delivered twice"
        await alice.next_push(131, messageId=offline["messageId"])
        step("offline message: bob reconnects → 1170 head, replayed 140 (a duplicate copy is dropped), alice gets 131")

        await asyncio.sleep(0.5)
        assert bob.last_heartbeat_reply is not None and bob.pushes.empty(), bob.last_heartbeat_reply
        step("background heartbeats are answered with 21 (kept off the push queue)")

        assert not CONTRACT.problems({"msgType": 21, "timestamp": 1}), "a right frame was refused"
        assert CONTRACT.problems({"msgType": 21, "timestamp": 1, "extra": 1}), "a wrong frame passed"
        assert not CONTRACT.violations, "frames that do not match docs/asyncapi.yaml:\n" + "\n".join(CONTRACT.violations)
        step(f"all {CONTRACT.checked} frames received match docs/asyncapi.yaml (a wrong one is refused)")
    finally:
        await alice.close()
        await bob.close()


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("server", help="the dev server's HTTP base URL, e.g. http://127.0.0.1:8080")
    parser.add_argument("--app-id", default="1477358668", help="the dev app (README: 1477358668)")
    parser.add_argument("--secret", default="dev-secret", help="the app secret, for bob's locally signed URL")
    args = parser.parse_args(argv)
    print(f"[python demo] {args.server}", flush=True)
    asyncio.run(asyncio.wait_for(run(args.server.rstrip("/"), args.app_id, args.secret), 60))
    print(f"[python demo] all {len(steps)} steps passed", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
