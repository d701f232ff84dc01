using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace BizKeys.Tests.Support;

/// <summary>
/// Watches the database commands the app sends: counts them, and on request holds the next command whose SQL
/// matches after it has read its rows, until the test releases it. Makes a race deterministic: hold a read, change
/// the row, then let the read go on.
/// </summary>
public sealed class CommandGate : DbCommandInterceptor
{
    private readonly Lock _lock = new();
    private Func<string, bool>? _hold;
    private TaskCompletionSource? _held;
    private TaskCompletionSource? _release;
    private int _count;
    private Func<string, bool> _counted = _ => true;

    /// <summary>Commands sent since <see cref="Count"/> was reset, among those <see cref="CountOnly"/> selects.</summary>
    public int Count => Volatile.Read(ref _count);

    public void CountOnly(Func<string, bool> which)
    {
        _counted = which;
        Interlocked.Exchange(ref _count, 0);
    }

    /// <summary>Holds the next matching command; the returned task completes once it is held.</summary>
    public Task HoldNext(Func<string, bool> matching)
    {
        lock (_lock)
        {
            _hold = matching;
            _held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _held.Task;
        }
    }

    public void Release() => _release?.TrySetResult();

    public override async ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData, DbDataReader result, CancellationToken ct = default)
    {
        await ReadAsync(command.CommandText, ct);
        return result;
    }

    /// <summary>A read has its rows: counted, and held when the test asked for it.</summary>
    public async Task ReadAsync(string sql, CancellationToken ct)
    {
        if (_counted(sql))
            Interlocked.Increment(ref _count);
        Task? wait = null;
        lock (_lock)
        {
            if (_hold is { } hold && hold(sql))
            {
                _hold = null;
                _held!.TrySetResult();
                wait = _release!.Task;
            }
        }
        if (wait is not null)
            await wait.WaitAsync(TimeSpan.FromSeconds(30), ct);
    }
}

/// <summary>
/// The verifier's key look-up goes through ADO.NET, not Entity Framework: this passes each of its reads through the
/// test's <see cref="CommandGate"/>s too, so they are counted and can be held like any other command.
/// </summary>
public sealed class GatedKeySource(BizKeys.Core.Verification.SqlKeySource inner, IEnumerable<Microsoft.EntityFrameworkCore.Diagnostics.IInterceptor> interceptors)
    : BizKeys.Core.Verification.IKeySource
{
    public async ValueTask<BizKeys.Core.Verification.CachedKey?> FindAsync(string key, string secret, CancellationToken ct)
    {
        var found = await inner.FindAsync(key, secret, ct);
        foreach (var gate in interceptors.OfType<CommandGate>())
            await gate.ReadAsync(BizKeys.Core.Verification.SqlKeySource.Statement, ct);
        return found;
    }
}
