namespace BizKeys.Core.ApiKeys;

/// <summary>The key does not exist in the caller's account (another account's key is "not found" too).</summary>
public sealed class ApiKeyNotFoundException(string key)
    : Exception($"No API key {key} was found in this account.")
{
    public string Key { get; } = key;
}

/// <summary>The operation does not fit the key's state, such as editing a revoked key.</summary>
public sealed class ApiKeyStateException(string message) : Exception(message);

/// <summary>Someone else changed the key first; reload and try again.</summary>
public sealed class ConcurrencyConflictException(string key)
    : Exception($"Key {key} was changed by someone else at the same time. Reload it and try again.")
{
    public string Key { get; } = key;
}

/// <summary>An Idempotency-Key came back with a different request: it names one create, not another.</summary>
public sealed class IdempotencyMismatchException(string idempotencyKey)
    : Exception($"The Idempotency-Key \"{idempotencyKey}\" was used for a different key. Use a new Idempotency-Key for a new key.");
