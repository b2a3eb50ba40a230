#!/usr/bin/env python3
"""Drill: a bounded soak of mixed reads and writes at a steady rate, memory and latency sampled each minute.

Creates jobs through the API, then for --minutes keeps a steady rate of public status reads (page and API)
and step moves (each job walks a legal history), sampling the portal's resident memory and per-minute
latency percentiles. Passes when nothing answered an error and memory shows no growth trend (the last
third's median within 15 % of the second third's). Loopback only; stops by itself.

Usage: tests/drills/soak.py [--minutes 10] [--rate 40] [--jobs 2000]
"""
import argparse, statistics, sys, threading, time
from drillkit import Cluster, Portal, http

SCRIPT = [("DOB", "INTAKE", "InReview"), ("DOB", "INTAKE", "Approved"), ("DOB", "PLAN", "InReview"), ("FDNY", "SPRINKLER", "InReview"),
          ("DEP", "BACKFLOW", "Approved"), ("DOB", "PLAN", "Approved"), ("FDNY", "SPRINKLER", "Approved"), ("DOB", "PERMIT", "InReview"),
          ("DOB", "PERMIT", "Approved")]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, default=10)
    ap.add_argument("--rate", type=float, default=40, help="requests per second, reads and writes together")
    ap.add_argument("--jobs", type=int, default=2000)
    args = ap.parse_args()
    cluster = Cluster()
    portal = None
    try:
        portal = Portal(cluster)
        for i in range(args.jobs):
            code, _, body = http("POST", f"{portal.base}/api/v1/jobs", {"jobNumber": f"SOAK-{i}", "permitType": "A2", "submittedAt": "2026-01-05T09:00:00-05:00",
                                                                       "address": {"houseNumber": str(i), "street": "Court Street", "borough": "Brooklyn"}},
                                 {"X-Api-Key": portal.keys["intake"]})
            assert code == 201, body
        progress = [0] * args.jobs
        samples, errors, lock = [], {}, threading.Lock()
        end = time.time() + args.minutes * 60
        minute_lat, minute = [], [0]

        def one(n):
            job = n % args.jobs
            if n % 4 == 3 and progress[job] < len(SCRIPT):  # one in four is a write
                agency, step, status = SCRIPT[progress[job]]
                progress[job] += 1
                return http("POST", f"{portal.base}/api/v1/jobs/SOAK-{job}/steps/{step}/events",
                            {"status": status, "occurredAt": f"2026-02-{progress[job]:02d}T10:00:00-05:00", "actor": "soak"}, {"X-Api-Key": portal.keys[agency]})[0]
            path = f"/jobs/SOAK-{job}" if n % 2 else f"/api/v1/jobs/SOAK-{job}"
            return http("GET", portal.base + path)[0]

        def worker(offset, stride):
            n = offset
            interval = stride / args.rate
            next_at = time.time()
            while time.time() < end:
                t0 = time.time()
                code = one(n)
                latency = time.time() - t0
                with lock:
                    minute_lat.append(latency)
                    if code not in (200, 201):
                        errors[code] = errors.get(code, 0) + 1
                n += stride
                next_at += interval
                time.sleep(max(0, next_at - time.time()))

        threads = [threading.Thread(target=worker, args=(k, 8)) for k in range(8)]
        for t in threads: t.start()
        started = time.time()
        while time.time() < end:
            time.sleep(min(60, max(0, end - time.time())))
            with lock:
                lat = sorted(minute_lat)
                minute_lat.clear()
            if lat:
                samples.append((round((time.time() - started) / 60, 1), len(lat), portal.rss_mib(), lat[len(lat) // 2] * 1000, lat[int(len(lat) * 0.99)] * 1000))
        for t in threads: t.join()

        print("| minute | requests | RSS MiB | p50 ms | p99 ms |\n| --- | --- | --- | --- | --- |")
        for m, n, rss, p50, p99 in samples:
            print(f"| {m} | {n} | {rss:.0f} | {p50:.1f} | {p99:.1f} |")
        thirds = max(1, len(samples) // 3)
        middle = statistics.median(s[2] for s in samples[thirds:2 * thirds] or samples)
        last = statistics.median(s[2] for s in samples[-thirds:])
        growth = (last - middle) / middle * 100 if middle else 0
        print(f"\nerrors: {errors or 'none'}; memory, last third vs middle third: {growth:+.1f} %")
        return 0 if not errors and growth < 15 else 1
    finally:
        if portal: portal.stop()
        cluster.remove()


if __name__ == "__main__":
    sys.exit(main())
