using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace BizKeys.Core.Data;

/// <summary>
/// Counts Entity Framework's commands and write transactions on the <see cref="DatabaseMeter"/>, beside the
/// commands the verification path sends itself.
/// </summary>
public sealed class DatabaseActivity(DatabaseMeter meter) : DbCommandInterceptor, IDbTransactionInterceptor
{
    public const string MeterName = DatabaseMeter.MeterName;

    /// <summary>A command sent outside Entity Framework.</summary>
    public void CommandSent(bool writes) => meter.CommandSent(writes);

    public override DbCommand CommandInitialized(CommandEndEventData eventData, DbCommand result)
    {
        meter.CommandSent(result.Transaction is null && Writes(result.CommandText));
        return result;
    }

    private static bool Writes(string sql)
    {
        var text = sql.AsSpan().TrimStart();
        return text.StartsWith("INSERT", StringComparison.OrdinalIgnoreCase)
            || text.StartsWith("UPDATE", StringComparison.OrdinalIgnoreCase)
            || text.StartsWith("DELETE", StringComparison.OrdinalIgnoreCase);
    }

    void IDbTransactionInterceptor.TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => meter.Committed();

    Task IDbTransactionInterceptor.TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData,
        CancellationToken cancellationToken)
    {
        meter.Committed();
        return Task.CompletedTask;
    }
}
