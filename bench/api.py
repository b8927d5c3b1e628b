"""Benchmark: the REST API under load, 50 concurrent clients from separate processes against `shopmine serve`.

Protocol
--------
A simulated shop (``--customers`` customers, ``--products`` products, 365 days, seed 0) is ingested into a
workspace under ``bench/.cache``; its segments, recommendations and a customer-level risk model (the
behaviour features of the segments run, labelled by the simulator's churn truth, as tests/api does) are saved
as runs, and an API key is made. A real ``shopmine serve --workers W`` (uvicorn) is started on 127.0.0.1.
``--clients`` processes (multiprocessing, one httpx client each, keep-alive; or, with ``--processes P``, the
clients as asyncio tasks spread over P processes, as locust runs many users per process) then send requests
back to back for ``--seconds`` seconds, alternating

- ``GET /v1/customers/{id}/recommendations?k=10`` for a random known customer, and
- ``POST /v1/risk/scores`` with one customer's feature row,

after a warm-up request each. Every request's latency (client side, send to last byte) and status are
recorded; an error is a status other than 200 or a transport error. Clients and server share the machine's
cores, so the figures are those of this whole set-up, not of the server alone: back to back, 50 clients
measure the throughput the set-up reaches (and, by Little's law, latency = clients / throughput); paced
(``--rate``), the latency at a given load; the same total rate from fewer processes (``--clients 10
--rate 10``) tells the server's tail from the 50 client processes' own waits for a core.
``--first-requests`` measures instead what loading costs a request: a server started with ``--no-warm`` and
one with ``--warm`` (the default), each timed until it answers and for its first recommendation and risk
score, then asked for a risk score every 50 ms while a new risk training run is saved: the slowest answer
until 2 s after the first answer from the new run, and when that came.
Run: ``.venv/bin/python bench/api.py [--clients 50 --seconds 30 --workers 2]`` or ``bench/api.py
--first-requests``. Prints a table and writes ``bench/results/api.json``.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import random
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".cache" / "api"
RESULTS = HERE / "results"
# The tests' real-server helper and customer risk table are reused, not copied.
sys.path.insert(0, str(HERE.parent / "tests"))


def prepare(customers: int, products: int) -> tuple[Path, str, list[str], list[dict]]:
    """The workspace (built once, kept in bench/.cache), a fresh key, known customer ids, feature rows."""
    from api.shop import customer_risk_table

    from shopmine.api.keys import KeyStore
    from shopmine.ingest import IngestOptions
    from shopmine.runs import latest_run
    from shopmine.shop import Shop
    from shopmine.simulate import simulate_shop
    from shopmine.simulate.writer import write_shop
    from shopmine.workspace import Workspace

    folder = CACHE / f"shop_{customers}_{products}"
    root = folder / "ws"
    if not (root / "runs" / "risk").is_dir():
        paths = write_shop(simulate_shop(n_customers=customers, n_products=products, n_days=365, seed=0),
                           folder / "shop", format="csv")
        with Shop(Workspace(root)) as shop:
            shop.ingest([paths["orders"]], IngestOptions(), products=[paths["products"]],
                        customers=[paths["customers"]])
            shop.segments()
            shop.recommend(customers=["C000001"], k=3)
            table = customer_risk_table(shop.workspace, paths["truth_customers"])
            shop.risk_train(table, target="churned", id_col="customer_id", folds=3)
    workspace = Workspace(root, create=False)
    key = KeyStore(workspace.secret_dir).create(f"bench-{os.getpid()}-{int(time.time())}")
    features = latest_run(workspace, "segments").result.tables["behaviour_features"]
    recommend = latest_run(workspace, "recommend")
    workspace.close()
    ids = features["customer_id"].astype(str).tolist()
    rows = json.loads(features.drop(columns="customer_id").head(500).to_json(orient="records"))
    assert recommend is not None
    return root, key, ids, rows


def client(url: str, key: str, ids: list[str], rows: list[dict], seconds: float, seed: int, rate: float, conn):
    """One client process: from ``start`` for ``seconds``, requests back to back (``rate`` 0) or ``rate`` per
    second on a fixed schedule (a late request is sent at once, never skipped); sends (kind, ms, ok) per
    request back on ``conn``. The start time comes from the parent once every client is warmed up."""
    import httpx

    rng = random.Random(seed)
    out = []
    with httpx.Client(base_url=url, headers={"X-API-Key": key}, timeout=30) as http:
        # Warm-up: the connection is open and each worker has loaded the models before the clock starts.
        for _ in range(4):
            http.get(f"/v1/customers/{ids[0]}/recommendations")
            http.post("/v1/risk/scores", json={"rows": [rows[0]]})
        conn.send("ready")
        start = conn.recv()
        time.sleep(max(0.0, start - time.time()))
        end, turn, sent = start + seconds, seed % 2, 0
        offset = rng.random() / rate if rate else 0.0  # clients spread over the first interval
        while time.time() < end:
            if rate:
                due = start + offset + sent / rate
                if due > end:
                    break
                time.sleep(max(0.0, due - time.time()))
            sent += 1
            turn ^= 1
            t0 = time.perf_counter()
            try:
                if turn:
                    answer = http.get(f"/v1/customers/{rng.choice(ids)}/recommendations", params={"k": 10})
                else:
                    answer = http.post("/v1/risk/scores", json={"rows": [rng.choice(rows)]})
                ok = answer.status_code == 200
            except httpx.HTTPError:
                ok = False
            out.append(("recommendations" if turn else "risk_score", (time.perf_counter() - t0) * 1000, ok))
    conn.send(out)


def client_group(url: str, key: str, ids: list[str], rows: list[dict], seconds: float, seeds: list[int],
                 rate: float, conn):
    """Several clients in one process, as asyncio tasks with an httpx.AsyncClient (its own connection) each,
    as locust runs many users per process: the same requests and schedule as :func:`client`, without one
    Python process per client competing for the cores with the server."""
    import asyncio

    import httpx

    async def one(seed: int, start_at: asyncio.Future, ready: asyncio.Event, warmed: list) -> list:
        rng = random.Random(seed)
        out = []
        async with httpx.AsyncClient(base_url=url, headers={"X-API-Key": key}, timeout=30) as http:
            for _ in range(4):
                await http.get(f"/v1/customers/{ids[0]}/recommendations")
                await http.post("/v1/risk/scores", json={"rows": [rows[0]]})
            warmed.append(seed)
            if len(warmed) == len(seeds):
                ready.set()
            start = await start_at
            await asyncio.sleep(max(0.0, start - time.time()))
            end, turn, sent = start + seconds, seed % 2, 0
            offset = rng.random() / rate if rate else 0.0
            while time.time() < end:
                if rate:
                    due = start + offset + sent / rate
                    if due > end:
                        break
                    await asyncio.sleep(max(0.0, due - time.time()))
                sent += 1
                turn ^= 1
                t0 = time.perf_counter()
                try:
                    if turn:
                        answer = await http.get(f"/v1/customers/{rng.choice(ids)}/recommendations",
                                                params={"k": 10})
                    else:
                        answer = await http.post("/v1/risk/scores", json={"rows": [rng.choice(rows)]})
                    ok = answer.status_code == 200
                except httpx.HTTPError:
                    ok = False
                out.append(("recommendations" if turn else "risk_score", (time.perf_counter() - t0) * 1000, ok))
        return out

    async def run() -> list:
        loop = asyncio.get_running_loop()
        start_at, ready, warmed = loop.create_future(), asyncio.Event(), []
        tasks = [asyncio.create_task(one(seed, start_at, ready, warmed)) for seed in seeds]
        await ready.wait()
        conn.send("ready")
        start_at.set_result(await loop.run_in_executor(None, conn.recv))
        return [sample for part in await asyncio.gather(*tasks) for sample in part]

    conn.send(asyncio.run(run()))


def summarise(samples: list[tuple[str, float, bool]], seconds: float) -> list[dict]:
    rows = []
    for kind in ("recommendations", "risk_score", "all"):
        picked = [s for s in samples if kind == "all" or s[0] == kind]
        ms = np.array([s[1] for s in picked])
        rows.append({"route": kind, "requests": len(picked), "throughput_rps": round(len(picked) / seconds, 1),
                     "p50_ms": round(float(np.percentile(ms, 50)), 2),
                     "p90_ms": round(float(np.percentile(ms, 90)), 2),
                     "p99_ms": round(float(np.percentile(ms, 99)), 2),
                     "max_ms": round(float(ms.max()), 2), "errors": sum(not s[2] for s in picked)})
    return rows


def first_requests(root: Path, key: str, ids: list[str], rows: list[dict], warm: bool) -> dict:
    """One server, warmed or not: how long until it answers, its first recommendation and risk score (asked
    2 s after it answers, as a client's first request comes a little after a restart); then, while one client asks for a risk score every 50 ms, a new risk training run is saved (the
    same customer table, 4 folds): the slowest answer from the save until 2 s after the first answer from the
    new run, and how long after the save the new run answered."""
    import threading

    import httpx
    from api.server import Server
    from api.shop import customer_risk_table

    from shopmine.shop import Shop
    from shopmine.workspace import Workspace

    started = time.perf_counter()
    server = Server(root, "--warm" if warm else "--no-warm")
    out = {"warm": warm, "ready_s": round(time.perf_counter() - started, 2)}
    time.sleep(2.0)
    try:
        with httpx.Client(base_url=server.url, headers={"X-API-Key": key}, timeout=120) as http:
            for name, ask in (("first_recommendations_ms", lambda: http.get(f"/v1/customers/{ids[0]}/recommendations")),
                              ("first_risk_score_ms", lambda: http.post("/v1/risk/scores", json={"rows": [rows[0]]}))):
                t0 = time.perf_counter()
                assert ask().status_code == 200
                out[name] = round((time.perf_counter() - t0) * 1000, 1)
            before = http.post("/v1/risk/scores", json={"rows": [rows[0]]}).json()["run"]["id"]
            samples, stop = [], threading.Event()

            def ask_every_50_ms():
                with httpx.Client(base_url=server.url, headers={"X-API-Key": key}, timeout=120) as client:
                    while not stop.is_set():
                        t0 = time.perf_counter()
                        answer = client.post("/v1/risk/scores", json={"rows": [rows[1]]})
                        samples.append((time.perf_counter(), (time.perf_counter() - t0) * 1000,
                                        answer.json()["run"]["id"] if answer.status_code == 200 else None))
                        time.sleep(0.05)
            asker = threading.Thread(target=ask_every_50_ms)
            asker.start()
            try:
                with Shop(Workspace(root, create=False)) as shop:
                    table = customer_risk_table(shop.workspace, root.parent / "shop" / "truth_customers.parquet")
                    new = shop.risk_train(table, target="churned", id_col="customer_id", folds=4).run_id
                saved = time.perf_counter()
                deadline = saved + 120
                while time.perf_counter() < deadline and not any(s[2] == new for s in samples):
                    time.sleep(0.05)
                first_new = next((s[0] for s in samples if s[2] == new), None)
                time.sleep(2.0)
            finally:
                stop.set()
                asker.join()
        window = [s for s in samples if s[0] >= saved and (first_new is None or s[0] <= first_new + 2.0)]
        out.update(new_run_served_after_s=None if first_new is None else round(first_new - saved, 2),
                   slowest_answer_after_save_ms=round(max(s[1] for s in window), 1),
                   answers_after_save=len(window), errors=sum(s[2] is None for s in samples),
                   old_run=before, new_run=new)
    finally:
        server.stop()
    return out


def main_first_requests(args) -> None:
    root, key, ids, rows = prepare(args.customers, args.products)
    load_before = os.getloadavg()[0]
    results = [first_requests(root, key, ids, rows, warm) for warm in (False, True)]
    print(f"first requests, shopmine serve --workers 1, {args.customers:,} customers / {args.products:,} products "
          f"(load average {load_before:.1f} before)")
    columns = ["warm", "ready_s", "first_recommendations_ms", "first_risk_score_ms", "new_run_served_after_s",
               "slowest_answer_after_save_ms", "answers_after_save", "errors"]
    print("".join(f"{c:>16}" if i else f"{c:<6}" for i, c in enumerate(["warm", "ready s", "1st recs ms",
                                                                       "1st risk ms", "new run after s",
                                                                       "slowest ms", "answers", "errors"])))
    for row in results:
        print("".join(f"{str(row[c]):>16}" if i else f"{str(row[c]):<6}" for i, c in enumerate(columns)))
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / "api.json"
    saved = json.loads(path.read_text()) if path.exists() else {"target": "p99 under 50 ms, 0 errors", "runs": {}}
    saved["first_requests"] = {"command": "bench/api.py " + " ".join(sys.argv[1:]), "customers": args.customers,
                               "products": args.products,
                               "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                                           "load_average_1m_before": load_before,
                                           "load_average_1m_at_end": os.getloadavg()[0]},
                               "results": results}
    path.write_text(json.dumps(saved, indent=2) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--customers", type=int, default=5000)
    parser.add_argument("--products", type=int, default=500)
    parser.add_argument("--rate", type=float, default=0.0, help="Requests per second per client (0: back to back).")
    parser.add_argument("--processes", type=int, default=0,
                        help="Client processes, the clients spread over them as asyncio tasks (0: one per client).")
    parser.add_argument("--first-requests", action="store_true",
                        help="Instead of the load test: the first answers of a server started with and without "
                             "--warm, and the answers while a new risk run is saved.")
    args = parser.parse_args()
    if args.first_requests:
        main_first_requests(args)
        return
    from api.server import Server

    root, key, ids, rows = prepare(args.customers, args.products)
    load_before = os.getloadavg()[0]  # the machine is shared: its load says how far the figures are the server's
    server = Server(root, "--workers", str(args.workers))
    try:
        context = mp.get_context("spawn")
        pipes, processes = [], []
        if args.processes:  # the clients as asyncio tasks in a few processes
            groups = [list(range(args.clients))[i::args.processes] for i in range(args.processes)]
            for seeds in groups:
                ours, theirs = context.Pipe()
                process = context.Process(target=client_group, args=(server.url, key, ids, rows, args.seconds,
                                                                      seeds, args.rate, theirs))
                process.start()
                pipes.append(ours)
                processes.append(process)
        for i in range(0 if args.processes else args.clients):  # one process per client, warmed up first
            ours, theirs = context.Pipe()
            process = context.Process(target=client, args=(server.url, key, ids, rows, args.seconds, i,
                                                            args.rate, theirs))
            process.start()
            pipes.append(ours)
            processes.append(process)
        for pipe in pipes:
            assert pipe.recv() == "ready"
        start = time.time() + 1.0
        for pipe in pipes:
            pipe.send(start)
        parts = [pipe.recv() for pipe in pipes]
        for process in processes:
            process.join()
    finally:
        server.stop()
    samples = [s for part in parts for s in part]
    table = summarise(samples, args.seconds)
    pace = f"{args.rate:g} req/s each" if args.rate else "back to back"
    spread = f" in {args.processes} processes" if args.processes else " (a process each)"
    print(f"{args.clients} clients{spread} ({pace}) x {args.seconds:g} s, shopmine serve --workers {args.workers}, "
          f"{args.customers:,} customers / {args.products:,} products")
    print(f"{'route':<16}{'requests':>10}{'req/s':>9}{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}{'max ms':>9}"
          f"{'errors':>8}")
    for row in table:
        print(f"{row['route']:<16}{row['requests']:>10,}{row['throughput_rps']:>9}{row['p50_ms']:>9}"
              f"{row['p90_ms']:>9}"
              f"{row['p99_ms']:>9}{row['max_ms']:>9}{row['errors']:>8}")
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / "api.json"
    # One entry per load shape (back to back, or a paced rate), so that both runs are kept side by side.
    runs = json.loads(path.read_text()).get("runs", {}) if path.exists() else {}
    runs[f"{args.clients}_clients_" + (f"{args.rate:g}_per_s_each" if args.rate else "back_to_back")
         + (f"_in_{args.processes}_processes" if args.processes else "")] = {
        "command": "bench/api.py " + " ".join(sys.argv[1:]), "clients": args.clients, "seconds": args.seconds,
        "processes": args.processes or args.clients,
        "rate_per_client": args.rate, "workers": args.workers, "customers": args.customers,
        "products": args.products, "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                                               "load_average_1m_before": load_before,
                                               "load_average_1m_at_end": os.getloadavg()[0]},
        "results": table}
    kept = json.loads(path.read_text()) if path.exists() else {}  # the first-requests figures stay
    path.write_text(json.dumps({**kept, "target": "p99 under 50 ms, 0 errors", "runs": runs}, indent=2) + "\n")

if __name__ == "__main__":
    main()
