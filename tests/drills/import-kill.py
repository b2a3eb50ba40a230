#!/usr/bin/env python3
"""Drill: the import process killed (-9) halfway, then run again. Bounded in time, loopback only.

Starts a throwaway cluster with two databases. The generated NYC-shaped file (scripts/generate-import-benchmark.py)
is imported once, whole, into "clean". Into "killed" the same command (`import --mapping ...`, the published
program) is started and sent SIGKILL at a random point once some batches are committed, then run again to the
end. Both databases must then hold the same jobs, steps, events, attributes and read-model rows (compared by
content, not ids), with nothing doubled and one read-model row per job and per step. The same is then done for
`import-events` with an event file made from the imported jobs (`bench import-file`). Prints tables; exit code 0
when every check holds.

Usage: tests/drills/import-kill.py [--rows 20000] [--events 6000] [--seed S] [--skip-events]
"""
import argparse, os, random, re, signal, subprocess, sys, tempfile, time
from drillkit import DLL, ROOT, Cluster, bench_tool, build_and_migrate

MAPPING = f"{ROOT}/docs/mappings/nyc-dob-nb-permit-timelines.json"
DEADLINE = time.time() + 45 * 60  # the whole drill is bounded

# Content of each table by natural keys (job number, step key, sequence): ids and recording times differ between runs.
DIGESTS = {
    "jobs": "SELECT count(*) || ' ' || md5(coalesce(string_agg(concat_ws('|', job_number, job_number_key, permit_type_code, template_version, description, "
            "house_number, street, borough, zip, city, state, applicant_name, applicant_email, applicant_phone, submitted_at, withdrawn_at, withdrawal_reason, "
            "last_event_sequence, street_key), E'\\n' ORDER BY job_number), '')) FROM jobs",
    "steps": "SELECT count(*) || ' ' || md5(coalesce(string_agg(concat_ws('|', j.job_number, s.key, s.name, s.agency_code, s.depends_on::text, s.target_business_days, "
             "s.position, s.recorded_status, s.last_event_at), E'\\n' ORDER BY j.job_number, s.key), '')) FROM steps s JOIN jobs j ON j.id = s.job_id",
    "step_events": "SELECT count(*) || ' ' || md5(coalesce(string_agg(concat_ws('|', j.job_number, e.step_key, e.sequence, e.status, e.occurred_at, e.actor, e.note), "
                   "E'\\n' ORDER BY j.job_number, e.step_key, e.sequence), '')) FROM step_events e JOIN steps s ON s.id = e.step_id JOIN jobs j ON j.id = s.job_id",
    "job_attributes": "SELECT count(*) || ' ' || md5(coalesce(string_agg(concat_ws('|', j.job_number, a.source, a.attributes::text), E'\\n' ORDER BY j.job_number), '')) "
                      "FROM job_attributes a JOIN jobs j ON j.id = a.job_id",
    "job_figures": "SELECT count(*) || ' ' || md5(coalesce(string_agg(concat_ws('|', f.job_number, f.permit_type_code, f.borough, f.submitted_at, f.state, f.ended_at, "
                   "f.base_at, f.elapsed_us, f.shares_us::text, f.critical_path::text, f.tail_holder), E'\\n' ORDER BY f.job_number), '')) "
                   "FROM job_figures f",
    "step_figures": "SELECT count(*) || ' ' || md5(coalesce(string_agg(concat_ws('|', j.job_number, f.step_key, f.step_name, f.agency_code, f.position, f.status, "
                    "f.target_business_days, f.ready_at, f.finished_at, f.binding_step_key, f.blocked_by::text, f.own_done_at, f.own_work_pending, f.correction_cycles, "
                    "f.base_at, f.days_open_us, f.with_agency_us, f.with_applicant_us, f.days_blocked_us, f.waiting_us, f.waiting_attribution_us::text, "
                    "f.business_days_with_agency, f.agency_clock_running, f.applicant_clock_running, f.blocked_clock_running, f.waiting_clock_running, "
                    "f.waiting_tail_holder), E'\\n' ORDER BY j.job_number, f.step_key), '')) FROM step_figures f JOIN jobs j ON j.id = f.job_id",
}

