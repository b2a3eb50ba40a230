using System.IO.Compression;
using System.Text;
using PermitTracker.Data;
using PermitTracker.Data.ReadModel;
using PermitTracker.Web.Features.Import;
using PermitTracker.Web.Features.Import.Mapping;
using PermitTracker.Web.Features.Seed;

namespace PermitTracker.Web.Tests.Features.Import;

/// <summary>The shipped mappings (docs/mappings/) and the slices of the real files copied into Import/Data/.</summary>
internal static class ImportFiles
{
    public static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

    public static string RepositoryRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "PermitTracker.sln"))) dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("No PermitTracker.sln above the test output.");
        }
    }

    public static ImportMapping Mapping(string name) => ImportMapping.Load(Path.Combine(RepositoryRoot, "docs", "mappings", name + ".json"));

    public static Stream Data(string file)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Features", "Import", "Data", file);
        if (!file.EndsWith(".gz", StringComparison.Ordinal)) return new MemoryStream(File.ReadAllBytes(path));
        using var gzip = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        var memory = new MemoryStream();
        gzip.CopyTo(memory);
        memory.Position = 0;
        return memory;
    }

    public static Stream Text(string csv) => new MemoryStream(Encoding.UTF8.GetBytes(csv));

    public static async Task<string> SeededDatabaseAsync(Support.PostgresServer server)
    {
        var connectionString = await server.CreateDatabaseAsync();
        await using var db = PermitsDatabase.Open(connectionString);
        await new DemoSeeder(db, TimeProvider.System, NewYork).SeedReferenceDataAsync();
        return connectionString;
    }

    public static async Task<JobImportSummary> ImportAsync(string connectionString, ImportMapping mapping, Stream csv, int batchSize = 5000)
    {
        await using var db = PermitsDatabase.Open(connectionString);
        var calendar = await ReadModelRebuilder.LoadCalendarAsync(db, NewYork);
        return await new JobImporter(db, calendar, TimeProvider.System) { BatchSize = batchSize }.ImportAsync(mapping, csv);
    }
}
