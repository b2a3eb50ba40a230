using PermitTracker.Data.ReadModel;
using PermitTracker.Domain.Workflow;

namespace PermitTracker.Web.Features.Seed;

/// <summary>
/// Seeds reference data (agencies, permit types, holidays) and a few hundred demo jobs. Idempotent: what
/// exists is left alone, and the demo jobs have fixed numbers, so a second run adds nothing.
/// </summary>
public sealed class DemoSeeder(PermitsDbContext db, TimeProvider clock, TimeZoneInfo cityZone)
{
    public const int DefaultDemoJobCount = 300;

    internal static readonly (string Borough, char Digit, string Zip, string[] Streets)[] Boroughs =
    [
        ("Manhattan", '1', "10011", ["7th Avenue South", "West 14th Street", "Broadway", "Amsterdam Avenue", "East 86th Street", "Hudson Street", "Lenox Avenue"]),
        ("Bronx", '2', "10451", ["Grand Concourse", "East Tremont Avenue", "Fordham Road", "Jerome Avenue"]),
        ("Brooklyn", '3', "11201", ["Atlantic Avenue", "Flatbush Avenue", "Court Street", "Bedford Avenue", "4th Avenue"]),
        ("Queens", '4', "11101", ["Queens Boulevard", "Northern Boulevard", "Jamaica Avenue", "Steinway Street"]),
        ("Staten Island", '5', "10301", ["Richmond Terrace", "Victory Boulevard", "Hylan Boulevard"]),
    ];

    internal static readonly string[] FirstNames = ["Maria", "James", "Wei", "Fatima", "Carlos", "Aisha", "David", "Yuki", "Olga", "Kwame"];
    internal static readonly string[] LastNames = ["Garcia", "Chen", "Rahman", "Johnson", "Kowalski", "Okafor", "Rossi", "Nguyen", "Levy", "Singh"];

    public async Task<SeedResult> SeedAsync(int demoJobs = DefaultDemoJobCount, CancellationToken cancellationToken = default)
    {
        var reference = await SeedReferenceDataAsync(cancellationToken);
        var jobs = await SeedDemoJobsAsync(demoJobs, cancellationToken);
        return new SeedResult(reference, jobs);
    }

    public async Task<int> SeedReferenceDataAsync(CancellationToken cancellationToken = default)
    {
        var added = 0;
        var agencyCodes = await db.Agencies.Select(a => a.Code).ToListAsync(cancellationToken);
        foreach (var agency in ReferenceData.Agencies().Where(a => !agencyCodes.Contains(a.Code)))
        {
            db.Agencies.Add(agency);
            added++;
        }
        var typeCodes = await db.PermitTypes.Select(p => p.Code).ToListAsync(cancellationToken);
        foreach (var (type, steps) in ReferenceData.PermitTypes().Where(p => !typeCodes.Contains(p.Type.Code)))
        {
            type.PublishTemplate(steps, clock.GetUtcNow());
            db.PermitTypes.Add(type);
            added++;
        }
        var holidayDates = await db.Holidays.Select(h => h.Date).ToListAsync(cancellationToken);
        foreach (var holiday in ReferenceData.NewYorkCityHolidays(2020, 2030).Where(h => !holidayDates.Contains(h.Date)))
        {
            db.Holidays.Add(holiday);
            added++;
        }
        await db.SaveChangesAsync(cancellationToken);
        return added;
    }

    public async Task<int> SeedDemoJobsAsync(int count, CancellationToken cancellationToken = default)
    {
        var templates = await db.PermitTypes.Include(p => p.Templates).ToListAsync(cancellationToken);
        var current = templates.ToDictionary(p => p.Code, p => p.CurrentTemplate);
        var existing = (await db.Jobs.Select(j => j.JobNumberKey).ToListAsync(cancellationToken)).ToHashSet();
        var simulator = new JobHistorySimulator(JobHistorySimulator.NewYorkPaces);
        var nowLocal = TimeZoneInfo.ConvertTime(clock.GetUtcNow(), cityZone).DateTime;
        var added = new List<Job>();

        for (var i = 0; i < count; i++)
        {
            // One generator per job: job i is the same job whatever ran before it.
            var random = new Random(20_240_000 + i);
            var (borough, digit, zip, streets) = Boroughs[random.Next(Boroughs.Length)];
            var jobNumber = $"{digit}2100{i:D4}";
            if (existing.Contains(JobNumbers.SearchKey(jobNumber))) continue;

            var type = current[(random.NextDouble() switch { < 0.25 => "NB", < 0.5 => "A1", < 0.85 => "A2", _ => "DM" })];
            var submittedLocal = JobHistorySimulator.WorkingHours(nowLocal.AddDays(-random.Next(3, 548)), random);
            var first = FirstNames[random.Next(FirstNames.Length)];
            var last = LastNames[random.Next(LastNames.Length)];
            var job = Job.CreateFromTemplate(
                jobNumber,
                type,
                new Address($"{random.Next(1, 900)}", streets[random.Next(streets.Length)], borough, zip),
                ToUtc(submittedLocal),
                new ApplicantContact($"{first} {last}", $"{first.ToLowerInvariant()}.{last.ToLowerInvariant()}{i}@example.com", $"(718) 555-{i % 10000:D4}"),
                $"{type.PermitTypeCode} filing: {Description(type.PermitTypeCode, random)}",
                clock);
            foreach (var move in simulator.Simulate(type.Steps, submittedLocal, nowLocal, random))
                job.RecordMove(move.StepKey, move.Status, ToUtc(move.LocalTime), move.Actor, move.Note, clock);
            db.Jobs.Add(job);
            added.Add(job);
            if (added.Count % 100 == 0) await db.SaveChangesAsync(cancellationToken);
        }
        await db.SaveChangesAsync(cancellationToken);
        db.ChangeTracker.Clear();
        var calendar = await ReadModelRebuilder.LoadCalendarAsync(db, cityZone, cancellationToken);
        await new ReadModelRebuilder(db).RebuildAsync(calendar, [.. added.Select(j => j.Id)], cancellationToken: cancellationToken);
        return added.Count;
    }

    private DateTimeOffset ToUtc(DateTime local) =>
        new(TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), cityZone), TimeSpan.Zero);

    private static readonly Dictionary<string, string[]> Descriptions = new()
    {
        ["NB"] = ["7-storey residential building, 42 units", "2-family house", "Mixed-use building with ground-floor retail"],
        ["A1"] = ["Change of use from office to residential", "Convert ground floor to restaurant", "Add a dwelling unit in the cellar"],
        ["A2"] = ["Kitchen and bathroom renovation with new sprinkler heads", "Interior office fit-out", "Replace plumbing risers"],
        ["DM"] = ["Full demolition of a 2-storey garage", "Full demolition of a 1-family house"],
    };

    internal static string Description(string permitType, Random random) =>
        Descriptions.TryGetValue(permitType, out var list) ? list[random.Next(list.Length)] : "Building work";
}

public sealed record SeedResult(int ReferenceRowsAdded, int DemoJobsAdded);
