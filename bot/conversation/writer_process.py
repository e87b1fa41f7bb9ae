"""The group-commit inbox in a process of its own, for ``tremplin serve``.

The web's event loop (HTTP, signatures, forms) and the conversation service (engine, rendering,
SQL) are both Python, and in one process they take turns on one interpreter lock: measured under
load, each thread then spent about a third more CPU per message than it does alone, and the two
never ran at once. So ``serve`` hands each message to a child process that runs the same
``ConversationService.handle_many`` as ``group_commit.Inbox`` — every message waiting when it is
free, in order, one transaction and one commit — and answers each request once that commit is done.
Nothing is acknowledged before it is on disk, exactly as with the in-process inbox.

The two processes talk over a Unix socket pair, in frames of a 4-byte length and a pickle: the
parent sends ``(number, Inbound)``, the child answers a batch at a time with
``[(number, Handled | exception)]``. On the parent's side the socket is read and written on the
server's own event loop, so no thread is woken per message. If the child dies, the requests it
held fail with ``WriterUnavailableError`` (a 503: the provider delivers them again, and a message
that was committed after all is recognised by its provider id), and the next message starts a new
child. The child ends by itself when the parent goes away (its socket closes), after finishing the
batch in hand; it ignores Ctrl-C, which the terminal sends to the whole process group, so that only
the parent decides when it stops.
"""

import asyncio
import logging
import multiprocessing
import pickle
import signal
import socket
import struct
from collections.abc import Callable
from multiprocessing.process import BaseProcess
from typing import Any

from bot.channels.contract import Inbound
from bot.conversation.service import ConversationService, Handled
from bot.runtime.settings import Settings

__all__ = ["WriterProcess", "WriterUnavailableError"]

ServiceFactory = Callable[[Settings], tuple[ConversationService, Callable[[], None]]]
"""Makes the conversation service the child runs, and what closes it (``runtime.open_service``)."""

log = logging.getLogger(__name__)

_HEADER = struct.Struct("!I")
_CHUNK = 1 << 16


class WriterUnavailableError(RuntimeError):
    """The conversation writer process stopped before answering: try the message again later."""


