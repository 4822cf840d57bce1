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
        print(len(seen[1].split("-")[1]), seen[1].split("-")[1] != "0" * 32)
    """)
    assert out.splitlines() == ["0af7651916cd43dd8448eb211c80319c", "32 True"]
