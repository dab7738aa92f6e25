"""`python -m bench [--quick] [--only P1,P2,...]`: run the benchmarks, print a table, save JSON."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
import traceback
from pathlib import Path

from bench.common import RESULTS, Result, machine, save, table

PARTS = ("P1", "P2", "P3", "P4", "P5", "P6", "P7")


def _run_part(name: str, quick: bool, root: Path) -> list[Result]:
    if name == "P1":
        from bench import p1_cpu

        return asyncio.run(p1_cpu.run(quick))
    if name == "P2":
        from bench import p2_throughput

        return p2_throughput.run(quick)
    if name == "P3":
        from bench import p3_reminders

        return p3_reminders.run(quick, root)
    if name == "P4":
        from bench import p4_digest

        return asyncio.run(p4_digest.run(quick))
    if name == "P6":
        from bench import p6_ocr

        return asyncio.run(p6_ocr.run(quick))
    if name == "P7":
        from bench import p7_instances

        return p7_instances.run(quick)
    from bench import p5_memory

    return p5_memory.run(quick, root)


def main(argv: list[str] | None = None) -> int:
    """Run the chosen parts in order and report."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller runs (about a minute)")
    parser.add_argument("--only", default=",".join(PARTS), help="comma-separated: P1,P2,...")
    parser.add_argument("--out", type=Path, help="JSON file (default bench/results/latest.json)")
    args = parser.parse_args(argv)
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    wanted = [p.strip().upper() for p in args.only.split(",") if p.strip()]
    out = args.out or RESULTS / (
        "latest.json"
        if wanted == list(PARTS) and not args.quick
        else f"run-{'quick-' if args.quick else ''}{'-'.join(wanted)}.json"
    )
    results: list[Result] = []
    started = time.perf_counter()
    scratch = tempfile.TemporaryDirectory(prefix="pto-bench-")  # seeded databases, shared
    root = Path(scratch.name)
    for part in wanted:
        if part not in PARTS:
            parser.error(f"unknown part {part}; choose from {', '.join(PARTS)}")
        print(f"== {part} ...", file=sys.stderr, flush=True)
        begun = time.perf_counter()
        try:
            results += _run_part(part, args.quick, root)
        except Exception as exc:  # one broken part must not hide the others
            traceback.print_exc()
            results.append(
                Result(part, f"{part} failed", None, "", met=False, note=f"error: {exc!r}"[:200])
            )
        print(f"   {part} took {time.perf_counter() - begun:.1f} s", file=sys.stderr, flush=True)
    scratch.cleanup()
    info = machine()
    info["total_seconds"] = round(time.perf_counter() - started, 1)
    print(table(results, info))
    save(results, info, out, {"quick": args.quick, "only": wanted})
    print(f"\nsaved {out.relative_to(Path.cwd()) if out.is_relative_to(Path.cwd()) else out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