class WriterProcess:
    """``Inbox``'s interface (``await handle(inbound)``, ``close()``), served by a child process.

    All ``handle`` calls must come from one event loop (the server's): the socket is bound to it.
    """

    def __init__(self, settings: Settings, build: "ServiceFactory", *, max_batch: int = 64) -> None:
        """``build`` makes the child's conversation service from the settings: a module-level
        function (the child is spawned, so it gets the function by name)."""
        self.settings = settings
        self.build = build
        self.max_batch = max_batch
        self._process: BaseProcess | None = None
        self._socket: socket.socket | None = None  # our end, until the event loop takes it
        self._link: _ParentLink | None = None
        self._next = 0

    @property
    def pid(self) -> int | None:
        """The child's process id, while one is running."""
        process = self._process
        return process.pid if process is not None and process.is_alive() else None

    def start(self) -> None:
        """Start the child now (``serve`` does, so that the first message does not wait for it)."""
        if self._process is not None:
            return
        # Spawned, not forked: the parent has threads and open database connections by now.
        context = multiprocessing.get_context("spawn")
        ours, theirs = socket.socketpair()
        process = context.Process(
            target=_child_main,
            args=(theirs, self.settings, self.build, self.max_batch, logging.getLogger().level),
            name="tremplin-writer",
            daemon=True,
        )
        process.start()
        theirs.close()
        self._process, self._socket = process, ours

    async def handle(self, inbound: Inbound) -> Handled:
        """Handle one message; returns once it and its replies are committed."""
        link = self._link
        if link is None or link.lost:
            link = self._connected()
        self._next += 1
        return await link.send(self._next, inbound)

    def _connected(self) -> "_ParentLink":
        # No await in here: concurrent first messages cannot start two children.
        if self._link is not None:  # the child went away: say so, then start another one
            exitcode = self._process.exitcode if self._process is not None else None
            log.warning("the conversation writer stopped (exit %s); starting another", exitcode)
            self._join()
            self._link = None
        self.start()
        assert self._socket is not None  # set by start()
        sock, self._socket = self._socket, None  # the link owns it from here
        self._link = _ParentLink(sock, asyncio.get_running_loop())
        return self._link

    def close(self) -> None:
        """Let the child finish its batch and stop: it stops when its end of the socket closes."""
        if self._link is not None:
            self._link.close()
            self._link = None
        if self._socket is not None:
            self._socket.close()
            self._socket = None
        self._join()

    def _join(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        process.join(timeout=20)
        if process.is_alive():  # stuck: no batch takes this long
            log.warning("the conversation writer did not stop in 20 s; terminating it")
            process.terminate()
            process.join(timeout=5)


class _ParentLink:
    """The parent's end of the socket, on the server's event loop: sends each message, settles
    each request with its outcome. A plain non-blocking socket with a reader (and a writer while
    a send is left over) rather than an asyncio transport, so that it can still be closed once
    the loop has ended, as ``serve`` does."""

    def __init__(self, sock: socket.socket, loop: asyncio.AbstractEventLoop) -> None:
        sock.setblocking(False)
        self._socket = sock
        self._loop = loop
        self._received = bytearray()
        self._unsent = bytearray()
        self._waiting: dict[int, asyncio.Future[Handled]] = {}
        self.lost = False
        loop.add_reader(sock.fileno(), self._on_readable)

    async def send(self, number: int, inbound: Inbound) -> Handled:
        if self.lost:
            raise WriterUnavailableError("the conversation writer is not running")
        waiter: asyncio.Future[Handled] = self._loop.create_future()
        self._waiting[number] = waiter
        self._write(_frame(pickle.dumps((number, inbound), pickle.HIGHEST_PROTOCOL)))
        try:
            return await waiter
        finally:
            self._waiting.pop(number, None)  # answered, or the client gave up waiting

    def _write(self, data: bytes) -> None:
        if self._unsent:  # a send is already waiting for room: keep the order
            self._unsent += data
            return
        try:
            sent = self._socket.send(data)
        except BlockingIOError:
            sent = 0
        except OSError:
            self._lose()
            return
        if sent < len(data):
            self._unsent += data[sent:]
            self._loop.add_writer(self._socket.fileno(), self._on_writable)

    def _on_writable(self) -> None:
        try:
            sent = self._socket.send(self._unsent)
        except BlockingIOError:
            return
        except OSError:
            self._lose()
            return
        del self._unsent[:sent]
        if not self._unsent:
            self._loop.remove_writer(self._socket.fileno())

    def _on_readable(self) -> None:
        try:
            data = self._socket.recv(_CHUNK)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            self._lose()
            return
        self._received += data
        for payload in _take_frames(self._received, None):
            for number, outcome in pickle.loads(payload):  # noqa: S301 - our own child's answer
                waiter = self._waiting.get(number)
                if waiter is None or waiter.done():  # the client went away; the message is saved
                    continue
                if isinstance(outcome, BaseException):
                    waiter.set_exception(outcome)
                else:
                    waiter.set_result(outcome)

    def _lose(self) -> None:
        """The child is gone: every request it held hears "try again"."""
        if self.lost:
            return
        self.lost = True
        self.close()
        for waiter in self._waiting.values():
            if not waiter.done():
                waiter.set_exception(
                    WriterUnavailableError("the conversation writer stopped before answering")
                )
        self._waiting.clear()

    def close(self) -> None:
        """Close our end; the child sees it and stops."""
        if self._socket.fileno() < 0:
            return
        if not self._loop.is_closed():
            self._loop.remove_reader(self._socket.fileno())
            self._loop.remove_writer(self._socket.fileno())
        self._socket.close()


def _frame(payload: bytes) -> bytes:
    return _HEADER.pack(len(payload)) + payload


def _take_frames(buffer: bytearray, limit: int | None) -> list[bytes]:
    """Remove the complete frames at the start of ``buffer`` (at most ``limit``) and return them."""
    frames: list[bytes] = []
    start = 0
    while limit is None or len(frames) < limit:
        if len(buffer) - start < _HEADER.size:
            break
        (length,) = _HEADER.unpack_from(buffer, start)
        end = start + _HEADER.size + length
        if len(buffer) < end:
            break
        frames.append(bytes(buffer[start + _HEADER.size : end]))
        start = end
    del buffer[:start]
    return frames


# The child ------------------------------------------------------------------------------------
def _child_main(
    sock: socket.socket, settings: Settings, build: ServiceFactory, max_batch: int, log_level: int
) -> None:
    """The writer process: batches of messages in, their outcomes out, until the parent leaves."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the parent, which stops us
    logging.basicConfig(level=log_level or logging.WARNING)
    service, close = build(settings)  # the parent migrated the schema already
    try:
        _serve_batches(sock, service.handle_many, max_batch)
    finally:
        close()
        sock.close()


def _serve_batches(sock: socket.socket, handle_many: Any, max_batch: int) -> None:
    buffer = bytearray()
    while True:
        frames = _take_frames(buffer, max_batch)
        if not frames:
            if not _receive(sock, buffer):
                return  # the parent closed its end: nothing more will come
            continue
        items = [pickle.loads(frame) for frame in frames]  # noqa: S301 - our own parent's frames
        outcomes: list[Any]
        try:
            outcomes = handle_many([inbound for _, inbound in items])
        except Exception as error:  # noqa: BLE001 - the commit failed: every caller hears it
            outcomes = [error] * len(items)
        answer = [
            (number, _transportable(o)) for (number, _), o in zip(items, outcomes, strict=True)
        ]
        try:
            sock.sendall(_frame(pickle.dumps(answer, pickle.HIGHEST_PROTOCOL)))
        except OSError:
            return  # the parent is gone; what was committed stays committed


def _receive(sock: socket.socket, buffer: bytearray) -> bool:
    """Wait for data, then take whatever else has already arrived; False at end of stream."""
    chunk = sock.recv(_CHUNK)
    if not chunk:
        return False
    buffer += chunk
    while True:
        try:
            chunk = sock.recv(_CHUNK, socket.MSG_DONTWAIT)
        except BlockingIOError:
            return True
        if not chunk:
            return True  # the end shows at the next wait, after this batch is answered
        buffer += chunk


def _transportable(outcome: Any) -> Any:
    """The outcome itself when it pickles (database errors do, so a 503 stays a 503), else a
    ``RuntimeError`` that names its class; the child has already logged a failed message. A
    ``Handled`` goes without its rendered replies: the web answers with the outbox ids and a
    call's TwiML, and unpickling every reply cost the web process more than the rest."""
    if isinstance(outcome, Handled):
        return outcome.without_replies()
    if not isinstance(outcome, BaseException):
        return outcome
    try:
        pickle.dumps(outcome)
    except Exception:  # noqa: BLE001 - any unpicklable error becomes a plain one
        return RuntimeError(f"{type(outcome).__name__} in the conversation writer")
    return outcome
