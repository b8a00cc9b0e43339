"""A minimal OTLP/HTTP receiver: what a collector does with ``POST /v1/traces`` and
``POST /v1/metrics``, decoded with opentelemetry-proto, kept in memory for the tests (and
the telemetry benchmark) to read."""

from __future__ import annotations

import gzip
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceRequest,
    ExportMetricsServiceResponse,
)
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)

# What each path decodes its body as, and what it answers.
SIGNALS = {
    "/v1/traces": (ExportTraceServiceRequest, ExportTraceServiceResponse),
    "/v1/metrics": (ExportMetricsServiceRequest, ExportMetricsServiceResponse),
}


class Receiver:
    def __init__(self, server: ThreadingHTTPServer) -> None:
        self.server = server
        self.endpoint = f"http://127.0.0.1:{server.server_address[1]}"
        self.lock = threading.Lock()
        self.traces: list[ExportTraceServiceRequest] = []
        self.metrics: list[ExportMetricsServiceRequest] = []
        self.other: list[str] = []  # requests to any other path

    def spans(self) -> list:
        """Every span received so far, as (service name, span)."""
        with self.lock:
            return [
                (attribute(resource.resource.attributes, "service.name"), span)
                for request in self.traces
                for resource in request.resource_spans
                for scope in resource.scope_spans
                for span in scope.spans
            ]

    def metric_names(self) -> set[str]:
        with self.lock:
            return {
                metric.name
                for request in self.metrics
                for resource in request.resource_metrics
                for scope in resource.scope_metrics
                for metric in scope.metrics
            }

    def metric_points(self, name: str) -> list:
        with self.lock:
            return [
                point
                for request in self.metrics
                for resource in request.resource_metrics
                for scope in resource.scope_metrics
                for metric in scope.metrics
                if metric.name == name
                for point in getattr(metric, metric.WhichOneof("data")).data_points
            ]

    def received_anything(self) -> bool:
        with self.lock:
            return bool(self.traces or self.metrics or self.other)


def attribute(attributes, key: str):
    """The value of ``key`` among OTLP key-values, or None."""
    for item in attributes:
        if item.key == key:
            return getattr(item.value, item.value.WhichOneof("value"))
    return None


@contextmanager
def otlp_receiver() -> Iterator[Receiver]:
    """A receiver listening on a free loopback port until the block ends."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if self.headers.get("Content-Encoding") == "gzip":
                body = gzip.decompress(body)
            if self.path not in SIGNALS:
                with receiver.lock:
                    receiver.other.append(self.path)
                self.send_response(404)
                self.end_headers()
                return
            request_type, response_type = SIGNALS[self.path]
            request = request_type.FromString(body)
            with receiver.lock:
                target = receiver.traces if self.path == "/v1/traces" else receiver.metrics
                target.append(request)
            answer = response_type().SerializeToString()
            self.send_response(200)
            self.send_header("Content-Type", "application/x-protobuf")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args) -> None:  # quiet: the test reads what arrived
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver = Receiver(server)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
