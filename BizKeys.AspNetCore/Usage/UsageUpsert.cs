using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Data.Common;
using BizKeys.Core.Verification;

namespace BizKeys.Core.Usage;

/// <summary>
/// Writes a flush in a few set-based statements. Counts go into hourly buckets with <c>INSERT … ON CONFLICT … DO
/// UPDATE SET n = n + excluded.n</c>, which SQLite and PostgreSQL read alike: the database adds, so increments from
/// several instances flushing the same key and hour at the same moment all count; none overwrites another.
/// <para>
/// Each statement's rows travel as one JSON parameter, read by <c>json_each</c> (SQLite) or
/// <c>json_array_elements</c> (PostgreSQL). With one parameter per value, 100,000 keys meant a million parameters
/// per flush: SQLite's driver looks each up by name (40 s), and preparing them cost PostgreSQL's path 7 s.
/// </para>
/// </summary>
internal static class UsageUpsert
{
    /// <summary>Sees each statement just before it runs, in the flow that set it (tests ask the database for its plan).</summary>
    internal static readonly AsyncLocal<Action<DbCommand>?> Observer = new();

    /// <summary>Rows per statement: a flush of 100,000 keys is 100 statements in its one transaction.</summary>
    public const int RowsPerStatement = 1_000;

    private static readonly string[] Counted = ["Success", .. FailureReasons.Counted.Select(r => r.ToString())];

    private static readonly string Conflict =
        " ON CONFLICT (\"KeyId\", \"HourStart\") DO UPDATE SET " +
        string.Join(", ", Counted.Select(c => $"\"{c}\" = \"UsageBuckets\".\"{c}\" + excluded.\"{c}\""));

    private static readonly string[] BucketTypes = ["uuid", "timestamptz", .. Counted.Select(_ => "bigint")];

