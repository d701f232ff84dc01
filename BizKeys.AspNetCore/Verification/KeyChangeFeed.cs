namespace BizKeys.Core.Verification;

/// <summary>
/// Where changes to keys are announced in this process — made here, or read from the change log — and where every
/// copy of a key (the verification cache) hears of them.
/// </summary>
public sealed class KeyChangeFeed
{
    /// <summary>The PostgreSQL channel that wakes every follower of the change log; the payload is the key's identifier.</summary>
    public const string Channel = "bizkeys_key_changes";

    public event Action<string>? Changed;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<long, byte> _own = new();

    /// <summary>Raised when this process has committed a change to the log: its follower reads the log at once.</summary>
    public event Action? Written;

    /// <summary>
    /// This process committed log line <paramref name="seq"/> and announced it already: its follower skips it, so a key
    /// cached after the change is not dropped again for nothing.
    /// </summary>
    public void Wrote(long seq)
    {
        _own[seq] = 0;
        Written?.Invoke();
    }

    /// <summary>Whether this process wrote line <paramref name="seq"/> itself (asked once per line).</summary>
    public bool IsOwn(long seq) => _own.TryRemove(seq, out _);

    /// <summary>Whoever holds a copy of <paramref name="key"/> drops it.</summary>
    public void Announce(string key) => Changed?.Invoke(key);
}