# Each must be 0 in a consistent database.
INVARIANTS = {
    "jobs without a job_figures row, or rows without a job": "SELECT (SELECT count(*) FROM jobs j WHERE NOT EXISTS (SELECT 1 FROM job_figures f WHERE f.job_id = j.id)) "
                                                             "+ (SELECT count(*) FROM job_figures f WHERE NOT EXISTS (SELECT 1 FROM jobs j WHERE j.id = f.job_id))",
    "steps without a step_figures row, or rows without a step": "SELECT (SELECT count(*) FROM steps s WHERE NOT EXISTS (SELECT 1 FROM step_figures f WHERE f.step_id = s.id)) "
                                                                "+ (SELECT count(*) FROM step_figures f WHERE NOT EXISTS (SELECT 1 FROM steps s WHERE s.id = f.step_id))",
    "jobs without steps": "SELECT count(*) FROM jobs j WHERE NOT EXISTS (SELECT 1 FROM steps s WHERE s.job_id = j.id)",
    "doubled events (same step, status, instant, actor)": "SELECT count(*) FROM (SELECT 1 FROM step_events GROUP BY step_id, status, occurred_at, actor HAVING count(*) > 1) d",
    "jobs whose last_event_sequence is not their events' count": "SELECT count(*) FROM jobs j WHERE j.last_event_sequence <> "
                                                                 "(SELECT count(*) FROM step_events e JOIN steps s ON s.id = e.step_id WHERE s.job_id = j.id)",
    "read-model rows behind their job's latest event": "SELECT count(*) FROM job_figures f WHERE f.base_at < (SELECT max(e.occurred_at) FROM step_events e "
                                                       "JOIN steps s ON s.id = e.step_id WHERE s.job_id = f.job_id)",
}


def run(cmd, env, log):
    """Runs a command to its end; its output is kept (and returned) for the summary."""
    with open(log, "w") as out:
        p = subprocess.run(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, timeout=max(60, DEADLINE - time.time()))
    text = open(log).read()
    if p.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({p.returncode}):\n{text[-3000:]}")
    return text


def killed_midway(cmd, env, log, progress, target, extra, rng):
    """Starts cmd, waits until progress() reaches target (some batches committed), then a random 0..extra seconds more
    (to land anywhere in a later batch), and kills it with SIGKILL. Returns (seconds until the kill, progress then, exit code)."""
    started = time.time()
    with open(log, "w") as out:
        p = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)
        while p.poll() is None and progress() < target and time.time() < DEADLINE:
            time.sleep(0.2)
        pause = time.time() + rng.uniform(0, extra)
        while p.poll() is None and time.time() < pause:
            time.sleep(0.05)
        if p.poll() is None:
            p.send_signal(signal.SIGKILL)
        code = p.wait()
    return time.time() - started, progress(), code


def number(pattern, text):
    m = re.search(pattern, text)
    return int(m.group(1).replace(",", "")) if m else None


def state(cluster, db):
    return {table: cluster.sql(query, db)[0] for table, query in DIGESTS.items()}


