using System.Diagnostics.Metrics;

namespace BizKeys.Core.Data;

/// <summary>
/// Counts what BizKeys asks of its database, published on the <see cref="MeterName"/> meter (dotnet-counters, any
/// OpenTelemetry exporter): every command, and every write transaction. The load benchmark reads both to show that
/// verification costs no query per request and that usage is written in batches.
/// </summary>
public sealed class DatabaseMeter
{
    public const string MeterName = "BizKeys.Database";

    private readonly Counter<long> _commands;
    private readonly Counter<long> _writeTransactions;

    /// <summary>The meter comes from the host's factory, so each app in one process (tests) counts its own.</summary>
    public DatabaseMeter(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _commands = meter.CreateCounter<long>("bizkeys.db.commands", "{command}", "Commands sent to the database.");
        _writeTransactions = meter.CreateCounter<long>("bizkeys.db.write_transactions", "{transaction}",
            "Transactions that wrote to the database: commits, and writes outside a transaction.");
    }

    public void CommandSent(bool writes)
    {
        _commands.Add(1);
        if (writes)
            _writeTransactions.Add(1);
    }

    public void Committed() => _writeTransactions.Add(1);
}