    /// <summary>"WHERE true" tells SQLite that ON CONFLICT is the upsert's, not a join's constraint.</summary>
    private static readonly (string Sqlite, string Postgres) AddBuckets = Both(source =>
        $"INSERT INTO \"UsageBuckets\" (\"KeyId\", \"HourStart\", {string.Join(", ", Counted.Select(c => $"\"{c}\""))}) {source} WHERE true{Conflict}",
        BucketTypes);

    /// <summary>Moves each key's last use forward, never back: an older flush from another instance cannot undo a newer one.</summary>
    private static readonly (string Sqlite, string Postgres) SetLastUsed = Both(source =>
        $"WITH \"Used\" (\"Id\", \"At\", \"Ip\") AS ({source}) " +
        "UPDATE \"ApiKeys\" SET \"LastUsedAt\" = \"Used\".\"At\", \"LastUsedIp\" = NULLIF(\"Used\".\"Ip\", '') FROM \"Used\" " +
        "WHERE \"ApiKeys\".\"Id\" = \"Used\".\"Id\" AND (\"ApiKeys\".\"LastUsedAt\" IS NULL OR \"ApiKeys\".\"LastUsedAt\" < \"Used\".\"At\")",
        ["uuid", "timestamptz", "text"]);

    /// <summary>
    /// Adds what each key's previous secret served, while that key is still in a grace period and only for uses made
    /// since its last rotation (a count still in memory from the rotation before is dropped); its latest use moves only
    /// forward.
    /// </summary>
    private static readonly (string Sqlite, string Postgres) AddPreviousUses = Both(source =>
        $"WITH \"Old\" (\"Id\", \"Count\", \"First\", \"At\") AS ({source}) " +
        "UPDATE \"ApiKeys\" SET \"PreviousSecretUses\" = \"ApiKeys\".\"PreviousSecretUses\" + \"Old\".\"Count\", " +
        "\"PreviousSecretLastUsedAt\" = CASE WHEN \"ApiKeys\".\"PreviousSecretLastUsedAt\" IS NULL OR \"ApiKeys\".\"PreviousSecretLastUsedAt\" < \"Old\".\"At\" " +
        "THEN \"Old\".\"At\" ELSE \"ApiKeys\".\"PreviousSecretLastUsedAt\" END FROM \"Old\" " +
        "WHERE \"ApiKeys\".\"Id\" = \"Old\".\"Id\" AND \"ApiKeys\".\"PreviousSecretHash\" IS NOT NULL " +
        "AND \"ApiKeys\".\"LastRotatedAt\" <= \"Old\".\"First\"",
        ["uuid", "bigint", "timestamptz", "timestamptz"]);

    private static readonly (string Sqlite, string Postgres) AddRequests = Both(source =>
        "INSERT INTO \"KeyRequests\" (\"KeyId\", \"At\", \"Reason\", \"Ip\", \"Permission\", \"Secret\") " +
        $"SELECT c0, c1, NULLIF(c2, ''), NULLIF(c3, ''), NULLIF(c4, ''), c5 FROM ({source}) AS r",
        ["uuid", "timestamptz", "text", "text", "text", "text"]);

    /// <summary>
    /// Keeps each listed key's newest <see cref="KeyRequest.KeptPerKey"/> recent requests: each key's cut-off id is
    /// found once (100 steps down its (KeyId, Id) index), then the rows below it are deleted through the same index.
    /// </summary>
    private static readonly (string Sqlite, string Postgres) TrimRequests = Both(source =>
        $"WITH \"Keys\" AS (SELECT c0 AS \"KeyId\" FROM ({source}) AS k), " +
        "\"Cut\" AS MATERIALIZED (SELECT \"Keys\".\"KeyId\", (SELECT n.\"Id\" FROM \"KeyRequests\" AS n WHERE n.\"KeyId\" = \"Keys\".\"KeyId\" " +
        $"ORDER BY n.\"Id\" DESC LIMIT 1 OFFSET {KeyRequest.KeptPerKey - 1}) AS \"Below\" FROM \"Keys\") " +
        "DELETE FROM \"KeyRequests\" WHERE \"Id\" IN (SELECT r.\"Id\" FROM \"Cut\" JOIN \"KeyRequests\" AS r " +
        "ON r.\"KeyId\" = \"Cut\".\"KeyId\" AND r.\"Id\" < \"Cut\".\"Below\")",
        ["uuid"]);

    private static readonly (string Sqlite, string Postgres) AddFailures = Both(source =>
        $"INSERT INTO \"KeyFailures\" (\"KeyId\", \"At\", \"Reason\", \"Ip\") SELECT c0, c1, c2, NULLIF(c3, '') FROM ({source}) AS f",
        ["uuid", "timestamptz", "text", "text"]);

    public static Task AddAsync(DbTransaction db, IReadOnlyList<(Guid KeyId, DateTime Hour, long Success, long[] Failures)> rows, CancellationToken ct) =>
        ExecuteAsync(db, AddBuckets, rows.Count, (w, i, sqlite) =>
        {
            var (keyId, hour, success, failures) = rows[i];
            WriteId(w, keyId, sqlite);
            WriteTime(w, hour, sqlite);
            w.WriteNumberValue(success);
            foreach (var reason in FailureReasons.Counted)
                w.WriteNumberValue(failures[(int)reason]);
        }, ct);

    public static Task SetLastUsedAsync(DbTransaction db, IReadOnlyList<(Guid KeyId, DateTime At, string? Ip)> rows, CancellationToken ct) =>
        ExecuteAsync(db, SetLastUsed, rows.Count, (w, i, sqlite) =>
        {
            var (keyId, at, ip) = rows[i];
            WriteId(w, keyId, sqlite);
            WriteTime(w, at, sqlite);
            w.WriteStringValue(ip ?? "");
        }, ct);

    public static Task AddPreviousUsesAsync(DbTransaction db, IReadOnlyList<(Guid KeyId, long Count, DateTime First, DateTime At)> rows, CancellationToken ct) =>
        ExecuteAsync(db, AddPreviousUses, rows.Count, (w, i, sqlite) =>
        {
            var (keyId, count, first, at) = rows[i];
            WriteId(w, keyId, sqlite);
            w.WriteNumberValue(count);
            WriteTime(w, first, sqlite);
            WriteTime(w, at, sqlite);
        }, ct);

    public static Task AddRequestsAsync(DbTransaction db, IReadOnlyList<KeyRequest> rows, CancellationToken ct) =>
        ExecuteAsync(db, AddRequests, rows.Count, (w, i, sqlite) =>
        {
            var r = rows[i];
            WriteId(w, r.KeyId, sqlite);
            WriteTime(w, r.At, sqlite);
            w.WriteStringValue(r.Reason?.ToString() ?? "");
            w.WriteStringValue(r.Ip ?? "");
            w.WriteStringValue(r.Permission ?? "");
            w.WriteStringValue(r.Secret.ToString());
        }, ct);

    public static Task TrimRequestsAsync(DbTransaction db, IReadOnlyList<Guid> keyIds, CancellationToken ct) =>
        ExecuteAsync(db, TrimRequests, keyIds.Count, (w, i, sqlite) => WriteId(w, keyIds[i], sqlite), ct);

    /// <summary>Adds sampled failures in one statement per chunk, not one per row.</summary>
    public static Task AddFailuresAsync(DbTransaction db, IReadOnlyList<KeyFailure> rows, CancellationToken ct) =>
        ExecuteAsync(db, AddFailures, rows.Count, (w, i, sqlite) =>
        {
            WriteId(w, rows[i].KeyId, sqlite);
            WriteTime(w, rows[i].At, sqlite);
            w.WriteStringValue(rows[i].Reason.ToString());
            w.WriteStringValue(rows[i].Ip ?? "");
        }, ct);

    private static async Task ExecuteAsync(DbTransaction db, (string Sqlite, string Postgres) sql, int count,
        Action<Utf8JsonWriter, int, bool> row, CancellationToken ct)
    {
        var sqlite = db.Connection is Microsoft.Data.Sqlite.SqliteConnection;
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            for (var i = 0; i < count; i++)
            {
                writer.WriteStartArray();
                row(writer, i, sqlite);
                writer.WriteEndArray();
            }
            writer.WriteEndArray();
        }
        await using var command = db.Connection!.CreateCommand();
        command.Transaction = db;
        command.CommandText = sqlite ? sql.Sqlite : sql.Postgres;
        var rows = command.CreateParameter();
        if (sqlite)
            rows.ParameterName = "@rows";
        rows.Value = Encoding.UTF8.GetString(buffer.ToArray());
        command.Parameters.Add(rows);
        Observer.Value?.Invoke(command);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// The statement for each engine around a row source with columns c0, c1, …: the JSON array of arrays in the
    /// statement's one parameter. PostgreSQL casts each value to its column's type.
    /// </summary>
    private static (string Sqlite, string Postgres) Both(Func<string, string> statement, string[] postgresTypes)
    {
        var sqlite = string.Join(", ", postgresTypes.Select((_, i) => $"json_extract(value, '$[{i}]') AS c{i}"));
        var postgres = string.Join(", ", postgresTypes.Select((type, i) => $"(e->>{i})::{type} AS c{i}"));
        return (statement($"SELECT {sqlite} FROM json_each(@rows)"),
                statement($"SELECT {postgres} FROM json_array_elements(CAST($1 AS json)) AS e"));
    }

    /// <summary>Deletes <paramref name="table"/>'s rows older than <paramref name="before"/> (failed attempts, recent requests).</summary>
    public static async Task DeleteOlderAsync(DbTransaction db, string table, DateTime before, CancellationToken ct)
    {
        var sqlite = db.Connection is Microsoft.Data.Sqlite.SqliteConnection;
        await using var command = db.Connection!.CreateCommand();
        command.Transaction = db;
        command.CommandText = $"DELETE FROM \"{table}\" WHERE \"At\" < {(sqlite ? "@before" : "$1")}";
        var parameter = command.CreateParameter();
        if (sqlite)
        {
            parameter.ParameterName = "@before";
            parameter.Value = before.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture);
        }
        else
        {
            parameter.Value = DateTime.SpecifyKind(before, DateTimeKind.Utc);
        }
        command.Parameters.Add(parameter);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>As SQLite's EF Core provider stores a GUID: upper-case text.</summary>
    private static void WriteId(Utf8JsonWriter w, Guid id, bool sqlite) =>
        w.WriteStringValue(sqlite ? id.ToString("D").ToUpperInvariant() : id.ToString("D"));

    /// <summary>As SQLite's EF Core provider stores a time ("yyyy-MM-dd HH:mm:ss.FFFFFFF"); ISO 8601 in UTC for PostgreSQL.</summary>
    private static void WriteTime(Utf8JsonWriter w, DateTime at, bool sqlite) =>
        w.WriteStringValue(sqlite
            ? at.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture)
            : DateTime.SpecifyKind(at, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture));
}
