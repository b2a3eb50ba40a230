#!/usr/bin/env python3
"""Drill: PostgreSQL stopped for 10 s during a write load. Bounded in time, loopback only.

Starts a throwaway cluster and the portal, creates jobs through the API, then writes step events from
several threads (each with an Idempotency-Key) while the database is stopped for 10 s and started again.
It checks: 503 with Retry-After while down (never a 500), /health/ready unhealthy while down, writes
succeed again within 5 s of the database returning, and afterwards every event answered 201 is in the
database and no other. Prints a table; exit code 0 when every check holds.

Usage: tests/drills/db-outage.py [--jobs 300] [--outage 10]
"""
import argparse, os, random, shutil, subprocess, sys, tempfile, threading, time
from drillkit import PG, ROOT, as_postgres, http


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--jobs", type=int, default=300)
    ap.add_argument("--outage", type=float, default=10)
    ap.add_argument("--threads", type=int, default=8)
    args = ap.parse_args()
    deadline = time.time() + 900  # the whole drill is bounded

    work = tempfile.mkdtemp(prefix="pt-drill-", dir="/tmp")
    os.chmod(work, 0o755)
    if os.geteuid() == 0:
        shutil.chown(work, "postgres", "postgres")
    pgport, appport = 56400 + random.randint(0, 50), 5400 + random.randint(0, 50)
    subprocess.run(as_postgres(f"{PG}/initdb", "-D", f"{work}/data", "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"),
                   check=True, stdout=subprocess.DEVNULL)
    start_pg = as_postgres(f"{PG}/pg_ctl", "-D", f"{work}/data", "-l", f"{work}/pg.log", "-w", "-o",
                           f"-p {pgport} -k {work} -c listen_addresses=127.0.0.1", "start")
    stop_pg = as_postgres(f"{PG}/pg_ctl", "-D", f"{work}/data", "-m", "immediate", "-w", "stop")
    subprocess.run(start_pg, check=True, stdout=subprocess.DEVNULL)
    env = dict(os.environ, ConnectionStrings__Permits=f"Host=127.0.0.1;Port={pgport};Username=postgres;Database=permits;Timeout=3;Command Timeout=5",
               ASPNETCORE_URLS=f"http://127.0.0.1:{appport}", Serilog__MinimumLevel__Default="Warning", Seed__DemoDataWhenEmpty="false")
    base = f"http://127.0.0.1:{appport}"
    app = None
    try:
        # run.sh builds once; the other commands run the built program directly.
        subprocess.run([f"{ROOT}/run.sh", "seed", "--jobs", "0"], env=env, check=True, stdout=subprocess.DEVNULL)
        dll = ["dotnet", f"{ROOT}/.build/web/PermitTracker.Web.dll"]
        env["ASPNETCORE_CONTENTROOT"] = f"{ROOT}/.build/web"
        keys = {}
        for who in ["intake", "DOB", "FDNY", "DEP"]:
            flag = ["--intake"] if who == "intake" else ["--agency", who]
            out = subprocess.run([*dll, "create-api-key", *flag], env=env, check=True, capture_output=True, text=True).stdout
            keys[who] = out.strip().splitlines()[-1]
        app = subprocess.Popen(dll, env=env,
                               stdout=open(f"{work}/app.log", "w"), stderr=subprocess.STDOUT)
        while http("GET", f"{base}/health/ready")[0] != 200:
            if time.time() > deadline or app.poll() is not None:
                raise SystemExit("app did not start: " + open(f"{work}/app.log").read()[-2000:])
            time.sleep(0.5)

        submitted = "2026-01-05T09:00:00-05:00"
        for i in range(args.jobs):
            s, _, b = http("POST", f"{base}/api/v1/jobs", {"jobNumber": f"DRILL-{i}", "permitType": "A2", "submittedAt": submitted,
                                                          "address": {"houseNumber": "1", "street": "Court Street"}}, {"X-Api-Key": keys["intake"]})
            assert s == 201, b
        # Each job: a legal sequence of moves; threads take jobs from a shared list.
        script = [("DOB", "INTAKE", "InReview"), ("DOB", "INTAKE", "Approved"), ("DOB", "PLAN", "InReview"), ("FDNY", "SPRINKLER", "InReview"),
                  ("DEP", "BACKFLOW", "Approved"), ("DOB", "PLAN", "Approved"), ("FDNY", "SPRINKLER", "Approved"), ("DOB", "PERMIT", "InReview"),
                  ("DOB", "PERMIT", "Approved")]
        acknowledged, statuses, lock = [], {}, threading.Lock()
        ready_while_down, first_ok_after = [], [None]
        down = {"from": None, "to": None}
        todo = list(range(args.jobs))

        def writer():
            while time.time() < deadline:
                with lock:
                    if not todo: return
                    job = todo.pop(0)
                for n, (agency, step, status) in enumerate(script):
                    at = f"2026-02-{1 + n:02d}T10:00:00-05:00"
                    while time.time() < deadline:
                        code, headers, body = http("POST", f"{base}/api/v1/jobs/DRILL-{job}/steps/{step}/events",
                                                   {"status": status, "occurredAt": at, "actor": "drill"},
                                                   {"X-Api-Key": keys[agency], "Idempotency-Key": f"drill-{job}-{n}"})
                        with lock:
                            statuses[code] = statuses.get(code, 0) + 1
                            if code == 503 and "Retry-After" not in headers: statuses["503 without Retry-After"] = statuses.get("503 without Retry-After", 0) + 1
                            if code == 201:
                                acknowledged.append((f"DRILL-{job}", step, status))
                                if down["to"] and first_ok_after[0] is None: first_ok_after[0] = time.time()
                        if code == 201: break
                        if code == 409 and "already" in body: break  # an earlier try was recorded; the retry key answers 201 normally
                        time.sleep(0.2)

        threads = [threading.Thread(target=writer) for _ in range(args.threads)]
        for t in threads: t.start()
        time.sleep(3)
        down["from"] = time.time()
        subprocess.run(stop_pg, check=True, stdout=subprocess.DEVNULL)
        while time.time() - down["from"] < args.outage:
            ready_while_down.append(http("GET", f"{base}/health/ready")[0])
            time.sleep(1)
        subprocess.run(start_pg, check=True, stdout=subprocess.DEVNULL)
        down["to"] = time.time()
        for t in threads: t.join(timeout=max(1, deadline - time.time()))

        import_check = subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(pgport), "-U", "postgres", "-d", "permits", "-At", "-c",
                                       "SELECT j.job_number || '|' || e.step_key || '|' || e.status FROM step_events e JOIN steps s ON s.id = e.step_id JOIN jobs j ON j.id = s.job_id"],
                                      capture_output=True, text=True, check=True).stdout.split()
        stored = sorted(tuple(r.split("|")) for r in import_check)
        acked = sorted(set(acknowledged))
        recovery = (first_ok_after[0] - down["to"]) if first_ok_after[0] else None
        checks = [
            ("no 5xx other than 503, no dropped connections", all(c in (201, 409, 503) for c in statuses if isinstance(c, int))),
            ("every 503 carried Retry-After", "503 without Retry-After" not in statuses),
            ("503s seen while the database was down", statuses.get(503, 0) > 0),
            ("/health/ready unhealthy while down", bool(ready_while_down) and all(c == 503 for c in ready_while_down[1:])),
            ("writes work again within 5 s", recovery is not None and recovery <= 5),
            ("every 201 is stored, and nothing else", stored == acked),
            ("events lost", len(set(acked) - set(stored)) == 0),
        ]
        print(f"| drill | value |\n| --- | --- |")
        print(f"| jobs x moves | {args.jobs} x {len(script)} = {args.jobs * len(script)} |")
        print(f"| answers by status | {', '.join(f'{k}: {v}' for k, v in sorted(statuses.items(), key=str))} |")
        print(f"| database down | {args.outage:.0f} s (pg_ctl stop -m immediate) |")
        print(f"| /health/ready while down | {ready_while_down} |")
        print(f"| first 201 after restart | {'%.2f s' % recovery if recovery is not None else 'never'} |")
        print(f"| acknowledged (201) / stored events | {len(acked)} / {len(stored)} |")
        print(f"| lost (201 but not stored) / extra (stored, never 201) | {len(set(acked) - set(stored))} / {len(set(stored) - set(acked))} |")
        for name, ok in checks:
            print(f"| check: {name} | {'PASS' if ok else 'FAIL'} |")
        return 0 if all(ok for _, ok in checks) else 1
    finally:
        if app: app.kill()
        subprocess.run(as_postgres(f"{PG}/pg_ctl", "-D", f"{work}/data", "-m", "fast", "stop"), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
