"""Three `ptobot run` instances in webhook mode on one PostgreSQL (issue 14's Done-when): 1,000
updates across 50 chats posted round-robin over the three (some to two instances at once, some
again afterwards to another one); each handled once, every chat's replies in the order of its
updates, every push delivered once, no sweep tick run twice."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx

from bench.p2_throughput import SendClock
from tests.e2e.fakebotapi import FakeBotApi
from tests.e2e.flood import (
    SECRET,
    Instances,
    add_coach_push,
    check,
    post_all,
    prepare,
    wait_for_pushes,
)
from tests.e2e.harness import TOKEN
from tests.pg_cluster import fresh_database

CHATS, PER_CHAT, INSTANCES = 50, 20, 3


def test_three_instances_share_one_postgres(tmp_path: Path, postgres_server: str) -> None:
    with (
        fresh_database(postgres_server) as url,
        FakeBotApi(token=TOKEN).run_in_thread() as server,
    ):
        flood = prepare(tmp_path, server, url, CHATS, PER_CHAT)
        assert len(flood.updates) == 1_000
        add_coach_push(url, flood)
        sent = SendClock(server)
        instances = Instances(tmp_path, server, url, INSTANCES)
        try:
            instances.start()
            # Every 25th update also reaches the next instance at the same moment (a delivery
            # retried while the first is being handled): handled once all the same.
            posted = asyncio.run(post_all(flood.updates, instances.ports, twice_every=25))
            # Telegram delivers again what it had no answer for: to another instance, once more.
            again = [flood.updates[k] for k in range(0, len(flood.updates), 20)]
            repeated = asyncio.run(post_all(again, instances.ports[1:] + instances.ports[:1]))
            with httpx.Client() as client:  # not from Telegram: refused, not handled
                forged = client.post(
                    f"http://127.0.0.1:{instances.ports[0]}/tg/hook",
                    json=server.send_text(flood.participants[0] + 500_000_000, "x", enqueue=False),
                    headers={"X-Telegram-Bot-Api-Secret-Token": SECRET[::-1]},
                )
            pushes = wait_for_pushes(url)
        finally:
            codes = instances.stop()
        logs = instances.collect()
        result = check(flood, sent, url, logs)
    assert posted.statuses == {200: 1_000 + 1_000 // 25}, posted.statuses
    assert repeated.statuses == {200: len(again)}
    assert forged.status_code == 403
    assert result.handled == 1_000  # once each, the re-deliveries included
    assert result.chats_wrong == []
    assert result.pushes_wrong == []
    assert pushes >= CHATS  # the coach's push to every participant, at least
    assert result.ticks_twice == []
    assert result.tick_firings["coach_pushes"] >= INSTANCES  # each instance's catch-up fired it
    assert codes == [0] * INSTANCES
    assert "Traceback" not in logs, logs[-4000:]
