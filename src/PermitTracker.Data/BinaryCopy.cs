using Npgsql;
using NpgsqlTypes;

namespace PermitTracker.Data;

/// <summary>Helpers shared by every binary COPY writer (read model, generator).</summary>
public static class BinaryCopy
{
    public static void WriteNullable<T>(NpgsqlBinaryImporter importer, T? value, NpgsqlDbType type) where T : class
    {
        if (value is null) importer.WriteNull();
        else importer.Write(value, type);
    }

    public static void WriteNullable<T>(NpgsqlBinaryImporter importer, T? value, NpgsqlDbType type) where T : struct
    {
        if (value is { } v) importer.Write(v, type);
        else importer.WriteNull();
    }
}
