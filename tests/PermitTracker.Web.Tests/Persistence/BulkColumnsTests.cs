using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using PermitTracker.Data;
using PermitTracker.Data.Bulk;

namespace PermitTracker.Web.Tests.Persistence;

/// <summary>
/// The bulk paths (importers, generator, read model) write the columns <see cref="BulkTables"/> declares; EF's model
/// is what the migrations create. A column added to the model and not to the declaration would be left NULL (or fail
/// the COPY) on every bulk path: these tests hold the two lists equal, order aside. No database: the model is enough.
/// </summary>
public sealed class BulkColumnsTests
{
    /// <summary>PostgreSQL's system columns: the model maps xmin as the row version, but no one writes it.</summary>
    private static readonly HashSet<string> SystemColumns = ["xmin"];

    public static TheoryData<string> Tables => [.. BulkTables.All.Select(t => t.Table)];

    [Theory]
    [MemberData(nameof(Tables))]
    public void A_tables_declared_columns_are_the_columns_of_the_EF_model(string table)
    {
        var (missing, extra) = Difference(table, BulkTables.All.Single(t => t.Table == table).Columns);

        Assert.True(missing.Count == 0 && extra.Count == 0,
            $"{table}: the model has columns the bulk declaration lacks [{string.Join(", ", missing)}], " +
            $"and the declaration has columns the model lacks [{string.Join(", ", extra)}]. Declare each in Data/Bulk/BulkTables.cs.");
    }

    [Fact]
    public void A_column_left_out_of_a_declaration_is_named()
    {
        var declared = BulkTables.All.Single(t => t.Table == "job_figures").Columns.Where(c => c != "tail_holder").ToList();

        var (missing, extra) = Difference("job_figures", declared);

        Assert.Equal(["tail_holder"], missing);
        Assert.Empty(extra);
    }

    [Fact]
    public void Every_declared_table_is_a_table_of_the_model()
    {
        using var db = OpenModel();
        var tables = db.Model.GetEntityTypes().Select(e => e.GetTableName()).ToHashSet();

        Assert.All(BulkTables.All, t => Assert.Contains(t.Table, tables));
    }

    private static (List<string> Missing, List<string> Extra) Difference(string table, IEnumerable<string> declared)
    {
        var model = ModelColumns(table);
        var declaredSet = declared.ToHashSet(StringComparer.Ordinal);
        return ([.. model.Where(c => !declaredSet.Contains(c)).Order(StringComparer.Ordinal)],
                [.. declaredSet.Where(c => !model.Contains(c)).Order(StringComparer.Ordinal)]);
    }

    /// <summary>Every column the model maps to <paramref name="table"/>: the entity's and its owned types' (Address, Applicant share the jobs row).</summary>
    private static HashSet<string> ModelColumns(string table)
    {
        using var db = OpenModel();
        var columns = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entity in db.Model.GetEntityTypes().Where(e => e.GetTableName() == table))
        {
            var store = StoreObjectIdentifier.Table(table, entity.GetSchema());
            foreach (var property in entity.GetProperties())
                if (property.GetColumnName(store) is { } name && !SystemColumns.Contains(name)) columns.Add(name);
        }
        Assert.NotEmpty(columns);
        return columns;
    }

    /// <summary>The portal's context over a connection string that is never opened: building the model needs no server.</summary>
    private static PermitsDbContext OpenModel() => PermitsDatabase.Open("Host=127.0.0.1;Port=1;Username=nobody;Database=model-only");
}
