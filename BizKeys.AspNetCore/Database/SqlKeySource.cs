using System.Data.Common;
using System.Globalization;
using System.Net;
using System.Text.Json;
using BizKeys.Core.ApiKeys;
using BizKeys.Core.Data;

namespace BizKeys.Core.Verification;

/// <summary>
/// A key's first verification in this process: one statement against BizKeys' database, the key joined to its
/// account's name, read with no change tracking or query translation.
/// </summary>
public sealed class SqlKeySource(DatabaseConnections connections, DatabaseMeter meter) : IKeySource
{
    /// <summary>The look-up, up to its parameter.</summary>
    public const string Statement =
        "SELECT k.\"Id\", k.\"AccountId\", a.\"Name\", k.\"Key\", k.\"Name\", k.\"Environment\", k.\"Permissions\", k.\"ExpiresAt\", " +
        "k.\"IpAllowlist\", k.\"RateLimitPerMinute\", k.\"RevokedAt\", k.\"SecretHash\", k.\"PreviousSecretHash\", k.\"PreviousSecretExpiresAt\" " +
        "FROM \"ApiKeys\" AS k JOIN \"Accounts\" AS a ON a.\"Id\" = k.\"AccountId\" WHERE k.\"Key\" = ";

    public async ValueTask<CachedKey?> FindAsync(string key, string secret, CancellationToken ct)
    {
        await using var connection = await connections.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = Statement + (connections.IsPostgres ? "$1" : "@key");
        var parameter = command.CreateParameter();
        if (!connections.IsPostgres)
            parameter.ParameterName = "@key";
        parameter.Value = key;
        command.Parameters.Add(parameter);
        await using var reader = await command.ExecuteReaderAsync(System.Data.CommandBehavior.SingleRow, ct);
        meter.CommandSent(writes: false);
        return await reader.ReadAsync(ct) ? Row(reader, key, connections.IsPostgres) : null;
    }

    /// <summary>
    /// The keys used since <paramref name="since"/> and not revoked, most recent first, at most
    /// <paramref name="limit"/>: what a restarted process had in memory.
    /// </summary>
    public async IAsyncEnumerable<CachedKey> RecentAsync(DateTime since, int limit, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var postgres = connections.IsPostgres;
        await using var connection = await connections.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = Statement.Replace("WHERE k.\"Key\" = ", "WHERE k.\"RevokedAt\" IS NULL AND k.\"LastUsedAt\" > ", StringComparison.Ordinal)
            + (postgres ? "$1" : "@since") + $" ORDER BY k.\"LastUsedAt\" DESC LIMIT {limit}";
        var parameter = command.CreateParameter();
        if (postgres)
        {
            parameter.Value = DateTime.SpecifyKind(since, DateTimeKind.Utc);
        }
        else
        {
            parameter.ParameterName = "@since";
            parameter.Value = since.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture);
        }
        command.Parameters.Add(parameter);
        await using var reader = await command.ExecuteReaderAsync(ct);
        meter.CommandSent(writes: false);
        while (await reader.ReadAsync(ct))
            yield return Row(reader, reader.GetString(3), postgres);
    }

    private static CachedKey Row(DbDataReader reader, string key, bool postgres) =>
        CachedKeys.Create(
            Id(reader, 0, postgres), Id(reader, 1, postgres), reader.GetString(2), key, reader.GetString(4), reader.GetString(5),
            Strings(reader, 6, postgres), Time(reader, 7, postgres), Strings(reader, 8, postgres), reader.IsDBNull(9) ? null : reader.GetInt32(9),
            Time(reader, 10, postgres), reader.GetFieldValue<byte[]>(11), reader.IsDBNull(12) ? null : reader.GetFieldValue<byte[]>(12),
            Time(reader, 13, postgres));

    /// <summary>SQLite keeps a GUID as text; PostgreSQL as uuid.</summary>
    private static Guid Id(DbDataReader reader, int column, bool postgres) =>
        postgres ? reader.GetGuid(column) : Guid.Parse(reader.GetString(column));

    /// <summary>SQLite keeps a time as UTC text; PostgreSQL as timestamptz.</summary>
    private static DateTime? Time(DbDataReader reader, int column, bool postgres)
    {
        if (reader.IsDBNull(column))
            return null;
        var value = postgres ? reader.GetDateTime(column) : DateTime.Parse(reader.GetString(column), CultureInfo.InvariantCulture, DateTimeStyles.None);
        return DateTime.SpecifyKind(value, DateTimeKind.Utc);
    }

    /// <summary>SQLite keeps a list as a JSON array; PostgreSQL as text[].</summary>
    private static string[] Strings(DbDataReader reader, int column, bool postgres) =>
        postgres ? reader.GetFieldValue<string[]>(column) : JsonSerializer.Deserialize<string[]>(reader.GetString(column)) ?? [];
}
