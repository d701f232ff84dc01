namespace BizKeys.Core.ApiKeys;

/// <summary>
/// Announces that a key changed (created, edited, rotated, revoked) once the change is committed. The key lifecycle
/// does not know who keeps copies of keys; the verification cache listens here and drops its copy, so the next
/// request sees the change.
/// </summary>
public sealed class KeyChanges
{
    public event Action<string>? Changed;

    internal void Announce(string key) => Changed?.Invoke(key);
}
