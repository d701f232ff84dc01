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

    /// <summary>Whoever holds a copy of <paramref name="key"/> drops it.</summary>
    public void Announce(string key) => Changed?.Invoke(key);
}
