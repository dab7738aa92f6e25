"""P7: 1, 2 and 3 `ptobot run` instances in webhook mode on one PostgreSQL, the same flood.

The machinery is the three-instance test's (`tests/e2e/flood.py`): a caseload seeded in SQLite
and moved to PostgreSQL with `ptobot copy-db` once (each round gets a copy of that database,
`CREATE DATABASE … TEMPLATE`), a coach push to every participant due at start, and per chat the
declaration steps typed twice over (20 updates), posted round-robin over the instances' webhook
ports with the secret token header, each chat's next update after the answer to its previous
one, chats side by side. The fake Bot API and the poster run in this process.

Measured per round: updates per second (first post to last answer), p95 of post-to-answer
(the update handled and its replies sent), and the checks: every update answered 200 and
recorded once, every chat's replies exactly the expected ones in order, every push delivered
once, no sweep tick run on two instances; the CPU each instance, the PostgreSQL server and this
process (the poster and the fake) used meanwhile. Three rounds of 1, 2, 3 instances alternating
(one with --quick), the median round of each count. The server, the instances and the poster
share the machine's cores, so more instances than cores measures contention, not scaling.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import Result
from bench.p2_throughput import SendClock
from bench.proc import cpu_seconds
from tests.e2e.fakebotapi import FakeBotApi
from tests.e2e.flood import (
    Instances,
    add_coach_push,
    check,
    post_all,
    prepare,
    wait_for_pushes,
)
from tests.e2e.harness import TOKEN
from tests.pg_cluster import cluster, create_database, postgres_rows, unavailable_reason

COUNTS = (1, 2, 3)


def _server_cpu(admin: str) -> float:
    """CPU seconds of the PostgreSQL server so far: the postmaster with the children it reaped,
    and those still running (each instance's pooled connections)."""
    (row,) = postgres_rows(
        admin, "SELECT pid FROM pg_stat_activity WHERE backend_type = 'checkpointer'"
    )
    main = int(Path(f"/proc/{row[0]}/stat").read_text().rsplit(")", 1)[1].split()[1])
    fields = Path(f"/proc/{main}/stat").read_text().rsplit(")", 1)[1].split()
    total = sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")  # with reaped ones
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and entry.name != str(main):
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if stat[1] == str(main):
                total += cpu_seconds(int(entry.name))
    return total


def _round(root: Path, admin: str, flood: Any, n: int, k: int) -> dict[str, Any]:
    url = create_database(admin, f"p7_{n}_{k}", template="p7_template")
    add_coach_push(url, flood)
    work = root / f"round-{n}-{k}"
    work.mkdir()
    with FakeBotApi(token=TOKEN).run_in_thread() as server:
        sent = SendClock(server)
        instances = Instances(work, server, url, n)
        try:
            instances.start()
            instances.wait_settled()
            time.sleep(1.0)  # the last start-up sweep ends
            cpu = [cpu_seconds(pid) for pid in instances.pids()]
            own, server_cpu = time.process_time(), _server_cpu(admin)
            posted = asyncio.run(post_all(flood.updates, instances.ports))
            own, server_cpu = time.process_time() - own, _server_cpu(admin) - server_cpu
            cpu = [
                cpu_seconds(pid) - before
                for pid, before in zip(instances.pids(), cpu, strict=True)
            ]
            pushes = wait_for_pushes(url)
        finally:
            codes = instances.stop()
        logs = instances.collect()
    checked = check(flood, sent, url, logs)
    updates = len(flood.updates)
    return {
        "instances": n,
        "updates": updates,
        "chats": len(flood.want),
        "seconds": round(posted.seconds, 2),
        "per_second": updates / posted.seconds,
        "p95_seconds": round(posted.p95(), 3),
        "instance_cpu_share_of_one_core": [round(c / posted.seconds, 2) for c in cpu],
        "poster_and_fake_cpu_share_of_one_core": round(own / posted.seconds, 2),
        "postgres_cpu_share_of_one_core": round(server_cpu / posted.seconds, 2),
        "answered_200": posted.statuses.get(200, 0),
        "handled_once": checked.handled == updates,
        "order_kept": not checked.chats_wrong,
        "chats_wrong": len(checked.chats_wrong),
        "pushes": pushes,
        "pushes_once": not checked.pushes_wrong,
        "ticks_twice": len(checked.ticks_twice),
        "clean_stop": codes == [0] * n,
        "errors_in_logs": logs.count("Traceback"),
    }


def _median(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The round with the median rate, every round's rate, and whether all rounds' checks held."""
    ordered = sorted(runs, key=lambda r: r["per_second"])
    middle = dict(ordered[len(ordered) // 2])
    middle["rounds_per_second"] = [round(r["per_second"]) for r in runs]
    middle["all_rounds_ok"] = all(_ok(r) for r in runs)
    return middle


def _ok(r: dict[str, Any]) -> bool:
    return bool(
        r["answered_200"] == r["updates"]
        and r["handled_once"]
        and r["order_kept"]
        and r["pushes_once"]
        and not r["ticks_twice"]
        and r["clean_stop"]
        and not r["errors_in_logs"]
    )


def run(quick: bool) -> list[Result]:
    """The same flood on 1, 2 and 3 instances."""
    reason = unavailable_reason()
    if reason:
        return [Result("P7", "instances on one PostgreSQL", None, "", note=f"skipped: {reason}")]
    chats, per_chat, repeat = (50, 20, 1) if quick else (100, 20, 3)
    runs: dict[int, list[dict[str, Any]]] = {n: [] for n in COUNTS}
    with cluster() as admin, tempfile.TemporaryDirectory(prefix="pto-bench-p7-") as tmp:
        root = Path(tmp)
        template = create_database(admin, "p7_template")
        with FakeBotApi(token=TOKEN).run_in_thread() as builder:  # only builds update JSON
            flood = prepare(root, builder, template, chats, per_chat)
        for k in range(repeat):  # alternating, as the machine's load changes
            for n in COUNTS:
                runs[n].append(_round(root, admin, flood, n, k))
    rounds = [_median(runs[n]) for n in COUNTS]
    results = []
    for r in rounds:
        note = (
            f"{r['updates']} updates ({r['chats']} chats × {per_chat}) in {r['seconds']} s; "
            f"p95 {r['p95_seconds']} s; {r['pushes']} pushes; CPU of one core: instances "
            f"{r['instance_cpu_share_of_one_core']}, PostgreSQL "
            f"{r['postgres_cpu_share_of_one_core']}, poster and fake "
            f"{r['poster_and_fake_cpu_share_of_one_core']}; rounds {r['rounds_per_second']} "
            f"upd/s; checks " + ("held in every round" if r["all_rounds_ok"] else f"FAILED {r}")
        )
        results.append(
            Result(
                f"P7{'abc'[r['instances'] - 1]}",
                f"webhook flood, {r['instances']} instance(s) on one PostgreSQL",
                r["per_second"],
                "upd/s",
                "each update once, order per chat, pushes once",
                r["all_rounds_ok"],
                note,
                extra=r,
            )
        )
    first, last = rounds[0]["per_second"], rounds[-1]["per_second"]
    results.append(
        Result(
            "P7",
            "throughput 3 instances / 1 instance, same flood",
            last / first,
            "×",
            note=f"p95 {rounds[0]['p95_seconds']} s → {rounds[-1]['p95_seconds']} s",
            met=all(r["all_rounds_ok"] for r in rounds),
        )
    )
    return results
