using Microsoft.Data.Sqlite;

namespace BizKeys.Core.Data;

public static class SqliteConnectionStrings
{
    /// <summary>
    /// Makes a relative <c>Data Source</c> absolute against <paramref name="baseDirectory"/> and creates its folder,
    /// so the app and the CLI open the same file wherever they are started from.
    /// </summary>
    public static string Resolve(string connectionString, string baseDirectory, bool createFolder = true)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        if (string.IsNullOrWhiteSpace(builder.DataSource) || builder.DataSource == ":memory:" || builder.Mode == SqliteOpenMode.Memory)
            return builder.ToString();
        builder.DataSource = Path.GetFullPath(builder.DataSource, baseDirectory);
        if (createFolder)
            PrivateDirectory.Create(Path.GetDirectoryName(builder.DataSource)!);
        return builder.ToString();
    }

    /// <summary>The folder of the database file, or null for an in-memory database.</summary>
    public static string? DirectoryOf(string connectionString, string baseDirectory)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        return string.IsNullOrWhiteSpace(builder.DataSource) || builder.DataSource == ":memory:" || builder.Mode == SqliteOpenMode.Memory
            ? null
            : Path.GetDirectoryName(Path.GetFullPath(builder.DataSource, baseDirectory));
    }
}
