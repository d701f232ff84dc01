using System.Diagnostics.Metrics;
using System.Net;
using BizKeys.Core.ApiKeys;
using BizKeys.Core.Data;
using BizKeys.Core.Usage;
using BizKeys.Core.Verification;
using BizKeys.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace BizKeys.Tests.Core;

/// <summary>
/// The database meter that the load benchmark reads (through dotnet-counters) to show what verification and usage
/// cost the database: these tests hold it to the truth with this app's own counts.
/// </summary>
public class DatabaseActivityTests : IAsyncLifetime
{
    private TestDatabase _db = default!;
    private MeterListener _listener = default!;
    private long _commands;
    private long _writes;

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        var meters = _db.Services.GetRequiredService<IMeterFactory>();
        _listener = new MeterListener
        {
            // Only this test's app: other tests' apps in the process have meters of the same name.
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == DatabaseActivity.MeterName && instrument.Meter.Scope == meters)
                    listener.EnableMeasurementEvents(instrument);
            },
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            if (instrument.Name == "bizkeys.db.commands")
                Interlocked.Add(ref _commands, value);
            else if (instrument.Name == "bizkeys.db.write_transactions")
                Interlocked.Add(ref _writes, value);
        });
        _listener.Start();
    }

    public async Task DisposeAsync()
    {
        _listener.Dispose();
        await _db.DisposeAsync();
    }

    private (long Commands, long Writes) Reset() => (Interlocked.Exchange(ref _commands, 0), Interlocked.Exchange(ref _writes, 0));

    [Fact]
    public async Task Creating_a_key_is_counted_as_a_write_and_verifying_it_from_memory_costs_nothing()
    {
        var issued = await _db.CreateKeyAsync();
        var created = Reset();
        Assert.True(created.Commands >= 1, "the insert is a command");
        Assert.True(created.Writes >= 1, "the insert is a write transaction");

        var verifier = _db.Services.GetRequiredService<KeyVerifier>();
        Assert.True((await verifier.VerifyAsync(issued.Key.Key, issued.Secret, IPAddress.Loopback)).IsValid); // reads it once
        Assert.Equal((1L, 0L), Reset());

        for (var i = 0; i < 500; i++)
        {
            Assert.True((await verifier.VerifyAsync(issued.Key.Key, issued.Secret, IPAddress.Loopback)).IsValid);
            Assert.False((await verifier.VerifyAsync(MadeUp.Key(), KeyFormat.NewSecret(), IPAddress.Loopback)).IsValid);
        }
        Assert.Equal((0L, 0L), Reset());
    }

    [Fact]
    public async Task A_flush_of_many_keys_usage_is_one_write_transaction()
    {
        var verifier = _db.Services.GetRequiredService<KeyVerifier>();
        var recorder = _db.Services.GetRequiredService<UsageRecorder>();
        for (var i = 0; i < 30; i++)
        {
            var issued = await _db.CreateKeyAsync($"Bot {i}");
            var result = await verifier.VerifyAsync(issued.Key.Key, issued.Secret, IPAddress.Loopback);
            recorder.Record(result.Key, null, IPAddress.Loopback);
            recorder.Record(result.Key, FailureReason.WrongSecret, IPAddress.Loopback);
        }
        Reset();

        await _db.Services.GetRequiredService<UsageFlusher>().FlushAsync();

        var flush = Reset();
        Assert.Equal(1, flush.Writes);
        Assert.InRange(flush.Commands, 1, 10); // set-based: a handful of statements for 30 keys, not one per key
    }
}
