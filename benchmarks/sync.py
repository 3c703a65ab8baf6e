"""First and no-change sync against a local FreshRSS, next to the server's bare API listing.

Serves ``--feeds`` feeds of ``--per-feed`` items from the test HTTP server, has a real FreshRSS
(../shared/servers, PHP's built-in server, SQLite) subscribe to them and fetch them, then:

1. baseline: a bare ``httpx`` client lists the same ids and fetches the same item contents
   the sync will (the server's own cost, no Warta work);
2. Warta's first sync, in a child process (``warta sync``'s code path), reporting wall time,
   its peak RSS (the Warta process; the parse worker's separately) and requests per endpoint;
3. a no-change sync: requests per endpoint and wall time;
4. ``j``/``k`` in the real app on a terminal while it runs a first sync, against the same keys
   idle (benchmarks/keys.py's loop, which its ``sync`` figures use too).

    python benchmarks/sync.py [--feeds 50] [--per-feed 100] [--smoke]

Targets (issue #14): first sync of 5,000 items in 50 feeds ≤ 150 MB RSS; a no-change sync
≤ 3 requests per stream kind and well under a second. --smoke (3 feeds × 10) checks that the
figures are produced, not their values.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from tests.server import TestServer  # noqa: E402
from tests.sync.freshrss import FreshRSS, subscribed, unpack, why_not_available  # noqa: E402

CHILD = textwrap.dedent("""
    import asyncio, json, resource, sys, time
    sys.path.insert(0, {root!r})
    from pathlib import Path
    from tui.core.config import load_config
    from tui.core.library import Library

    config = load_config(sys.argv[1])
    library = Library.open(config, Path(sys.argv[2]))  # journals for the [sync] server

    async def main():
        async with library.network() as network:
            syncer = network.syncer()
            started = time.perf_counter()
            try:
                report = await syncer.run()
            finally:
                await syncer.backend.aclose()
            return report, time.perf_counter() - started, dict(syncer.backend.http.requests), \\
                syncer.backend.http.bytes_received

    report, seconds, requests, received = asyncio.run(main())
    library.close()
    print(json.dumps({{"seconds": seconds, "new": report.new_articles, "requests": requests,
                      "bytes": received, "summary": report.describe(),
                      "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      "children_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}}))
""")


def bare_listing(base: str, user: str, password: str) -> tuple[float, int, int]:
    """The server's own cost for what a first sync asks: login, ids, contents. No Warta."""
    started = time.perf_counter()
    with httpx.Client(base_url=base, timeout=120) as http:
        auth = next(line[5:] for line in http.post("/accounts/ClientLogin", data={
            "Email": user, "Passwd": password}).text.splitlines() if line.startswith("Auth="))
        http.headers["Authorization"] = f"GoogleLogin auth={auth}"
        ids = [ref["id"] for ref in http.get("/reader/api/0/stream/items/ids", params={
            "s": "user/-/state/com.google/reading-list", "n": 10000, "output": "json"}).json()["itemRefs"]]
        received = 0
        for start in range(0, len(ids), 250):
            response = http.post("/reader/api/0/stream/items/contents", params={"output": "json"},
                                 data={"i": [f"tag:google.com,2005:reader/item/{int(i):016x}"
                                             for i in ids[start:start + 250]]})
            received += len(response.content)
    return time.perf_counter() - started, len(ids), received


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=50)
    parser.add_argument("--per-feed", type=int, default=100)
    parser.add_argument("--smoke", action="store_true", help="3 feeds × 10 items: figures, not targets")
    args = parser.parse_args()
    if args.smoke:
        args.feeds, args.per_feed = 3, 10
    reason = why_not_available()
    if reason:
        print(f"sync benchmark: cannot run a local FreshRSS: {reason}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="warta-bench-sync-") as tmp:
        work = Path(tmp)
        server = TestServer().start()
        fresh = FreshRSS(unpack(work)).install().start()
        try:
            return run(args, work, server, fresh)
        finally:
            fresh.stop()
            server.stop()


def run(args: argparse.Namespace, work: Path, server: TestServer, fresh: FreshRSS) -> int:
    started = time.perf_counter()
    user, config = subscribed(work, server, fresh, args.feeds, args.per_feed)
    print(f"FreshRSS fetched {args.feeds} feeds in {time.perf_counter() - started:.1f} s")

    bare_s, listed, bare_bytes = bare_listing(fresh.url("/api/greader.php"), user.name,
                                              user.api_password)
    print(f"baseline  bare API listing: {listed:,} ids + contents in {bare_s:.2f} s "
          f"({bare_bytes / 2**20:.1f} MB)")
    env = {**os.environ, "WARTA_BENCH_SYNC_PASSWORD": user.api_password}
    data = work / "data"

    def child() -> dict[str, object]:
        done = subprocess.run([sys.executable, "-c", CHILD.format(root=str(ROOT)), str(config), str(data)],
                              capture_output=True, text=True, env=env, check=False, timeout=3600)
        if done.returncode != 0:
            raise SystemExit(f"sync failed: {done.stderr[-2000:]}")
        return json.loads(done.stdout.strip().splitlines()[-1])

    first = child()
    print(f"first     sync: {first['new']:,} new articles in {first['seconds']:.2f} s "
          f"= {first['seconds'] / bare_s:.1f}x the bare listing; peak RSS {first['rss_mb']:.0f} MB "
          f"(parse worker {first['children_rss_mb']:.0f} MB); {sum(first['requests'].values())} requests "
          f"({first['bytes'] / 2**20:.1f} MB)")
    again = child()
    requests = again["requests"]
    worst = max(requests.values())
    print(f"no-change sync: {again['seconds']:.3f} s, {sum(requests.values())} requests "
          f"({', '.join(f'{k} {v}' for k, v in sorted(requests.items()))}); "
          f"at most {worst} per endpoint; {again['bytes'] / 1024:.0f} KB")
    from keys import environment, keys_during_syncs, ms, spread  # benchmarks/keys.py

    keys = keys_during_syncs(work / "keys", config, {**environment(work), **env}, 4 if args.smoke else 20,
                             1 if args.smoke else 20)
    print(f"app       j/k in a terminal while a first sync runs: {spread(keys.during)}, "
          f"{keys.lost} lost; idle baseline, same app: {spread(keys.idle)}; "
          f"sync(s) of {', '.join(f'{t:.1f}' for t in keys.took)} s")
    print(f"targets: RSS ≤ 150 MB: {'met' if first['rss_mb'] <= 150 else 'NOT met'}; "
          f"≤ 3 requests per stream kind: {'met' if worst <= 3 else 'NOT met'}; "
          f"no-change sync under 1 s: {'met' if again['seconds'] < 1 else 'NOT met'}; "
          f"key press during sync ≤ 16 ms median: "
          f"{'met' if keys.during and ms(keys.during) <= 16 and not keys.lost else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