def invariants(cluster, db):
    return {name: int(cluster.sql(query, db)[0]) for name, query in INVARIANTS.items()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=20000, help="rows in the generated file; the importer commits every 5,000")
    ap.add_argument("--events", type=int, default=6000, help="events in the import-events file (2 per job; committed every 500 jobs)")
    ap.add_argument("--seed", type=int, default=None, help="seed of the kill points (printed; give it to replay)")
    ap.add_argument("--skip-events", action="store_true")
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1_000_000)
    rng = random.Random(seed)
    cluster = Cluster()
    work = tempfile.mkdtemp(prefix="pt-import-kill-", dir="/tmp")
    rows = []  # (section, what, value)
    checks = []  # (name, ok)
    try:
        clean, killed = cluster.env("permits_clean"), cluster.env("permits_killed")
        build_and_migrate(clean)
        run([*DLL, "migrate"], killed, f"{work}/migrate.log")
        csv = f"{work}/permits.csv"
        subprocess.run([sys.executable, f"{ROOT}/scripts/generate-import-benchmark.py", str(args.rows), csv], check=True, timeout=600)
        importing = ["--mapping", MAPPING, "--rejects"]

        # One whole run: what the killed database must end up equal to.
        t = time.time()
        out = run([*DLL, "import", *importing, f"{work}/clean.rejects.csv", csv], clean, f"{work}/clean.log")
        clean_seconds, clean_jobs = time.time() - t, number(r"jobs imported\s+([\d,]+)", out)
        clean_rejects = number(r"rejected\s+([\d,]+)", out)
        rows.append(("import", "file", f"{args.rows:,} rows ({os.path.getsize(csv) / 1e6:.1f} MB), mapping nyc-dob-nb-permit-timelines"))
        rows.append(("import", "clean run", f"{clean_jobs:,} jobs imported, {clean_rejects:,} rows rejected, {clean_seconds:.1f} s"))

        # The same command, killed once some batches are committed.
        jobs_in = lambda: int(cluster.sql("SELECT count(*) FROM jobs", "permits_killed")[0])
        target = max(1, int(clean_jobs * rng.uniform(0.1, 0.5)))
        after, at_kill, code = killed_midway([*DLL, "import", *importing, f"{work}/killed.rejects.csv", csv], killed, f"{work}/killed-1.log",
                                             jobs_in, target, clean_seconds * 0.25, rng)
        half = invariants(cluster, "permits_killed")
        rows.append(("import", "killed run", f"SIGKILL after {after:.1f} s (aimed at >= {target:,} jobs committed); exit code {code}; {at_kill:,} jobs committed"))
        checks.append(("import: killed mid-import (by SIGKILL, some but not all jobs committed)", code == -signal.SIGKILL and 0 < at_kill < clean_jobs))
        checks.append(("import: after the kill, only whole batches (every job with steps and read model)", all(v == 0 for v in half.values())))

        t = time.time()
        out = run([*DLL, "import", *importing, f"{work}/killed.rejects.csv", csv], killed, f"{work}/killed-2.log")
        again, present = number(r"jobs imported\s+([\d,]+)", out), number(r"already present\s+([\d,]+)", out)
        rejected = number(r"rejected\s+([\d,]+)", out)
        rows.append(("import", "re-run", f"{again:,} jobs imported, {present:,} already present, {rejected:,} rejected, {time.time() - t:.1f} s"))
        checks.append(("import: re-run imported the rest and skipped what was committed", present == at_kill and again + present == clean_jobs))
        checks.append(("import: same rejects as the clean run", open(f"{work}/killed.rejects.csv").read() == open(f"{work}/clean.rejects.csv").read()
                       if clean_rejects else True))
        a, b = state(cluster, "permits_clean"), state(cluster, "permits_killed")
        for table in DIGESTS:
            rows.append(("import", f"{table} (clean / killed + re-run)", f"{int(a[table].split()[0]):,} / {int(b[table].split()[0]):,}"))
            checks.append((f"import: {table} equal to the clean run (count and content)", a[table] == b[table]))
        final = invariants(cluster, "permits_killed")
        for name, value in final.items():
            checks.append((f"import: {name}: {value}", value == 0))

        if not args.skip_events:
            # Events for open steps of the imported jobs, applied to both databases (equal by now).
            events = f"{work}/events.csv"
            out = run([*bench_tool(), "bench", "import-file", events, "--events", str(args.events)], clean, f"{work}/events-file.log")
            events_before = int(cluster.sql("SELECT count(*) FROM step_events", "permits_killed")[0])
            t = time.time()
            out = run([*DLL, "import-events", events], clean, f"{work}/events-clean.log")
            clean_seconds = time.time() - t
            clean_events = number(r"([\d,]+) events imported", out)
            rows.append(("import-events", "file", f"{sum(1 for _ in open(events)) - 1:,} rows for {clean_events:,} events expected"))
            refused = number(r"([\d,]+) refused", out)
            rows.append(("import-events", "clean run", f"{clean_events:,} events imported, {refused:,} refused, {time.time() - t:.1f} s"))
            events_in = lambda: int(cluster.sql("SELECT count(*) FROM step_events", "permits_killed")[0]) - events_before
            target = max(1, int(clean_events * rng.uniform(0.1, 0.5)))
            after, at_kill, code = killed_midway([*DLL, "import-events", events], killed, f"{work}/events-killed-1.log", events_in, target, clean_seconds * 0.2, rng)
            rows.append(("import-events", "killed run", f"SIGKILL after {after:.1f} s (aimed at >= {target:,} events committed); exit code {code}; {at_kill:,} events committed"))
            checks.append(("import-events: killed mid-import (by SIGKILL, some but not all events committed)", code == -signal.SIGKILL and 0 < at_kill < clean_events))
            t = time.time()
            out = run([*DLL, "import-events", events], killed, f"{work}/events-killed-2.log")
            again, present = number(r"([\d,]+) events imported", out), number(r"([\d,]+) already present", out)
            refused = number(r"([\d,]+) refused", out)
            rows.append(("import-events", "re-run", f"{again:,} events imported, {present:,} already present, {refused:,} refused, {time.time() - t:.1f} s"))
            checks.append(("import-events: re-run imported the rest, recognised what was committed, refused nothing",
                           present == at_kill and again + present == clean_events and refused == 0))
            a, b = state(cluster, "permits_clean"), state(cluster, "permits_killed")
            for table in ["jobs", "steps", "step_events", "job_figures", "step_figures"]:
                rows.append(("import-events", f"{table} (clean / killed + re-run)", f"{int(a[table].split()[0]):,} / {int(b[table].split()[0]):,}"))
                checks.append((f"import-events: {table} equal to the clean run (count and content)", a[table] == b[table]))
            for name, value in invariants(cluster, "permits_killed").items():
                checks.append((f"import-events: {name}: {value}", value == 0))

        print(f"seed {seed}; load average {open('/proc/loadavg').read().split()[:3]}\n")
        print("| part | what | value |\n| --- | --- | --- |")
        for part, what, value in rows:
            print(f"| {part} | {what} | {value} |")
        print("\n| check | result |\n| --- | --- |")
        for name, ok in checks:
            print(f"| {name} | {'PASS' if ok else 'FAIL'} |")
        return 0 if all(ok for _, ok in checks) else 1
    finally:
        cluster.remove()
        subprocess.run(["rm", "-rf", work])


if __name__ == "__main__":
    sys.exit(main())
