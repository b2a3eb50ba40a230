using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace PermitTracker.Data.Bulk;

/// <summary>
/// One column of a table the bulk paths write: its name, its type on the wire, and how its value is read from the
/// row object. Typed (no boxing): a COPY of a million rows reads and writes every value through here.
/// </summary>
public abstract class BulkColumn<TRow>
{
    protected BulkColumn(string name, NpgsqlDbType type, bool generated)
    {
        Name = name;
        Type = type;
        Generated = generated;
    }

    public string Name { get; }
    public NpgsqlDbType Type { get; }

    /// <summary>The database assigns it (an identity with no id reserved for it): declared, so the column list is whole, but never written.</summary>
    public bool Generated { get; }

    internal abstract void Write(NpgsqlBinaryImporter importer, TRow row);

    /// <summary>The column's values for an unnest: one array parameter (jsonb and arrays travel as text, see <see cref="WireType"/>).</summary>
    internal abstract NpgsqlParameter Array(IReadOnlyList<TRow> rows);

    /// <summary>The SQL type of the array element an unnest parameter carries.</summary>
    internal string WireType => Type switch
    {
        NpgsqlDbType.Bigint => "bigint",
        NpgsqlDbType.Integer => "int",
        NpgsqlDbType.Boolean => "boolean",
        NpgsqlDbType.TimestampTz => "timestamptz",
        _ => "text", // varchar, text; jsonb and text[] as their JSON text (unnest cannot take a jagged array)
    };

    /// <summary>The unnested value as the column's type: <paramref name="value"/> is the unnest's output column.</summary>
    internal string FromWire(string value) => Type switch
    {
        NpgsqlDbType.Jsonb => $"{value}::jsonb",
        NpgsqlDbType.Array | NpgsqlDbType.Text => $"ARRAY(SELECT jsonb_array_elements_text({value}::jsonb))",
        _ => value,
    };

    /// <summary>The column as a temporary table declares it.</summary>
    internal string SqlType => Type switch
    {
        NpgsqlDbType.Jsonb => "jsonb",
        NpgsqlDbType.Array | NpgsqlDbType.Text => "text[]",
        _ => WireType,
    };
}

internal sealed class ReferenceColumn<TRow, TValue>(string name, NpgsqlDbType type, Func<TRow, TValue?> read, bool generated)
    : BulkColumn<TRow>(name, type, generated) where TValue : class
{
    internal override void Write(NpgsqlBinaryImporter importer, TRow row)
    {
        if (read(row) is { } value) importer.Write(value, Type);
        else importer.WriteNull();
    }

    internal override NpgsqlParameter Array(IReadOnlyList<TRow> rows) => (Type & NpgsqlDbType.Array) != 0
        ? new NpgsqlParameter<string?[]> { TypedValue = [.. rows.Select(r => read(r) is { } v ? JsonSerializer.Serialize(v) : null)] }
        : new NpgsqlParameter<TValue?[]> { TypedValue = [.. rows.Select(read)] };
}

internal sealed class ValueColumn<TRow, TValue>(string name, NpgsqlDbType type, Func<TRow, TValue> read, bool generated)
    : BulkColumn<TRow>(name, type, generated) where TValue : struct
{
    internal override void Write(NpgsqlBinaryImporter importer, TRow row) => importer.Write(read(row), Type);

    internal override NpgsqlParameter Array(IReadOnlyList<TRow> rows) => new NpgsqlParameter<TValue[]> { TypedValue = [.. rows.Select(read)] };
}

internal sealed class NullableColumn<TRow, TValue>(string name, NpgsqlDbType type, Func<TRow, TValue?> read)
    : BulkColumn<TRow>(name, type, generated: false) where TValue : struct
{
    internal override void Write(NpgsqlBinaryImporter importer, TRow row)
    {
        if (read(row) is { } value) importer.Write(value, Type);
        else importer.WriteNull();
    }

    internal override NpgsqlParameter Array(IReadOnlyList<TRow> rows) => new NpgsqlParameter<TValue?[]> { TypedValue = [.. rows.Select(read)] };
}

/// <summary>
/// A table as the bulk paths write it: its columns declared once, in the order they are sent, and every statement
/// built from them: binary COPY (new rows), INSERT from unnest (new rows inside a batch of other statements), an
/// upsert (read-model rows brought up to date) and an UPDATE of some columns by key. BulkColumnsTests checks the
/// declared columns against the EF model, so a column added to the model and not here fails a test.
/// </summary>
public sealed class BulkTable<TRow>
{
    private readonly List<BulkColumn<TRow>> _columns = [];

    public BulkTable(string name, string key)
    {
        Name = name;
        Key = key;
    }

    public string Name { get; }

    /// <summary>The column an upsert conflicts on and an update matches by.</summary>
    public string Key { get; }

    public IReadOnlyList<BulkColumn<TRow>> Columns => _columns;

    private IEnumerable<BulkColumn<TRow>> Written => _columns.Where(c => !c.Generated);

    public BulkTable<TRow> Column<TValue>(string name, NpgsqlDbType type, Func<TRow, TValue?> read) where TValue : class =>
        Add(new ReferenceColumn<TRow, TValue>(name, type, read, generated: false));

