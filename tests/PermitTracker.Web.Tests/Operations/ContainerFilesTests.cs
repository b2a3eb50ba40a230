using System.Text.RegularExpressions;

namespace PermitTracker.Web.Tests.Operations;

/// <summary>
/// What the Dockerfile and docker-compose.yml must keep, checked as text (no Docker engine runs here; the linters of
/// scripts/lint-containers.sh check the syntax and the general rules): the restore in its own layer, a non-root user,
/// the port, a health check on /health/ready; PostgreSQL's own health check awaited, a named volume, no demo admin.
/// </summary>
public sealed partial class ContainerFilesTests
{
    private static readonly string Root = RepositoryRoot();

    [Fact]
    public void The_Dockerfile_restores_in_its_own_layer_runs_as_a_non_root_user_and_checks_readiness()
    {
        var lines = File.ReadAllLines(Path.Combine(Root, "Dockerfile")).Where(l => !l.TrimStart().StartsWith('#')).ToList();
        int Index(Func<string, bool> match) => lines.FindIndex(l => match(l));

        Assert.True(lines.Count(l => l.StartsWith("FROM ", StringComparison.Ordinal)) >= 2, "a multi-stage build");
        var restore = Index(l => l.StartsWith("RUN dotnet restore", StringComparison.Ordinal));
        var sources = Index(l => l.StartsWith("COPY src/ ", StringComparison.Ordinal) || l.StartsWith("COPY . ", StringComparison.Ordinal));
        Assert.True(restore > 0 && sources > restore, "the restore runs before the sources are copied");
        // In the stage that restores (an earlier stage, such as the design system's, copies what it needs).
        var buildStage = lines.FindLastIndex(restore, l => l.StartsWith("FROM ", StringComparison.Ordinal));
        Assert.All(lines.Skip(buildStage).Take(restore - buildStage).Where(l => l.StartsWith("COPY ", StringComparison.Ordinal)),
            copy => Assert.Matches(@"\.(csproj|props|json)\b|\.editorconfig", copy));

        var runtime = lines.FindLastIndex(l => l.StartsWith("FROM ", StringComparison.Ordinal));
        var user = lines.FindLastIndex(l => l.StartsWith("USER ", StringComparison.Ordinal));
        Assert.True(user > runtime, "the runtime stage sets a user");
        Assert.DoesNotMatch(@"^USER\s+(root|0)\s*$", lines[user]);
        Assert.Contains(lines, l => l.StartsWith("EXPOSE 8080", StringComparison.Ordinal));
        var healthcheck = string.Join(" ", lines.SkipWhile(l => !l.StartsWith("HEALTHCHECK ", StringComparison.Ordinal)).Take(2));
        Assert.Contains("/health/ready", healthcheck, StringComparison.Ordinal);
    }

    [Fact]
    public void Compose_waits_for_a_healthy_PostgreSQL_keeps_its_data_in_a_named_volume_and_creates_no_demo_admin()
    {
        var compose = File.ReadAllText(Path.Combine(Root, "docker-compose.yml"));
        var db = Service(compose, "db");
        var web = Service(compose, "web");

        Assert.Contains("healthcheck:", db, StringComparison.Ordinal);
        Assert.Contains("pg_isready", db, StringComparison.Ordinal);
        Assert.Matches(@"depends_on:\s+db:\s+condition: service_healthy", web);
        var volume = VolumeMount().Match(db);
        Assert.True(volume.Success, "PostgreSQL's data is in a volume");
        Assert.Matches($@"(?m)^volumes:\s*\n\s+{volume.Groups[1].Value}:", compose);
        Assert.DoesNotContain("Seed__DemoAccounts", compose.Replace("(Seed__DemoAccounts is not set)", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    /// <summary>The lines of one service, up to the next top-level or service key.</summary>
    private static string Service(string compose, string name)
    {
        var match = Regex.Match(compose, $@"(?ms)^  {name}:\n(.*?)(?=^  \S|^\S|\z)");
        Assert.True(match.Success, $"a service {name}");
        return match.Groups[1].Value;
    }

    [GeneratedRegex(@"- (\w+):/var/lib/postgresql/data")]
    private static partial Regex VolumeMount();

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "docker-compose.yml"))) return dir.FullName;
        throw new InvalidOperationException($"docker-compose.yml not found above {AppContext.BaseDirectory}.");
    }
}
