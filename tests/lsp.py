"""A minimal Language Server Protocol client, to talk to yaml-language-server in tests."""

from __future__ import annotations

import json
import queue
import subprocess
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SERVER = REPO / "tools" / "node_modules" / "yaml-language-server" / "bin" / "yaml-language-server"
# Editors' defaults would fetch the public schema catalogue; tests never touch the network.
SETTINGS = {"yaml": {"validate": True, "completion": True, "hover": True, "schemaStore": {"enable": False}, "format": {"enable": False}}}


class LanguageServer:
    def __init__(self, root: Path):
        self.proc = subprocess.Popen(
            ["node", str(SERVER), "--stdio"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
        )
        self.next_id = 0
        self.responses: dict[int, dict] = {}
        self.notifications: queue.Queue = queue.Queue()
        self.lock = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()
        self.request("initialize", {"processId": None, "rootUri": root.as_uri(), "capabilities": {"workspace": {"configuration": True}}})
        self.notify("initialized", {})
        self.notify("workspace/didChangeConfiguration", {"settings": SETTINGS})

    def _send(self, message: dict) -> None:
        body = json.dumps(message).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def _read(self) -> None:
        stream = self.proc.stdout
        while True:
            headers = {}
            while True:
                line = stream.readline()
                if not line:
                    return
                if line in (b"\r\n", b"\n"):
                    break
                name, _, value = line.decode().partition(":")
                headers[name.strip().lower()] = value.strip()
            message = json.loads(stream.read(int(headers["content-length"])))
            if "method" in message and "id" in message:  # a request from the server
                result = [SETTINGS["yaml"]] * len(message.get("params", {}).get("items", [])) if message["method"] == "workspace/configuration" else None
                self._send({"jsonrpc": "2.0", "id": message["id"], "result": result})
            elif "id" in message:
                with self.lock:
                    self.responses[message["id"]] = message
                    self.lock.notify_all()
            else:
                self.notifications.put(message)

    def request(self, method: str, params: dict, timeout: float = 30) -> dict:
        self.next_id += 1
        rid = self.next_id
        self._send({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})
        with self.lock:
            if not self.lock.wait_for(lambda: rid in self.responses, timeout):
                raise TimeoutError(f"no answer to {method}")
            return self.responses.pop(rid)

    def notify(self, method: str, params: dict) -> None:
        self._send({"jsonrpc": "2.0", "method": method, "params": params})

    def open(self, path: Path, text: str) -> str:
        uri = path.resolve().as_uri()
        self.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}})
        return uri

    def completion_labels(self, uri: str, line: int, character: int) -> set[str]:
        answer = self.request("textDocument/completion", {"textDocument": {"uri": uri}, "position": {"line": line, "character": character}})
        result = answer.get("result") or {}
        items = result.get("items", []) if isinstance(result, dict) else result
        return {item["label"] for item in items}

    def diagnostics(self, uri: str, timeout: float = 30) -> list[dict]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                message = self.notifications.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                break
            if message.get("method") == "textDocument/publishDiagnostics" and message["params"]["uri"] == uri and message["params"]["diagnostics"]:
                return message["params"]["diagnostics"]
        return []

    def close(self) -> None:
        try:
            self.request("shutdown", {}, timeout=5)
            self.notify("exit", {})
        except (TimeoutError, BrokenPipeError, OSError):
            pass
        self.proc.kill()
        self.proc.wait(timeout=10)