    public BulkTable<TRow> Value<TValue>(string name, NpgsqlDbType type, Func<TRow, TValue> read) where TValue : struct =>
        Add(new ValueColumn<TRow, TValue>(name, type, read, generated: false));

    public BulkTable<TRow> Optional<TValue>(string name, NpgsqlDbType type, Func<TRow, TValue?> read) where TValue : struct =>
        Add(new NullableColumn<TRow, TValue>(name, type, read));

    /// <summary>A column the database fills (its identity): no bulk path writes it.</summary>
    public BulkTable<TRow> GeneratedColumn(string name, NpgsqlDbType type) =>
        Add(new ValueColumn<TRow, long>(name, type, _ => 0, generated: true));

    private BulkTable<TRow> Add(BulkColumn<TRow> column)
    {
        if (_columns.Any(c => c.Name == column.Name)) throw new InvalidOperationException($"{Name}.{column.Name} is declared twice.");
        _columns.Add(column);
        return this;
    }

    private string ColumnList => string.Join(", ", Written.Select(c => c.Name));

    /// <summary>Rows by binary COPY: one stream for thousands of rows.</summary>
    public async Task CopyAsync(NpgsqlConnection connection, IEnumerable<TRow> rows, CancellationToken cancellationToken)
    {
        var columns = Written.ToArray();
        await using var importer = await connection.BeginBinaryImportAsync($"COPY {Name} ({ColumnList}) FROM STDIN (FORMAT BINARY)", cancellationToken);
        foreach (var row in rows)
        {
            importer.StartRow();
            foreach (var column in columns) column.Write(importer, row);
        }
        await importer.CompleteAsync(cancellationToken);
    }

    /// <summary>New rows as one statement over arrays, to send in a batch with others.</summary>
    public NpgsqlBatchCommand Insert(IReadOnlyList<TRow> rows) => Command($"INSERT INTO {Name} ({ColumnList}) {SelectUnnest(Written)}", Written, rows);

    /// <summary>
    /// Rows inserted, or updated where they lie when their key is there: a row equal to the stored one is not written
    /// at all, so indexes whose columns did not change are not touched (HOT when the page has room).
    /// </summary>
    public NpgsqlBatchCommand Upsert(IReadOnlyList<TRow> rows)
    {
        var rest = Written.Where(c => c.Name != Key).Select(c => c.Name).ToList();
        return Command(
            $"INSERT INTO {Name} ({ColumnList}) {SelectUnnest(Written)} ON CONFLICT ({Key}) DO UPDATE SET {string.Join(", ", rest.Select(c => $"{c} = EXCLUDED.{c}"))} " +
            $"WHERE ({string.Join(", ", rest.Select(c => $"{Name}.{c}"))}) IS DISTINCT FROM ({string.Join(", ", rest.Select(c => $"EXCLUDED.{c}"))})",
            Written, rows);
    }

    /// <summary>Some columns of existing rows, matched by <see cref="Key"/>.</summary>
    public NpgsqlBatchCommand Update(IReadOnlyList<TRow> rows, params string[] columns)
    {
        var key = ColumnNamed(Key);
        var set = columns.Select(ColumnNamed).ToList();
        var sent = set.Prepend(key).ToList();
        return Command(
            $"UPDATE {Name} t SET {string.Join(", ", set.Select(c => $"{c.Name} = {c.FromWire($"u.{c.Name}")}"))} " +
            $"FROM unnest({Arrays(sent)}) AS u({string.Join(", ", sent.Select(c => c.Name))}) WHERE t.{Key} = u.{Key}", sent, rows);
    }

    /// <summary>A session's temporary table of these columns, emptied (a staging table for COPY).</summary>
    public string CreateTemporary() =>
        $"CREATE TEMP TABLE IF NOT EXISTS {Name} ({string.Join(", ", _columns.Select(c => $"{c.Name} {c.SqlType}"))}) ON COMMIT PRESERVE ROWS; TRUNCATE {Name};";

    public string Select(string rest = "") => $"SELECT {string.Join(", ", _columns.Select(c => c.Name))} FROM {Name} {rest}".TrimEnd();

    private BulkColumn<TRow> ColumnNamed(string name) =>
        _columns.FirstOrDefault(c => c.Name == name && !c.Generated) ?? throw new InvalidOperationException($"{Name} declares no written column {name}.");

    private static string Arrays(IEnumerable<BulkColumn<TRow>> columns) => string.Join(", ", columns.Select((c, i) => $"${i + 1}::{c.WireType}[]"));

    private static string SelectUnnest(IEnumerable<BulkColumn<TRow>> columns)
    {
        var list = columns.ToList();
        return $"SELECT {string.Join(", ", list.Select(c => c.FromWire($"u.{c.Name}")))} FROM unnest({Arrays(list)}) AS u({string.Join(", ", list.Select(c => c.Name))})";
    }

    private static NpgsqlBatchCommand Command(string sql, IEnumerable<BulkColumn<TRow>> columns, IReadOnlyList<TRow> rows)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var column in columns) command.Parameters.Add(column.Array(rows));
        return command;
    }
}
