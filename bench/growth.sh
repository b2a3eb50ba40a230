#!/usr/bin/env bash
# bench/growth.sh: the growth measurements of docs/scaling.md ("Growth: 10 years on one primary").
#
#   ConnectionStrings__Permits=... bench/growth.sh            sizes, growth rate, hot-query costs
#   PARTITION_COPY=1 ... bench/growth.sh                        also copies step_events twice, partitioned (by the
#                                                               month of occurred_at, and by ranges of step_id), and
#                                                               runs the hot queries on the original and both copies,
#                                                               in alternating rounds
#
# Read-only on the portal's own tables (the move script rolls back); the copies live in the schemas growth_by_month
# and growth_by_step, which DROP_COPIES=1 removes at the end. Needs psql and pgbench (they ship with PostgreSQL).
# RUNS (3), SECONDS_PER_RUN (10), CLIENTS (4) override.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${ConnectionStrings__Permits:?set ConnectionStrings__Permits to the 1,000,000-job database (docs/benchmarks.md)}"
source scripts/postgres.sh
PATH="$(pg_bindir):$PATH"

# The Npgsql connection string as libpq's environment.
IFS=';' read -ra parts <<<"$ConnectionStrings__Permits"
for part in "${parts[@]}"; do
  key=${part%%=*}; value=${part#*=}
  case "${key,,}" in
    host|server) export PGHOST=$value ;;
    port) export PGPORT=$value ;;
    username|user\ id|userid) export PGUSER=$value ;;
    password) export PGPASSWORD=$value ;;
    database) export PGDATABASE=$value ;;
  esac
done
RUNS=${RUNS:-3} SECONDS_PER_RUN=${SECONDS_PER_RUN:-10} CLIENTS=${CLIENTS:-4}

