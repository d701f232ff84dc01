using BizKeys.Core;
using BizKeys.Core.Data;

namespace BizKeys.Admin.Hosting;

/// <summary>
/// One app per SQLite database. A second app on the same file would serve revoked keys from its own cache, so it
/// refuses to start, naming the file; the lock is the operating system's and ends with the process, even after a
/// kill. Commands (keys create, users create …) may still run beside the app. Several instances share PostgreSQL.
/// </summary>
public sealed class InstanceLock : IDisposable
{
    private readonly FileStream? _lock;

    private InstanceLock(FileStream? held) => _lock = held;

    public void Dispose() => _lock?.Dispose();

    /// <exception cref="InvalidOperationException">Another app holds the database.</exception>
    public static InstanceLock Acquire(IConfiguration configuration)
    {
        var connectionString = configuration.GetConnectionString(DependencyInjection.ConnectionStringName) ?? "";
        if (DatabaseProviders.From(configuration) != DatabaseProvider.Sqlite
            || SqliteConnectionStrings.DirectoryOf(connectionString, ProductPaths.BaseDirectory) is null)
            return new InstanceLock(null);
        var database = Path.GetFullPath(new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(connectionString).DataSource, ProductPaths.BaseDirectory);
        // The real file, whatever link or relative path names it: two names for one database are one database.
        if (File.Exists(database) && new FileInfo(database).ResolveLinkTarget(returnFinalTarget: true) is { } target)
            database = target.FullName;
        var path = database + ".app-lock";
        try
        {
            return new InstanceLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose));
        }
        catch (IOException)
        {
            throw new InvalidOperationException(
                $"Another BizKeys app is already serving {Path.GetFullPath(database, ProductPaths.BaseDirectory)}. One SQLite database " +
                "serves one app (commands may run beside it); to run several instances, use PostgreSQL (Database:Provider=Postgres).");
        }
    }
}
