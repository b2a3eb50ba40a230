using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace PermitTracker.Data.Migrations
{
    /// <inheritdoc />
    public partial class QueueIndexesLeadWithTheAgency : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The staff queue's indexes (ADR-041) led with the order, so a queue read its agency's steps by skipping every
            // other agency's: 1.5 s for the 756 DSNY steps at 1,000,000 jobs, and the planner, misjudging the partial
            // predicate, chose bitmap scans for DOB too. Leading with the agency makes each agency's steps one ordered
            // range (Features/Staff/QueueQuery reads one agency at a time, LATERAL); steps without a target get an index
            // of their own, so that branch no longer scans every targeted step to find none.
            migrationBuilder.Sql("""
                DROP INDEX IF EXISTS ix_step_facts_queue_running;
                DROP INDEX IF EXISTS ix_step_facts_queue_paused;
                DROP INDEX IF EXISTS ix_step_facts_queue_age;
                CREATE INDEX ix_step_facts_queue_running ON step_facts
                    (agency_code, (target_business_days - business_days_with_agency + base_business_day), (base_local_us - days_open_us), job_id, step_id)
                    INCLUDE (status, permit_type_code, borough)
                    WHERE finished_at IS NULL AND job_state = 'Open' AND status IN ('Ready', 'InReview', 'ChangesRequested')
                      AND agency_clock_running AND target_business_days IS NOT NULL;
                CREATE INDEX ix_step_facts_queue_paused ON step_facts
                    (agency_code, (target_business_days - business_days_with_agency), (base_local_us - days_open_us), job_id, step_id)
                    INCLUDE (status, permit_type_code, borough)
                    WHERE finished_at IS NULL AND job_state = 'Open' AND status IN ('Ready', 'InReview', 'ChangesRequested')
                      AND NOT agency_clock_running AND target_business_days IS NOT NULL;
                CREATE INDEX ix_step_facts_queue_untargeted ON step_facts
                    (agency_code, (base_local_us - days_open_us), job_id, step_id)
                    INCLUDE (status, permit_type_code, borough)
                    WHERE finished_at IS NULL AND job_state = 'Open' AND status IN ('Ready', 'InReview', 'ChangesRequested')
                      AND target_business_days IS NULL;
                CREATE INDEX ix_step_facts_queue_age ON step_facts
                    (agency_code, (base_local_us - days_open_us), job_id, step_id)
                    INCLUDE (status, permit_type_code, borough, target_business_days, business_days_with_agency, base_business_day, agency_clock_running)
                    WHERE finished_at IS NULL AND job_state = 'Open' AND status IN ('Ready', 'InReview', 'ChangesRequested');
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP INDEX IF EXISTS ix_step_facts_queue_running;
                DROP INDEX IF EXISTS ix_step_facts_queue_paused;
                DROP INDEX IF EXISTS ix_step_facts_queue_untargeted;
                DROP INDEX IF EXISTS ix_step_facts_queue_age;
                CREATE INDEX ix_step_facts_queue_running ON step_facts
                    ((target_business_days - business_days_with_agency + base_business_day), (base_local_us - days_open_us), job_id, step_id)
                    INCLUDE (agency_code, status, permit_type_code, borough)
                    WHERE finished_at IS NULL AND job_state = 'Open' AND status IN ('Ready', 'InReview', 'ChangesRequested')
                      AND agency_clock_running AND target_business_days IS NOT NULL;
                CREATE INDEX ix_step_facts_queue_paused ON step_facts
                    ((target_business_days - business_days_with_agency), (base_local_us - days_open_us), job_id, step_id)
                    INCLUDE (agency_code, status, permit_type_code, borough)
                    WHERE finished_at IS NULL AND job_state = 'Open' AND status IN ('Ready', 'InReview', 'ChangesRequested')
                      AND NOT agency_clock_running AND target_business_days IS NOT NULL;
                CREATE INDEX ix_step_facts_queue_age ON step_facts
                    ((base_local_us - days_open_us), job_id, step_id)
                    INCLUDE (agency_code, status, permit_type_code, borough, target_business_days, business_days_with_agency, base_business_day, agency_clock_running)
                    WHERE finished_at IS NULL AND job_state = 'Open' AND status IN ('Ready', 'InReview', 'ChangesRequested');
                """);
        }
    }
}
