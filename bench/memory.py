"""Memory figures for the benchmarks, from /proc/self (Linux)."""

from __future__ import annotations


def status_mb(field: str) -> float:
    """A memory figure of this process from /proc/self/status: VmRSS now, VmHWM peak."""
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def reset_peak() -> None:
    """Start a new high-water mark, so a measured stage's peak is not an earlier stage's."""
    with open("/proc/self/clear_refs", "w") as handle:
        handle.write("5")