# The query scripts: bench/growth/*.sql, and the status lookup taken from the portal's own query (JobStatusQuery.JobSql)
# so the two cannot drift; pgbench picks a random job, whose number key replaces the query's $1.
SQL_DIR=$(mktemp -d); trap 'rm -rf "$SQL_DIR"' EXIT
cp bench/growth/*.sql "$SQL_DIR/"
{
  echo '-- The public status lookup (Features/Jobs/JobStatusQuery.cs JobSql) for a random job.'
  echo '\set id random(1, 1000000)'
  sed -n '/private const string JobSql = """/,/""";/p' src/PermitTracker.Web/Features/Jobs/JobStatusQuery.cs | sed '1d;$d; s/^        //' |
    sed 's/= \$1/= (SELECT job_number_key FROM jobs WHERE id = :id)/'
  echo ';'
} >"$SQL_DIR/status.sql"
grep -q ':id' "$SQL_DIR/status.sql" || { echo "JobStatusQuery.JobSql not found or changed shape: update bench/growth.sh" >&2; exit 1; }
q() { psql -X -At -v ON_ERROR_STOP=1 -c "$1"; }

echo "## Sizes ($(q "SELECT to_char(count(*), 'FM9,999,999,999') FROM jobs") jobs, database $(q "SELECT pg_size_pretty(pg_database_size(current_database()))"))"
echo
echo "| table | rows | heap | indexes | total | bytes per job |"
echo "| --- | ---: | ---: | ---: | ---: | ---: |"
jobs=$(q "SELECT count(*) FROM jobs")
psql -X -At -F' | ' -c "
  SELECT c.relname, to_char(greatest(c.reltuples, 0), 'FM9,999,999,999'), pg_size_pretty(pg_relation_size(c.oid)),
         pg_size_pretty(pg_indexes_size(c.oid)), pg_size_pretty(pg_total_relation_size(c.oid)),
         to_char(pg_total_relation_size(c.oid)::numeric / greatest($jobs, 1), 'FM999,999')
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = 'public' AND c.relkind = 'r' AND pg_total_relation_size(c.oid) > 1048576
  ORDER BY pg_total_relation_size(c.oid) DESC" | sed 's/^/| /; s/$/ |/'
echo
echo "## Growth rate"
echo
q "SELECT format('Jobs submitted %s .. %s (%s years): %s jobs a year, %s events a year, %s bytes of database per job.',
         min(submitted_at)::date, max(submitted_at)::date, round(extract(epoch FROM max(submitted_at) - min(submitted_at)) / 31557600, 2),
         to_char(count(*) / (extract(epoch FROM max(submitted_at) - min(submitted_at)) / 31557600), 'FM9,999,999'),
         to_char((SELECT count(*) FROM step_events) / (extract(epoch FROM max(submitted_at) - min(submitted_at)) / 31557600), 'FM999,999,999'),
         to_char(pg_database_size(current_database())::numeric / count(*), 'FM999,999'))
  FROM jobs"
echo

if [ "${PARTITION_COPY:-0}" = reuse ]; then
  variants=(public growth_by_month growth_by_step)  # the copies a run with PARTITION_COPY=1 left
elif [ "${PARTITION_COPY:-0}" = 1 ]; then
  echo "## Copies of step_events, partitioned (made now)" >&2
  first_month=$(q "SELECT to_char(date_trunc('month', min(occurred_at)), 'YYYY-MM-DD') FROM step_events")
  months=$(q "SELECT (extract(year FROM age(date_trunc('month', max(occurred_at)), date_trunc('month', min(occurred_at)))) * 12
                     + extract(month FROM age(date_trunc('month', max(occurred_at)), date_trunc('month', min(occurred_at)))))::int + 1 FROM step_events")
  max_step=$(q "SELECT max(id) FROM steps")
  started=$SECONDS
  psql -X -q -v ON_ERROR_STOP=1 >/dev/null <<SQL
DROP SCHEMA IF EXISTS growth_by_month CASCADE;
DROP SCHEMA IF EXISTS growth_by_step CASCADE;
CREATE SCHEMA growth_by_month;
CREATE SCHEMA growth_by_step;
-- PostgreSQL 15 has no identity column on a partitioned table (17 has): a sequence default instead.
CREATE SEQUENCE growth_by_month.step_events_id_seq;
CREATE SEQUENCE growth_by_step.step_events_id_seq;
-- By time: every unique key must hold the partition key, so (step_id, sequence) is no longer enforceable alone.
CREATE TABLE growth_by_month.step_events (LIKE public.step_events INCLUDING DEFAULTS EXCLUDING IDENTITY) PARTITION BY RANGE (occurred_at);
ALTER TABLE growth_by_month.step_events ALTER COLUMN id SET DEFAULT nextval('growth_by_month.step_events_id_seq');
-- By step id ranges: steps are numbered as jobs are created, so in a live system a range is a period of job
-- creation (the generated city numbers its jobs in random time order, so here a range spans all three years).
CREATE TABLE growth_by_step.step_events (LIKE public.step_events INCLUDING DEFAULTS EXCLUDING IDENTITY) PARTITION BY RANGE (step_id);
ALTER TABLE growth_by_step.step_events ALTER COLUMN id SET DEFAULT nextval('growth_by_step.step_events_id_seq');
SELECT format('CREATE TABLE growth_by_month.step_events_%s PARTITION OF growth_by_month.step_events FOR VALUES FROM (%L) TO (%L)',
              to_char(m, 'YYYYMM'), m, m + interval '1 month')
FROM generate_series(timestamptz '$first_month', timestamptz '$first_month' + interval '1 month' * ($months + 11), interval '1 month') m \gexec
SELECT format('CREATE TABLE growth_by_step.step_events_%s PARTITION OF growth_by_step.step_events FOR VALUES FROM (%s) TO (%s)',
              i, i * r, (i + 1) * r)
FROM (SELECT ($max_step / $months + 1)::bigint AS r) w, generate_series(0, $months + 11) i \gexec
INSERT INTO growth_by_month.step_events SELECT * FROM public.step_events;
INSERT INTO growth_by_step.step_events SELECT * FROM public.step_events;
SELECT setval('growth_by_month.step_events_id_seq', (SELECT max(id) FROM public.step_events));
SELECT setval('growth_by_step.step_events_id_seq', (SELECT max(id) FROM public.step_events));
ALTER TABLE growth_by_month.step_events ADD PRIMARY KEY (id, occurred_at);
CREATE UNIQUE INDEX ON growth_by_month.step_events (step_id, sequence, occurred_at);
ALTER TABLE growth_by_month.step_events ADD FOREIGN KEY (step_id) REFERENCES public.steps (id);
ALTER TABLE growth_by_step.step_events ADD PRIMARY KEY (id, step_id);
CREATE UNIQUE INDEX ON growth_by_step.step_events (step_id, sequence);
ALTER TABLE growth_by_step.step_events ADD FOREIGN KEY (step_id) REFERENCES public.steps (id);
ANALYZE growth_by_month.step_events;
ANALYZE growth_by_step.step_events;
SQL
  echo "Copied twice in $((SECONDS - started)) s: $months months of events; $((months + 12)) partitions each (a year ahead made)." >&2
  variants=(public growth_by_month growth_by_step)
else
  variants=(public)
fi

# pgbench_run SCRIPT SCHEMA: "tps mean_ms". Prepared statements by default, as the portal runs them (Npgsql prepares
# a statement it has seen before): with 49 partitions, planning each query anew costs more than running it.
PROTOCOL=${PROTOCOL:-prepared}
pgbench_run() {
  PGOPTIONS="-c search_path=$2,public -c permits.city_zone=America/New_York" \
    pgbench -n -M "$PROTOCOL" -f "$SQL_DIR/$1.sql" -c "$CLIENTS" -j 2 -T "$SECONDS_PER_RUN" 2>/dev/null |
    awk '/^latency average/ { ms = $4 } /^tps/ { tps = $3 } END { printf "%.1f %.2f\n", tps, ms }'
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

scripts=(status move agency-feed latest-changes month-of-events queue)
declare -A tps ms
for round in $(seq 1 "$RUNS"); do
  for script in "${scripts[@]}"; do
    for variant in "${variants[@]}"; do
      # The queue reads the read model only: the same on every variant.
      [ "$script" = queue ] && [ "$variant" != public ] && continue
      read -r t m <<<"$(pgbench_run "$script" "$variant")"
      tps[$script/$variant]+="$t "; ms[$script/$variant]+="$m "
    done
  done
  echo "round $round of $RUNS done" >&2
done

echo "## Hot queries: median of $RUNS rounds of ${SECONDS_PER_RUN} s, $CLIENTS clients, $PROTOCOL protocol (pgbench; transactions a second / mean ms)"
echo
header="| query |"; rule="| --- |"
for variant in "${variants[@]}"; do header+=" $variant |"; rule+=" ---: |"; done
echo "$header"; echo "$rule"
for script in "${scripts[@]}"; do
  line="| $script |"
  for variant in "${variants[@]}"; do
    if [ -z "${tps[$script/$variant]:-}" ]; then line+=" (same) |"; continue; fi
    t=$(tr ' ' '\n' <<<"${tps[$script/$variant]}" | grep . | median)
    m=$(tr ' ' '\n' <<<"${ms[$script/$variant]}" | grep . | median)
    line+=" $t / $m ms |"
  done
  echo "$line"
done

if [ "${PARTITION_COPY:-0}" != 0 ]; then
  echo
  echo "## Partitions each query touched (EXPLAIN ANALYZE of one run)"
  echo
  for variant in growth_by_month growth_by_step; do
    for script in status agency-feed month-of-events; do
      sql=$(sed -e '/^--/d' -e '/^\\set/d' -e 's/:id/500000/g; s/:a/2/g; s/:m/12/g' "$SQL_DIR/$script.sql" | tr '\n' ' ' | sed 's/;[[:space:]]*$//')
      plan=$(PGOPTIONS="-c search_path=$variant,public" psql -X -At -c "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) $sql")
      scanned=$(grep -c "step_events_[0-9]" <<<"$plan" || true)
      never=$(grep -c "never executed" <<<"$plan" || true)
      echo "- $variant, $script: $scanned partition scans planned, $never never executed"
    done
  done
  PGOPTIONS="" psql -X -At -c "SELECT format('- sizes: growth_by_month %s, growth_by_step %s, public %s (each with its indexes)',
      pg_size_pretty((SELECT sum(pg_total_relation_size(inhrelid)) FROM pg_inherits WHERE inhparent = 'growth_by_month.step_events'::regclass)),
      pg_size_pretty((SELECT sum(pg_total_relation_size(inhrelid)) FROM pg_inherits WHERE inhparent = 'growth_by_step.step_events'::regclass)),
      pg_size_pretty(pg_total_relation_size('public.step_events')))"
  if [ "${DROP_COPIES:-0}" = 1 ]; then q "DROP SCHEMA growth_by_month CASCADE; DROP SCHEMA growth_by_step CASCADE" >/dev/null; fi
fi
