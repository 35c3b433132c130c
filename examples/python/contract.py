"""Checks server frames against the machine-readable contract, ``docs/asyncapi.yaml``.

Each server msgType has a closed JSON Schema (draft 7) in the document; this module finds the schema of a frame's
msgType (the ``sendServerFrames`` operation's messages) and validates the frame. Needs PyYAML and jsonschema
(Debian: ``python3-yaml``, ``python3-jsonschema``).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Optional

import yaml
from jsonschema import Draft7Validator, RefResolver

DEFAULT_DOC = Path(__file__).resolve().parents[2] / "docs" / "asyncapi.yaml"


class WireContract:
    """Validators per msgType for the frames the server sends (and the ones a client sends)."""

    def __init__(self, path: Path = DEFAULT_DOC) -> None:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        resolver = RefResolver.from_schema(doc)

        def at(ref: str) -> Any:
            node: Any = doc
            for key in ref.lstrip("#/").split("/"):
                node = node[key]
            return node

        def index(operation: str) -> dict[int, Draft7Validator]:
            out: dict[int, Draft7Validator] = {}
            for item in doc["operations"][operation]["messages"]:
                payload_ref = at(at(item["$ref"])["$ref"])["payload"]["$ref"]
                payload = at(payload_ref)
                branches = [payload] if "properties" in payload else payload.get("oneOf", [])
                for branch in branches:
                    out[branch["properties"]["msgType"]["const"]] = Draft7Validator({"$ref": payload_ref},
                                                                                   resolver=resolver)
            return out

        self.server = index("sendServerFrames")
        self.client = index("receiveClientFrames")
        self.checked = 0
        self.violations: list[str] = []

    def problems(self, frame: Any, side: str = "server") -> list[str]:
        """What is wrong with a frame (a dict or its JSON text); [] when it matches."""
        if isinstance(frame, str):
            try:
                frame = json.loads(frame)
            except ValueError as e:
                return [f"not JSON: {e}"]
        validators = self.server if side == "server" else self.client
        validator: Optional[Draft7Validator] = validators.get(frame.get("msgType")) if isinstance(frame, dict) else None
        if validator is None:
            return [f"msgType {frame.get('msgType') if isinstance(frame, dict) else frame!r} is not a documented {side} frame"]
        return [f"{'/'.join(map(str, e.path)) or '/'}: {e.message}" for e in validator.iter_errors(frame)]

    def observe(self, who: str, text: str) -> None:
        """Record a frame a client received (use as :attr:`SeedImClient.on_frame`)."""
        self.checked += 1
        found = self.problems(text)
        if found:
            self.violations.append(f"{who}: {text[:300]} -> {found}")
