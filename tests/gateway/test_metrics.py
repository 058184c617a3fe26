"""Prometheus text rendering of the gateway counters."""

from __future__ import annotations

from lianfang.gateway.metrics import Histogram, Metrics


def test_prometheus_text() -> None:
    m = Metrics()
    m.packets = 7
    m.rejects["crc_mismatch"] += 2
    m.rejects['we"ird'] += 1
    m.commit_latency.observe(0.003)
    m.commit_latency.observe(0.2)
    m.add_gauge("lianfang_gateway_connections", "Open connections.", lambda: 3)
    text = m.render_prometheus()
    assert "# TYPE lianfang_gateway_packets_total counter\nlianfang_gateway_packets_total 7\n" in text
    assert 'lianfang_gateway_rejects_total{reason="crc_mismatch"} 2' in text
    assert 'lianfang_gateway_rejects_total{reason="we\\"ird"} 1' in text
    assert 'lianfang_gateway_commit_seconds_bucket{le="0.005"} 1' in text
    assert 'lianfang_gateway_commit_seconds_bucket{le="0.25"} 2' in text
    assert 'lianfang_gateway_commit_seconds_bucket{le="+Inf"} 2' in text
    assert "lianfang_gateway_commit_seconds_count 2" in text
    assert "# TYPE lianfang_gateway_connections gauge\nlianfang_gateway_connections 3\n" in text
    assert text.endswith("\n")
    assert m.snapshot()["lianfang_gateway_connections"] == 3


def test_histogram_quantile_is_a_bucket_bound() -> None:
    h = Histogram()
    for _ in range(99):
        h.observe(0.0015)
    h.observe(4.0)
    assert h.quantile(0.5) == 0.002
    assert h.quantile(1.0) == 5.0
    assert Histogram().quantile(0.99) == 0.0
