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

    public static async Task AddAsync(BizKeysDbContext db, IReadOnlyList<(Guid KeyId, DateTime Hour, long Success, long[] Failures)> rows, CancellationToken ct)
    {
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
        sql.Append(") UPDATE \"ApiKeys\" SET \"LastUsedAt\" = \"Used\".\"At\", \"LastUsedIp\" = NULLIF(\"Used\".\"Ip\", '') FROM \"Used\" ")
            .Append("WHERE \"ApiKeys\".\"Id\" = \"Used\".\"Id\" AND (\"ApiKeys\".\"LastUsedAt\" IS NULL OR \"ApiKeys\".\"LastUsedAt\" < \"Used\".\"At\")");
        await db.Database.ExecuteSqlRawAsync(sql.ToString(), values, ct);
    }

    /// <summary>Adds sampled failures in one statement per chunk, not one per row.</summary>
    public static async Task AddFailuresAsync(BizKeysDbContext db, IReadOnlyList<KeyFailure> rows, CancellationToken ct)
    {
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

    private static void Add(StringBuilder sql, List<object> values, object value)
    {
        sql.Append('{').Append(values.Count).Append('}');
        values.Add(value);
    }
}
