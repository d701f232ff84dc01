using BizKeys.Core.Data;
using Npgsql;
using NpgsqlTypes;

namespace BizKeys.Core.Verification;

/// <summary>
/// The per-key budget that every instance draws from on PostgreSQL. An instance takes a slice of a key's minute at a
/// time; the database grants at most what is left, under the row's lock, so the instances together never take more
/// than the limit. (An instance may end a minute with part of its last slice unused: the cost of asking the
/// database once per slice instead of once per request.)
/// </summary>
public sealed class SharedRateBudget(NpgsqlDataSource dataSource, DatabaseMeter activity)
{
    private const string Ensure =
        "INSERT INTO \"RateWindows\" (\"KeyId\", \"WindowStart\", \"Used\", \"Previous\") VALUES ($1, $2, 0, 0) ON CONFLICT (\"KeyId\", \"WindowStart\") DO NOTHING";

    // In SET, both assignments read the row as it was: "Previous" keeps the old count, so RETURNING tells the grant.
    private const string Take =
        "UPDATE \"RateWindows\" SET \"Previous\" = \"Used\", \"Used\" = LEAST(\"Used\" + $3, $4) " +
        "WHERE \"KeyId\" = $1 AND \"WindowStart\" = $2 AND \"Used\" < $4 RETURNING \"Used\" - \"Previous\"";

    /// <returns>How many requests this instance may serve from the budget: 0 when the minute's budget is spent.</returns>
    public async Task<int> TakeAsync(Guid keyId, DateTime windowStart, int slice, int limit, CancellationToken ct)
    {
        await using var batch = dataSource.CreateBatch();
        var ensure = new NpgsqlBatchCommand(Ensure);
        ensure.Parameters.Add(new NpgsqlParameter { Value = keyId, NpgsqlDbType = NpgsqlDbType.Uuid });
        ensure.Parameters.Add(new NpgsqlParameter { Value = windowStart, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        var take = new NpgsqlBatchCommand(Take);
        take.Parameters.Add(new NpgsqlParameter { Value = keyId, NpgsqlDbType = NpgsqlDbType.Uuid });
        take.Parameters.Add(new NpgsqlParameter { Value = windowStart, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        take.Parameters.Add(new NpgsqlParameter { Value = slice, NpgsqlDbType = NpgsqlDbType.Integer });
        take.Parameters.Add(new NpgsqlParameter { Value = limit, NpgsqlDbType = NpgsqlDbType.Integer });
        batch.BatchCommands.Add(ensure);
        batch.BatchCommands.Add(take);
        var granted = await batch.ExecuteScalarAsync(ct); // the batch runs as one transaction
        activity.CommandSent(writes: true);
        return granted is int n ? n : 0;
    }

    /// <summary>Forgets minutes long past; any instance may do it, any number of times.</summary>
    public async Task ForgetBeforeAsync(DateTime before, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("DELETE FROM \"RateWindows\" WHERE \"WindowStart\" < $1");
        command.Parameters.Add(new NpgsqlParameter { Value = before, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        await command.ExecuteNonQueryAsync(ct);
        activity.CommandSent(writes: true);
    }
}
