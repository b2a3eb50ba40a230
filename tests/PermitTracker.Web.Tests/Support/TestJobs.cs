using PermitTracker.Data;
using PermitTracker.Domain;
using PermitTracker.Domain.Jobs;
using PermitTracker.Domain.Workflow;

namespace PermitTracker.Web.Tests.Support;

/// <summary>Builds and saves jobs for tests: <c>await new TestJobs(db).Job("121").Step("S1","DOB").Move("S1", InReview, at).SaveAsync()</c>.</summary>
public sealed class TestJobs(PermitsDbContext db, TimeProvider? clock = null)
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    public Builder Job(string jobNumber, DateTimeOffset? submittedAt = null, string permitType = "NB", string borough = "Manhattan") =>
        new(this, jobNumber, submittedAt ?? _clock.GetUtcNow().AddDays(-30), permitType, borough);

    public sealed class Builder(TestJobs owner, string jobNumber, DateTimeOffset submittedAt, string permitType, string borough)
    {
        private readonly List<StepDefinition> _steps = [];
        private readonly List<(string Step, StepStatus Status, DateTimeOffset At, string? Note)> _moves = [];
        private string _applicantEmail = "applicant@example.com";

        /// <summary>The applicant contact's e-mail (applicant@example.com unless said).</summary>
        public Builder Applicant(string email)
        {
            _applicantEmail = email;
            return this;
        }

        public Builder Step(string key, string agency, int? target = 10, params string[] dependsOn)
        {
            _steps.Add(new StepDefinition(key, $"{key} review", agency, dependsOn, target));
            return this;
        }

        public Builder Move(string step, StepStatus status, DateTimeOffset at, string? note = "test note")
        {
            _moves.Add((step, status, at, note));
            return this;
        }

        public async Task<Job> SaveAsync()
        {
            var job = Domain.Jobs.Job.Create(jobNumber, permitType, null, new Address("100", "Broadway", borough, "10006"),
                submittedAt, new ApplicantContact("Test Applicant", _applicantEmail, "(212) 555-0199"), "test job", _steps, owner._clock);
            foreach (var (step, status, at, note) in _moves) job.RecordMove(step, status, at, "tester", note, owner._clock);
            owner.Db.Jobs.Add(job);
            await owner.Db.SaveChangesAsync();
            return job;
        }
    }

    private PermitsDbContext Db => db;
}
