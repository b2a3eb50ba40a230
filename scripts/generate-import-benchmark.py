#!/usr/bin/env python3
"""Writes N rows shaped like the NYC permit-timeline export (docs/benchmarks.md): the real rows of
combined_data.csv repeated with fresh job numbers and their dates shifted by whole weeks, so the mix of
date formats, empty (open) steps and quirky rows is the real one.
usage: scripts/generate-import-benchmark.py N OUT.csv [SOURCE.csv]"""
import csv, sys, datetime, random

n, out = int(sys.argv[1]), sys.argv[2]
source = sys.argv[3] if len(sys.argv) > 3 else "/work/shared/data/real/nyc-dob-nb-permit-timelines/combined_data.csv"
rows = list(csv.DictReader(open(source, newline="")))
fields = list(rows[0].keys())
date_cols = ["Filing Date", "Issuance Date", "Expiration Date", "Job Start Date", "DOBRunDate", "Certificate Date", "Application Date"]
formats = ["%Y-%m-%d", "%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y"]
today = datetime.datetime.now()

def shift(value, weeks):
    for f in formats:
        try:
            d = datetime.datetime.strptime(value, f) - datetime.timedelta(weeks=weeks)
            return d.strftime(f) if d < today else value
        except ValueError:
            pass
    return value

rng = random.Random(42)
with open(out, "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=fields)
    w.writeheader()
    for i in range(n):
        r = dict(rows[i % len(rows)])
        weeks = rng.randint(0, 300)
        for c in date_cols:
            if r.get(c):
                r[c] = shift(r[c], weeks)
        r["Job #"] = f"{900000000 + i}.0"
        w.writerow(r)
