"""With nowhere to export, spans are not recorded but still carry trace ids (run in a subprocess:
the tracer provider is process-wide)."""

import subprocess
import sys
import textwrap


def _run(code: str, **env: str) -> str:
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                            env={"PATH": "/usr/bin:/bin", **env}, timeout=60, check=True)
    return result.stdout.strip()


def test_nothing_recorded_without_exporter_but_trace_ids_remain_then_recorded_once_one_is_added():
    out = _run("""
        from opentelemetry import trace
        from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
        from plumbing.telemetry import setup_tracing, current_traceparent
        setup_tracing("svc")
        tracer = trace.get_tracer("t")
        with tracer.start_as_current_span("a") as span:
            print(span.is_recording(), current_traceparent() is not None, span.get_span_context().is_valid)
        exporter = InMemorySpanExporter()
        setup_tracing("svc", exporter=exporter, batch=False)
        with tracer.start_as_current_span("b") as span:
            print(span.is_recording())
        print(len(exporter.get_finished_spans()))
    """)
    assert out.splitlines() == ["False True True", "True", "1"]


def test_sampler_from_the_environment_wins():
    out = _run("""
        from opentelemetry import trace
        from plumbing.telemetry import setup_tracing
        setup_tracing("svc")
        with trace.get_tracer("t").start_as_current_span("a") as span:
            print(span.is_recording())
    """, OTEL_TRACES_SAMPLER="always_on")
    assert out == "True"


def test_requests_keep_the_callers_trace_id_when_nothing_is_recorded():
    out = _run("""
        import asyncio
        from opentelemetry import trace
        from plumbing.telemetry import setup_tracing, current_traceparent
        from plumbing.web.app import instrumented
        setup_tracing("svc")
        seen = []

        async def app(scope, receive, send):
            seen.append(current_traceparent())

        async def call(headers):
            scope = {"type": "http", "method": "GET", "path": "/x", "headers": headers, "query_string": b""}
            await instrumented(app)(scope, None, None)

        asyncio.run(call([(b"traceparent", b"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")]))
        asyncio.run(call([]))
        print(seen[0].split("-")[1])
        print(len(seen[1].split("-")[1]), seen[1].split("-")[1] != "0" * 32, seen[1].split("-")[3])
    """)
    # A new root when no caller sent a trace: a fresh trace id, not sampled (nothing records it).
    assert out.splitlines() == ["0af7651916cd43dd8448eb211c80319c", "32 True 00"]


def test_recorded_request_spans_hold_no_one_time_token():
    """Verification and reset links carry `?token=…` (valid for an hour): the exported span of the
    request must not copy it into http.url (or url.query) for whoever reads the traces."""
    out = _run("""
        import asyncio
        from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
        from plumbing.telemetry import setup_tracing
        from plumbing.web.app import instrumented
        exporter = InMemorySpanExporter()
        setup_tracing("svc", exporter=exporter, batch=False)

        async def app(scope, receive, send):
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b""})

        async def receive():
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message):
            pass

        scope = {"type": "http", "method": "GET", "path": "/compte/reinitialiser", "scheme": "https",
                 "server": ("ingemplois.example", 443), "headers": [(b"host", b"ingemplois.example")],
                 "query_string": b"lang=fr&token=S3cr3tT0kenValue", "http_version": "1.1"}
        asyncio.run(instrumented(app)(scope, receive, send))
        # the language switch of that page carries the link in `next`
        link = b"next=%2Fcompte%2Freinitialiser%3Ftoken%3DS3cr3tT0kenValue"
        nested = dict(scope, path="/langue/en", query_string=link)
        asyncio.run(instrumented(app)(nested, receive, send))
        spans = exporter.get_finished_spans()
        print(len(spans) >= 2)
        print(any("S3cr3tT0kenValue" in str(value) for span in spans for value in span.attributes.values()))
        print(any("lang=fr" in str(value) for span in spans for value in span.attributes.values()))
    """)
    assert out.splitlines() == ["True", "False", "True"]
