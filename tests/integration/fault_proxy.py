"""A TCP proxy on loopback that misbehaves on purpose: drops connections, delays, answers 502, truncates answers.

Each new client connection draws one behaviour. Bounded: it serves until stop(); every socket has a timeout.
"""

from __future__ import annotations

import random
import socket
import threading
import time

FAULTS = ("pass", "drop", "delay", "bad_gateway", "truncate")
BAD_GATEWAY = b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


class FaultProxy:
    def __init__(self, upstream: tuple[str, int], *, weights: dict[str, float], seed: int = 0) -> None:
        self.upstream = upstream
        self.weights = weights
        self.rng = random.Random(seed)
        self.counts = dict.fromkeys(FAULTS, 0)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.port = self._listener.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept_loop, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self._listener.close()

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            fault = self.rng.choices(list(self.weights), weights=list(self.weights.values()))[0]
            self.counts[fault] += 1
            threading.Thread(target=self._handle, args=(client, fault), daemon=True).start()

    def _handle(self, client: socket.socket, fault: str) -> None:
        client.settimeout(10)
        try:
            if fault == "drop":
                return
            if fault == "bad_gateway":
                client.recv(65536)
                client.sendall(BAD_GATEWAY)
                return
            if fault == "delay":
                time.sleep(self.rng.uniform(0.1, 0.8))
            upstream = socket.create_connection(self.upstream, timeout=10)
            try:
                self._pump(client, upstream, truncate=fault == "truncate")
            finally:
                upstream.close()
        except OSError:
            pass
        finally:
            client.close()

    def _pump(self, client: socket.socket, upstream: socket.socket, *, truncate: bool) -> None:
        """Forward both ways; with truncate, cut the first answer short after the request went through."""
        done = threading.Event()

        def up() -> None:
            try:
                while not done.is_set() and (data := client.recv(65536)):
                    upstream.sendall(data)
            except OSError:
                pass
            done.set()

        forward = threading.Thread(target=up, daemon=True)
        forward.start()
        try:
            while not done.is_set():
                data = upstream.recv(65536)
                if not data:
                    break
                if truncate:
                    client.sendall(data[: max(1, len(data) // 2)])
                    break
                client.sendall(data)
        except OSError:
            pass
        done.set()
        forward.join(2)
