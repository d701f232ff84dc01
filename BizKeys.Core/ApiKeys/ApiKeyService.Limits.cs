using BizKeys.Core.Access;

namespace BizKeys.Core.ApiKeys;

/// <summary>The rule that a key acting through the API never creates or acts on a key beyond its own limits.</summary>
public sealed partial class ApiKeyService
{
    /// <summary>
    /// A key acting through the API creates, changes, rotates and revokes only keys within its own permissions and
    /// limits: otherwise a weaker key could take over a stronger one (rotate it and receive its secret) or mint itself
    /// an unrestricted twin. People and operators are not keys; their role decides.
    /// </summary>
    private static void RequireWithinActor(Actor actor, KeyLimits target, string what)
    {
        if (actor.KeyLimits is not { } own)
            return;
        var excess = own.Exceeds(target);
        if (excess.Count > 0)
            throw new AccessDeniedException($"This key cannot {what} {string.Join("; ", excess)}.");
    }

    /// <summary>
    /// The same rule for the key acted on. Only a key that may read keys (<c>keys:read</c>) is told how the other key
    /// exceeds it; a write-only key learns nothing about keys it cannot list.
    /// </summary>
    private static void RequireTargetWithinActor(Actor actor, ApiKey target, string verb)
    {
        if (actor.KeyLimits is not { } own || own.Exceeds(target.Limits()) is not { Count: > 0 } excess)
            return;
        throw new AccessDeniedException(own.Permissions.Contains(Permissions.KeysRead)
            ? $"This key cannot {verb} {target.Key}: that key {string.Join("; ", excess)}."
            : $"This key cannot {verb} {target.Key}: that key may do more than this key (its permissions, environment, expiry, IP allowlist or rate limit).");
    }
}
