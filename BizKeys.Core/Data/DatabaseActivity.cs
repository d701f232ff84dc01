using System.Data.Common;
using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace BizKeys.Core.Data;

/// <summary>
/// Counts what BizKeys asks of its database, published on the <see cref="MeterName"/> meter so that
/// <c>dotnet-counters</c> (or any OpenTelemetry exporter) can watch it: every command, and every write transaction
/// (an explicit commit, or a write that commits on its own). The load benchmark reads both to show that verification
/// costs no query per request and that usage is written in batches.
/// </summary>
public sealed class DatabaseActivity : DbCommandInterceptor, IDbTransactionInterceptor
{
    public const string MeterName = "BizKeys.Database";

    private readonly Counter<long> _commands;
    private readonly Counter<long> _writeTransactions;

    /// <summary>The meter comes from the app's factory, so each app in one process (tests) counts its own.</summary>
    public DatabaseActivity(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _commands = meter.CreateCounter<long>("bizkeys.db.commands", "{command}", "Commands sent to the database.");
        _writeTransactions = meter.CreateCounter<long>("bizkeys.db.write_transactions", "{transaction}",
            "Transactions that wrote to the database: commits, and writes outside a transaction.");
    }

    /// <summary>A command sent outside Entity Framework (PostgreSQL's shared rate budget and change listener).</summary>
    public void CommandSent(bool writes)
    {
        _commands.Add(1);
        if (writes)
            _writeTransactions.Add(1);
    }

    public override DbCommand CommandInitialized(CommandEndEventData eventData, DbCommand result)
    {
        _commands.Add(1);
        if (result.Transaction is null && Writes(result.CommandText))
            _writeTransactions.Add(1);
        return result;
    }

    private static bool Writes(string sql)
    {
        var text = sql.AsSpan().TrimStart();
        return text.StartsWith("INSERT", StringComparison.OrdinalIgnoreCase)
            || text.StartsWith("UPDATE", StringComparison.OrdinalIgnoreCase)
            || text.StartsWith("DELETE", StringComparison.OrdinalIgnoreCase);
    }

    void IDbTransactionInterceptor.TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) =>
        _writeTransactions.Add(1);

    Task IDbTransactionInterceptor.TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData,
        CancellationToken cancellationToken)
    {
        _writeTransactions.Add(1);
        return Task.CompletedTask;
    }
}
