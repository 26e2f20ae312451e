"""Slack's Socket Mode side for the tests: a WebSocket server on loopback (RFC 6455, text frames
only) that sends envelopes to the connected client and records the client's acknowledgements.

slack_sdk's built-in client speaks plain ws:// to a port other than 443, so no TLS is needed.
"""

from __future__ import annotations

import base64
import hashlib
import json
import socket
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
TEXT, CLOSE, PING, PONG = 0x1, 0x8, 0x9, 0xA


class FakeSocketMode:
    def __init__(self) -> None:
        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen()
        self.url = f"ws://127.0.0.1:{self._listener.getsockname()[1]}/link/?ticket=test"
        self.acks: list[dict] = []
        self.requests: list[str] = []  # the handshakes' request lines
        self.changed = threading.Condition()
        self._client: socket.socket | None = None
        self._send_lock = threading.Lock()
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    # --- the test's side ---------------------------------------------------------------------------

    def wait_connected(self, timeout: float = 20) -> None:
        with self.changed:
            assert self.changed.wait_for(lambda: self._client is not None, timeout), "no Socket Mode client connected"

    def send_envelope(self, envelope_id: str, payload: dict, *, kind: str = "events_api",
                      retry_attempt: int = 0) -> None:
        self._send(TEXT, json.dumps({"envelope_id": envelope_id, "type": kind, "payload": payload,
                                     "accepts_response_payload": kind != "events_api",
                                     "retry_attempt": retry_attempt, "retry_reason": ""}).encode())

    def wait_ack(self, envelope_id: str, timeout: float = 20) -> dict:
        with self.changed:
            assert self.changed.wait_for(lambda: any(a.get("envelope_id") == envelope_id for a in self.acks), timeout)
            return next(a for a in self.acks if a.get("envelope_id") == envelope_id)

    def close(self) -> None:
        self._closed = True
        for sock in (self._client, self._listener):
            if sock is not None:
                try:
                    sock.close()
                except OSError:
                    pass

    # --- the wire ----------------------------------------------------------------------------------

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        try:
            request = b""
            while b"\r\n\r\n" not in request:
                chunk = client.recv(4096)
                if not chunk:
                    return
                request += chunk
            lines = request.decode("latin-1").split("\r\n")
            fields = (line.split(":", 1) for line in lines[1:] if ":" in line)
            headers = {k.strip().lower(): v.strip() for k, v in fields}
            accept = base64.b64encode(hashlib.sha1((headers["sec-websocket-key"] + _GUID).encode()).digest()).decode()
            client.sendall(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                            f"Sec-WebSocket-Accept: {accept}\r\n\r\n").encode())
            with self.changed:
                self.requests.append(lines[0])
                self._client = client
                self.changed.notify_all()
            self._read_frames(client)
        except OSError:
            return

    def _read_frames(self, client: socket.socket) -> None:
        reader = client.makefile("rb")
        while True:
            head = reader.read(2)
            if len(head) < 2:
                return
            opcode, length = head[0] & 0x0F, head[1] & 0x7F
            if length == 126:
                length = struct.unpack("!H", reader.read(2))[0]
            elif length == 127:
                length = struct.unpack("!Q", reader.read(8))[0]
            mask = reader.read(4) if head[1] & 0x80 else b"\0\0\0\0"
            data = bytes(b ^ mask[i % 4] for i, b in enumerate(reader.read(length)))
            if opcode == PING:
                self._send(PONG, data)
            elif opcode == TEXT:
                with self.changed:
                    self.acks.append(json.loads(data))
                    self.changed.notify_all()
            elif opcode == CLOSE:
                return

    def _send(self, opcode: int, data: bytes) -> None:
        n = len(data)
        header = bytes([0x80 | opcode]) + (bytes([n]) if n < 126 else
                                           bytes([126]) + struct.pack("!H", n) if n < 65536 else
                                           bytes([127]) + struct.pack("!Q", n))
        with self._send_lock:
            assert self._client is not None, "no Socket Mode client connected"
            self._client.sendall(header + data)


@contextmanager
def fake_socket_mode() -> Iterator[FakeSocketMode]:
    server = FakeSocketMode()
    try:
        yield server
    finally:
        server.close()
