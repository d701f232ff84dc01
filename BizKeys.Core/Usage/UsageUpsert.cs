using System.Text;
using BizKeys.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace BizKeys.Core.Usage;

/// <summary>
/// Adds counts to hourly buckets in one statement per chunk: <c>INSERT … ON CONFLICT … DO UPDATE SET n = n +
/// excluded.n</c>, which SQLite and PostgreSQL read alike. The database adds, so increments from several instances
/// flushing the same key and hour at the same moment all count; none overwrites another.
/// </summary>
internal static class UsageUpsert
{
    /// <summary>Rows per statement: 10 parameters a row stay below SQLite's 32,766 and PostgreSQL's 65,535.</summary>
    public const int RowsPerStatement = 1_000;

    private static readonly string[] Counted = ["Success", .. UsageBucket.CountedReasons.Select(r => r.ToString())];

    private static readonly string Conflict =
        " ON CONFLICT (\"KeyId\", \"HourStart\") DO UPDATE SET " +
        string.Join(", ", Counted.Select(c => $"\"{c}\" = \"UsageBuckets\".\"{c}\" + excluded.\"{c}\""));

    /// <summary>"WHERE true" tells SQLite that ON CONFLICT is the upsert's, not a join's constraint.</summary>
    private static readonly string SqliteAddBuckets =
        $"INSERT INTO \"UsageBuckets\" (\"KeyId\", \"HourStart\", {string.Join(", ", Counted.Select(c => $"\"{c}\""))}) " +
        $"SELECT {string.Join(", ", Enumerable.Range(0, 2 + Counted.Length).Select(i => $"json_extract(value, '$[{i}]')"))} " +
        $"FROM json_each({{0}}) WHERE true{Conflict}";

    public static async Task AddAsync(BizKeysDbContext db, IReadOnlyList<(Guid KeyId, DateTime Hour, long Success, long[] Failures)> rows, CancellationToken ct)
    {
        if (db.Database.IsSqlite())
        {
            var json = Rows(rows.Count, (w, i) =>
            {
                var (keyId, hour, success, failures) = rows[i];
                w.WriteStringValue(SqliteGuid(keyId));
                w.WriteStringValue(SqliteTime(hour));
                w.WriteNumberValue(success);
                foreach (var reason in UsageBucket.CountedReasons)
                    w.WriteNumberValue(failures[(int)reason]);
            });
            await db.Database.ExecuteSqlRawAsync(SqliteAddBuckets, [json], ct);
            return;
        }
        var sql = new StringBuilder("INSERT INTO \"UsageBuckets\" (\"KeyId\", \"HourStart\", ");
        sql.Append(string.Join(", ", Counted.Select(c => $"\"{c}\""))).Append(") VALUES ");
        var values = new List<object>(rows.Count * (2 + Counted.Length));
        for (var i = 0; i < rows.Count; i++)
        {
            var (keyId, hour, success, failures) = rows[i];
            sql.Append(i == 0 ? "(" : ", (");
            Add(sql, values, keyId);
            sql.Append(", ");
            Add(sql, values, DateTime.SpecifyKind(hour, DateTimeKind.Utc));
            sql.Append(", ");
            Add(sql, values, success);
            foreach (var reason in UsageBucket.CountedReasons)
            {
                sql.Append(", ");
                Add(sql, values, failures[(int)reason]);
            }
            sql.Append(')');
        }
        sql.Append(Conflict);
        await db.Database.ExecuteSqlRawAsync(sql.ToString(), values, ct);
    }

    /// <summary>
    /// Moves each key's last use forward in one statement per chunk (never back: an older flush from another
    /// instance cannot undo a newer one).
    /// </summary>
    public static async Task SetLastUsedAsync(BizKeysDbContext db, IReadOnlyList<(Guid KeyId, DateTime At, string? Ip)> rows, CancellationToken ct)
    {
        if (db.Database.IsSqlite())
        {
            var json = Rows(rows.Count, (w, i) =>
            {
                var (keyId, at, ip) = rows[i];
                w.WriteStringValue(SqliteGuid(keyId));
                w.WriteStringValue(SqliteTime(at));
                w.WriteStringValue(ip ?? "");
            });
            await db.Database.ExecuteSqlRawAsync(
                "WITH \"Used\" (\"Id\", \"At\", \"Ip\") AS (SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]') FROM json_each({0})) " +
                SetLastUsed, [json], ct);
            return;
        }
        var sql = new StringBuilder("WITH \"Used\" (\"Id\", \"At\", \"Ip\") AS (VALUES ");
        var values = new List<object>(rows.Count * 3);
        for (var i = 0; i < rows.Count; i++)
        {
            var (keyId, at, ip) = rows[i];
            sql.Append(i == 0 ? "(" : ", (");
            Add(sql, values, keyId);
            sql.Append(", ");
            Add(sql, values, DateTime.SpecifyKind(at, DateTimeKind.Utc));
            sql.Append(", ");
            Add(sql, values, ip ?? "");
            sql.Append(')');
        }
        sql.Append(") ").Append(SetLastUsed);
        await db.Database.ExecuteSqlRawAsync(sql.ToString(), values, ct);
    }

    private const string SetLastUsed =
        "UPDATE \"ApiKeys\" SET \"LastUsedAt\" = \"Used\".\"At\", \"LastUsedIp\" = NULLIF(\"Used\".\"Ip\", '') FROM \"Used\" " +
        "WHERE \"ApiKeys\".\"Id\" = \"Used\".\"Id\" AND (\"ApiKeys\".\"LastUsedAt\" IS NULL OR \"ApiKeys\".\"LastUsedAt\" < \"Used\".\"At\")";

    /// <summary>Adds sampled failures in one statement per chunk, not one per row.</summary>
    public static async Task AddFailuresAsync(BizKeysDbContext db, IReadOnlyList<KeyFailure> rows, CancellationToken ct)
    {
        if (db.Database.IsSqlite())
        {
            var json = Rows(rows.Count, (w, i) =>
            {
                w.WriteStringValue(SqliteGuid(rows[i].KeyId));
                w.WriteStringValue(SqliteTime(rows[i].At));
                w.WriteStringValue(rows[i].Reason.ToString());
                w.WriteStringValue(rows[i].Ip ?? "");
            });
            await db.Database.ExecuteSqlRawAsync(
                "INSERT INTO \"KeyFailures\" (\"KeyId\", \"At\", \"Reason\", \"Ip\") SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), " +
                "json_extract(value, '$[2]'), NULLIF(json_extract(value, '$[3]'), '') FROM json_each({0})", [json], ct);
            return;
        }
        var sql = new StringBuilder("INSERT INTO \"KeyFailures\" (\"KeyId\", \"At\", \"Reason\", \"Ip\") VALUES ");
        var values = new List<object>(rows.Count * 4);
        for (var i = 0; i < rows.Count; i++)
        {
            var failure = rows[i];
            sql.Append(i == 0 ? "(" : ", (");
            Add(sql, values, failure.KeyId);
            sql.Append(", ");
            Add(sql, values, DateTime.SpecifyKind(failure.At, DateTimeKind.Utc));
            sql.Append(", ");
            Add(sql, values, failure.Reason.ToString());
            sql.Append(", NULLIF(");
            Add(sql, values, failure.Ip ?? "");
            sql.Append(", ''))");
        }
        await db.Database.ExecuteSqlRawAsync(sql.ToString(), values, ct);
    }

    /// <summary>
    /// SQLite's driver looks each named parameter up by name, so a statement with 10,000 parameters spent most of a
    /// flush binding them (40 s for 100,000 keys). There the rows travel as one JSON parameter read by json_each,
    /// written as SQLite's EF Core provider stores them: upper-case GUIDs and "yyyy-MM-dd HH:mm:ss.FFFFFFF" times.
    /// </summary>
    private static string Rows(int count, Action<System.Text.Json.Utf8JsonWriter, int> row)
    {
        using var buffer = new MemoryStream();
        using (var writer = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            for (var i = 0; i < count; i++)
            {
                writer.WriteStartArray();
                row(writer, i);
                writer.WriteEndArray();
            }
            writer.WriteEndArray();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static string SqliteGuid(Guid id) => id.ToString("D").ToUpperInvariant();

    private static string SqliteTime(DateTime at) => at.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", System.Globalization.CultureInfo.InvariantCulture);

    private static void Add(StringBuilder sql, List<object> values, object value)
    {
        sql.Append('{').Append(values.Count).Append('}');
        values.Add(value);
    }
}
